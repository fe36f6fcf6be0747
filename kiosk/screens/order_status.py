"""Follows a grocery order: 第 n 步 … 已认领 → 已买好（金额）→ 已送到 → 我收到了 → 评价."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk import theme as th
from kiosk.screens.base import KioskScreen
from kiosk.state.orders import OrderView, items_text
from kiosk.widgets import BigButton, TextLabel, fitted_panel, set_shown, spacer


class OrderStatusScreen(KioskScreen):
    """Status of one order; the one button changes with the stage (我收到了 / 评价这次代购)."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the status panel, the duty phone and the action button."""
        super().__init__(name="order_status", **kwargs)
        t = self.theme
        portrait = self.actions.config.orientation == "portrait"
        self.view: OrderView | None = None
        box = BoxLayout(orientation="vertical", padding=t.px(24), spacing=t.px(32))
        self.panel = fitted_panel(th.PANEL_INFO, t.px(4), padding=(t.px(32), t.px(16)))
        self.step_label = TextLabel("", font_size=t.body_font, auto_height=True, kiosk_id="order_status.step")
        self.title_label = TextLabel("", font_size=t.huge_font, bold=True, auto_height=True,
                                     kiosk_id="order_status.title")
        self.items_label = TextLabel("", font_size=t.body_font, auto_height=True, kiosk_id="order_status.items")
        self.detail_label = TextLabel("", font_size=t.body_font, auto_height=True, kiosk_id="order_status.detail")
        for widget in (self.step_label, self.title_label, self.items_label, self.detail_label):
            self.panel.add_widget(widget)
        box.add_widget(self.panel)
        self.phone = TextLabel(f"值班电话 {self.actions.config.duty_phone}", font_size=t.title_font, bold=True,
                               auto_height=True, kiosk_id="order_status.phone")
        box.add_widget(self.phone)
        box.add_widget(spacer())
        self.action_button = BigButton("", style="confirm", font_size=t.button_font,
                                       size_hint=(0.8 if portrait else 0.5, None), height=t.button_height,
                                       pos_hint={"center_x": 0.5}, kiosk_id="order_status.action",
                                       on_tap=self._act)
        box.add_widget(self.action_button)
        self.add_widget(box)

    def refresh(self) -> None:
        """Pull the followed order's view."""
        self.show(self.actions.groceries.view())

    def show(self, view: OrderView | None) -> bool:
        """Render ``view``; True when the stage changed (worth saying)."""
        changed = view is not None and (self.view is None or (view.stage, view.can_rate) !=
                                        (self.view.stage, self.view.can_rate))
        self.view = view
        if view is None:
            self.step_label.text, self.title_label.text, self.items_label.text = "", "没有订单", ""
            self.detail_label.text = ""
            set_shown(self.phone, False)
            set_shown(self.action_button, False)
            return False
        tracker = self.actions.groceries.tracker
        items = items_text(tracker.snapshot) if tracker else ""
        self.step_label.text = view.step_text
        self.title_label.text = view.title
        self.items_label.text = f"您买的是：{items}" if items else ""
        self.detail_label.text = view.detail
        self.panel.bg_rgba = list(th.TONE_PANELS[view.tone])
        set_shown(self.phone, view.show_duty_phone)
        self.action_button.text = "我收到了" if view.can_confirm_receipt else "评价这次代购"
        set_shown(self.action_button, view.can_confirm_receipt or view.can_rate)
        return changed

    def _act(self) -> None:
        if self.view is not None and self.view.can_confirm_receipt:
            self.actions.groceries.confirm_receipt()
        elif self.view is not None and self.view.can_rate:
            self.actions.groceries.rate_order()

    def on_pre_enter(self, *args: Any) -> None:
        """Follow the order again if the screen was left meanwhile, then refresh."""
        self.actions.groceries.ensure_tracking()
        super().on_pre_enter(*args)

    def on_leave(self, *args: Any) -> None:
        """Stop polling the order once the screen is left."""
        self.actions.groceries.stop_tracking()

    def idle_exempt(self) -> bool:
        """An order is followed for as long as the person watches; the idle timer still applies."""
        return False

    def speech_text(self) -> str:
        """The view's speech and the button."""
        if self.view is None:
            return "没有订单。"
        extra = "可以按“评价这次代购”打分。" if self.view.can_rate else ""
        return self.view.speech + extra
