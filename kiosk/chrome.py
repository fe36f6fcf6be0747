"""The parts around every screen: the header and the bottom bar.

The bottom bar lives outside the screen manager, so 返回首页 (bottom left) and 再听一遍
(bottom right) are in exactly the same place on every screen, by construction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kiosk import theme as th
from kiosk.theme import Theme
from kiosk.widgets import BigButton, Panel, TextLabel, set_shown, spacer

NAV_BG = th.hex_rgba("#E6E6DF")


class Header(Panel):
    """Dark top bar: service, site and place on the left, the time on the right."""

    def __init__(self, *, theme: Theme, site_name: str, place: str, **kwargs: Any) -> None:
        """Build the two labels."""
        super().__init__(th.HEADER_BG, orientation="horizontal", size_hint_y=None,
                         height=theme.header_height, padding=(theme.padding, 0), **kwargs)
        self.add_widget(TextLabel(f"安心服务 · {site_name} · {place}", font_size=theme.body_font,
                                  color=th.TEXT_ON_DARK, halign="left", kiosk_id="header.site"))
        self.clock_label = TextLabel("", font_size=theme.body_font, color=th.TEXT_ON_DARK, halign="right",
                                     size_hint_x=0.25, kiosk_id="header.clock")
        self.add_widget(self.clock_label)
        self.update_clock()

    def update_clock(self, now: time.struct_time | None = None) -> None:
        """Show the local time as HH:MM."""
        self.clock_label.text = time.strftime("%H:%M", now or time.localtime())


class NavBar(Panel):
    """返回首页 (left) · 声音设置 (middle, home only) · 再听一遍 (right)."""

    def __init__(
        self,
        *,
        theme: Theme,
        on_home: Callable[[], None],
        on_settings: Callable[[], None],
        on_repeat: Callable[[], None],
        **kwargs: Any,
    ) -> None:
        """Build the three fixed slots."""
        super().__init__(NAV_BG, orientation="horizontal", size_hint_y=None, height=theme.nav_height,
                         padding=(theme.padding, (theme.nav_height - theme.button_height) / 2),
                         spacing=theme.gap, **kwargs)
        # Three slots must fit a portrait screen too: never wider than a third of the free room.
        width = min(theme.px(400), (theme.width - 2 * theme.padding - 4 * theme.gap) / 3)
        common = {"role": "nav", "font_size": theme.button_font, "size_hint_x": None, "width": width}
        self.home_button = BigButton("返回首页", style="neutral", kiosk_id="nav.home", on_tap=on_home, **common)
        self.settings_button = BigButton("声音设置", style="neutral", kiosk_id="nav.settings",
                                         on_tap=on_settings, **common)
        self.repeat_button = BigButton("再听一遍", style="primary", kiosk_id="nav.repeat", on_tap=on_repeat,
                                       **common)
        for widget in (self.home_button, spacer(), self.settings_button, spacer(), self.repeat_button):
            self.add_widget(widget)

    def show_for(self, *, home: bool, settings: bool) -> None:
        """Show or hide the optional buttons; the slots never move."""
        set_shown(self.home_button, home)
        set_shown(self.settings_button, settings)
