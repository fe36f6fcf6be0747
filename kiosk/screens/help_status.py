"""Follows the help call live: 正在发送 -> 已送达 -> 志愿者已接单 -> 已处理."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk import theme as th
from kiosk.screens.base import KioskScreen
from kiosk.state.help_call import HelpCallView, HelpStage
from kiosk.widgets import BigButton, TextLabel, fitted_panel, set_shown, spacer

NO_CALL_TEXT = "现在没有进行中的呼叫。"


class HelpStatusScreen(KioskScreen):
    """Status of the current help call; shows the duty phone in large digits when offline."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the status panel, the phone panel and the cancel button (panels size to their text)."""
        super().__init__(name="help_status", **kwargs)
        t = self.theme
        portrait = self.actions.config.orientation == "portrait"
        self.view: HelpCallView | None = None
        box = BoxLayout(orientation="vertical", padding=t.px(24), spacing=t.px(32))
        self.status_panel = fitted_panel(th.PANEL_INFO, t.px(4), padding=(t.px(32), t.px(16)))
        self.step_label = TextLabel("", font_size=t.body_font, auto_height=True, kiosk_id="help_status.step")
        self.title_label = TextLabel("", font_size=t.huge_font, bold=True, auto_height=True,
                                     kiosk_id="help_status.title")
        self.detail_label = TextLabel("", font_size=t.body_font, auto_height=True, kiosk_id="help_status.detail")
        for widget in (self.step_label, self.title_label, self.detail_label):
            self.status_panel.add_widget(widget)
        box.add_widget(self.status_panel)
        # Portrait screens are too narrow for "值班电话" and the number on one line.
        self.phone_panel = fitted_panel(th.PANEL_WARNING, t.px(6), padding=(t.px(32), t.px(12)),
                                         orientation="vertical" if portrait else "horizontal")
        self.phone_panel.add_widget(TextLabel("值班电话", font_size=t.title_font, auto_height=True,
                                              size_hint_x=1 if portrait else 0.3, pos_hint={"center_y": 0.5},
                                              kiosk_id="help_status.phone_label"))
        self.phone_label = TextLabel(self.actions.config.duty_phone, font_size=t.huge_font * 1.25, bold=True,
                                     auto_height=True, pos_hint={"center_y": 0.5}, kiosk_id="help_status.phone")
        self.phone_panel.add_widget(self.phone_label)
        box.add_widget(self.phone_panel)
        box.add_widget(spacer())
        self.cancel_button = BigButton("我没事，取消呼叫", style="neutral", font_size=t.button_font,
                                       size_hint=(0.5 if not portrait else 0.8, None), height=t.button_height,
                                       pos_hint={"center_x": 0.5}, kiosk_id="help_status.cancel",
                                       on_tap=self._act)
        box.add_widget(self.cancel_button)
        self.add_widget(box)

    def refresh(self) -> None:
        """Pull the current view model from the app."""
        self.show(self.actions.help_call_view())

    def show(self, view: HelpCallView | None) -> bool:
        """Render ``view``; return True when the stage (or cancel note) changed and should be spoken."""
        changed = view is not None and (
            self.view is None or (view.stage, view.detail) != (self.view.stage, self.view.detail)
        )
        self.view = view
        if view is None:
            self.step_label.text, self.title_label.text, self.detail_label.text = "", NO_CALL_TEXT, ""
            set_shown(self.phone_panel, False)
            set_shown(self.cancel_button, False)
            return False
        self.step_label.text = view.step_text
        self.title_label.text = view.title
        self.detail_label.text = view.detail
        self.status_panel.bg_rgba = list(th.TONE_PANELS[view.tone])
        set_shown(self.phone_panel, view.show_duty_phone)
        rate = self.actions.help_call_rateable()
        self.cancel_button.text = "评价这次帮忙" if rate else "我没事，取消呼叫"
        self.cancel_button.kiosk_id = "help_status.rate" if rate else "help_status.cancel"
        self.cancel_button.set_style("confirm" if rate else "neutral")
        set_shown(self.cancel_button, view.can_cancel or rate)
        return changed

    def _act(self) -> None:
        if self.actions.help_call_rateable():
            self.actions.rate_help_call()
        else:
            self.actions.go("confirm_cancel")

    def idle_exempt(self) -> bool:
        """Keep showing a call that is still running (and the duty phone when offline)."""
        return self.view is not None and not self.view.finished and self.view.stage is not HelpStage.SAVE_FAILED

    def speech_text(self) -> str:
        """The view model's speech, plus how to cancel when possible."""
        if self.view is None:
            return NO_CALL_TEXT
        extra = "如果您没事，可以按“我没事，取消呼叫”。" if self.view.can_cancel else ""
        if self.actions.help_call_rateable():
            extra = "可以按“评价这次帮忙”给志愿者打分。"
        return self.view.speech + extra
