"""The parts around every screen: the header and the bottom bar, drawn from the view's :class:`Bar`.

The bottom bar lives outside the screen area, so 返回首页 (bottom left), the context tool
(声音设置 at home, 购物车 while shopping), the microphone (说话) and 再听一遍 (bottom right) are
in exactly the same place on every screen, by construction; a hidden slot keeps its place.
While the kiosk listens, the header shows what it hears (我听到：…).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from kiosk.core.view import Bar, Choice
from kiosk.ui import theme as th
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import BigButton, Panel, TextLabel, set_shown

NAV_BG = th.hex_rgba("#E6E6DF")
VOICE_OFF = "语音未安装"
"""The greyed microphone when no speech model is installed (shown and spoken)."""


class Header(Panel):
    """Dark top bar: service, site and place on the left, the site's time on the right."""

    def __init__(self, *, theme: Theme, **kwargs: Any) -> None:
        """Build the two labels (filled by :meth:`show`)."""
        super().__init__(th.HEADER_BG, orientation="horizontal", size_hint_y=None,
                         height=theme.header_height, padding=(theme.padding, 0), **kwargs)
        self.site_label = TextLabel("", font_size=theme.body_font, color=th.TEXT_ON_DARK,
                                    halign="left", shorten=True, shorten_from="left", kiosk_id="header.site")
        self.add_widget(self.site_label)
        self.clock_label = TextLabel("", font_size=theme.body_font, color=th.TEXT_ON_DARK, halign="right",
                                     size_hint_x=0.25, kiosk_id="header.clock")
        self.add_widget(self.clock_label)

    def show(self, bar: Bar) -> None:
        """The site and clock, or (dark on light yellow) what the microphone hears."""
        captioning = bar.listening or bool(bar.heard)
        self.bg_rgba = list(th.PANEL_WARNING if captioning else th.HEADER_BG)
        self.site_label.color = self.clock_label.color = th.TEXT if captioning else th.TEXT_ON_DARK
        self.site_label.text = caption_text(bar.heard, listening=bar.listening) if captioning else bar.site
        self.clock_label.text = bar.clock


def caption_text(heard: str, *, listening: bool, max_chars: int = 24) -> str:
    """``我听到：买两斤鸡蛋`` (the latest words if long); ``请说话…`` before anything is heard."""
    if not heard:
        return "请说话，我在听……" if listening else "没有听清楚"
    tail = heard if len(heard) <= max_chars else "…" + heard[-max_chars:]
    return f"我听到：{tail}"


class NavBar(Panel):
    """Four fixed slots: 返回首页 (on the home screen: 我今天很好) · the tool · 说话 · 再听一遍, at least the
    theme's gap apart."""

    SLOTS = 4

    def __init__(self, *, theme: Theme, emit: Callable[[Choice], None], **kwargs: Any) -> None:
        """Build the slots (filled by :meth:`show`)."""
        gap = theme.gap
        pad = theme.px(24)
        width = min(theme.px(400), (theme.width - 2 * pad - (self.SLOTS - 1) * gap) / self.SLOTS)
        side = max(pad, (theme.width - self.SLOTS * width - (self.SLOTS - 1) * gap) / 2)
        super().__init__(NAV_BG, orientation="horizontal", size_hint_y=None, height=theme.nav_height,
                         padding=(side, (theme.nav_height - theme.button_height) / 2), spacing=gap, **kwargs)
        self.emit = emit
        self.font = min(theme.button_font, int(width * 0.92 / 4))  # 返回首页 on one line
        self.slots = [BigButton("", role="nav", font_size=self.font, size_hint_x=None, width=width,
                                on_tap=partial(self._tap, i)) for i in range(self.SLOTS)]
        self.choices: list[Choice | None] = [None] * self.SLOTS
        for slot in self.slots:
            self.add_widget(slot)

    def show(self, bar: Bar) -> None:
        """Fill the slots from ``bar``; hidden slots keep their place."""
        by_id = {c.id: c for c in bar.choices}
        tool = bar.tool
        left = by_id.get("nav.home") or bar.left
        for index, choice in enumerate((left, tool, by_id.get("nav.mic"), by_id.get("nav.repeat"))):
            self.choices[index] = choice
            button = self.slots[index]
            set_shown(button, choice is not None)
            if choice is None:
                continue
            off = choice.text == VOICE_OFF
            button.text = choice.text  # too long for one line: broken between phrases (购物车 / （2 样）)
            button.kiosk_id = "nav.settings" if choice.id == "settings.open" else choice.widget_id
            listening = choice.id == "nav.mic" and bar.listening
            button.set_style("off" if off else ("emergency" if listening else choice.style))

    def _tap(self, index: int) -> None:
        choice = self.choices[index]
        if choice is not None:
            self.emit(choice)
