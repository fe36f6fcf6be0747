"""Resident identification by numeric keypad: room number or resident code."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk import theme as th
from kiosk.screens.base import KioskScreen
from kiosk.state.keypad import DELETE, KEYS, MIN_DIGITS, SUBMIT, KeypadEntry
from kiosk.state.text import spoken_phone
from kiosk.widgets import BigButton, Panel, TextLabel

TITLE = "请输入房间号或居民码"
HINT = f"至少{MIN_DIGITS}位数字。输错了请按“{DELETE}”。"


class ResidentScreen(KioskScreen):
    """Big phone-style keypad; the typed digits are shown spaced apart and read back."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the entry panel and the 4x3 keypad."""
        super().__init__(name="resident", **kwargs)
        t = self.theme
        portrait = self.actions.config.orientation == "portrait"
        self.entry = KeypadEntry()
        self.service = ""
        box = BoxLayout(orientation="vertical" if portrait else "horizontal", padding=t.px(24), spacing=t.gap)
        left = BoxLayout(orientation="vertical", spacing=t.px(24),
                         size_hint=(1, 0.4) if portrait else (0.45, 1))
        self.title_label = TextLabel(TITLE, font_size=t.title_font, bold=True, kiosk_id="resident.title")
        display_panel = Panel(th.PANEL_INFO, border_px=t.px(4), padding=(t.px(16), 0))
        display_panel.border_rgba = list(th.TEXT)
        self.display = TextLabel("", font_size=t.huge_font, bold=True, kiosk_id="resident.display")
        display_panel.add_widget(self.display)
        self.problem = ""
        self.hint = TextLabel(HINT, font_size=t.body_font, kiosk_id="resident.hint")
        for widget in (self.title_label, display_panel, self.hint):
            left.add_widget(widget)
        keypad = GridLayout(cols=3, spacing=t.px(24), size_hint=(1, 0.6) if portrait else (0.55, 1))
        for key in KEYS:
            style = "confirm" if key == SUBMIT else "neutral" if key == DELETE else "primary"
            keypad.add_widget(BigButton(key, style=style, role="key", font_size=t.title_font,
                                        kiosk_id=f"resident.key.{key}", on_tap=lambda k=key: self.press(k)))
        box.add_widget(left)
        box.add_widget(keypad)
        self.add_widget(box)

    def start(self, service: str) -> None:
        """Begin a fresh entry for ``service`` (买菜代购 / 活动报名 / 我的请求)."""
        self.service = service
        self.entry = KeypadEntry()
        self.problem = ""

    def reset(self) -> None:
        """A new visit types from scratch."""
        self.start("")

    def refresh(self) -> None:
        """Show the digits typed so far (and why the last ones did not work)."""
        self.display.text = self.entry.display
        self.hint.text = self.problem or HINT

    def show_problem(self, code: str, *, offline: bool) -> None:
        """The portal does not know ``code``, or cannot be asked: say so and let them try again."""
        phone = self.actions.config.duty_phone
        if offline:
            self.problem = f"暂时联系不上服务中心，查不到号码 {code}。请稍后再试，或拨打值班电话 {phone}。"
        else:
            self.problem = f"没有找到号码 {code}。请看一看再输一遍。"
        self.entry = KeypadEntry()
        self.refresh()
        self.actions.speak(self.problem.replace(code, spoken_phone(code)))

    def press(self, key: str) -> None:
        """Handle a key: digits and 删除 edit and are read back; 确定 submits when complete."""
        if key == SUBMIT:
            if self.entry.complete:
                self.actions.speak("正在查找，请稍等。")
                self.actions.visitors.submit_code(self.entry.digits)
            else:
                self.actions.speak(f"请至少输入 {MIN_DIGITS} 位数字。{self.entry.speech}")
            return
        self.entry = self.entry.press(key)
        self.refresh()
        self.actions.speak(self.entry.speech)

    def speech_text(self) -> str:
        """Title, what is typed and how to correct it."""
        problem = f"{self.problem}" if self.problem else ""
        return (f"{self.service}。{TITLE}。{problem}{self.entry.speech}"
                f"输错了请按“{DELETE}”，输好了请按“{SUBMIT}”。")
