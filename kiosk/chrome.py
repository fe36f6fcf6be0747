"""The parts around every screen: the header and the bottom bar.

The bottom bar lives outside the screen manager, so 返回首页 (bottom left), the microphone
(说话) and 再听一遍 (bottom right) are in exactly the same place on every screen, by
construction. While the kiosk listens, the header shows what it hears (我听到：…).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kiosk import theme as th
from kiosk.theme import Theme
from kiosk.widgets import BigButton, Panel, TextLabel, set_shown, spacer

NAV_BG = th.hex_rgba("#E6E6DF")
VOICE_OFF = "语音未安装"
"""The greyed microphone when no speech model is installed (shown and spoken)."""


class Header(Panel):
    """Dark top bar: service, site and place on the left, the time on the right."""

    def __init__(self, *, theme: Theme, site_name: str, place: str, **kwargs: Any) -> None:
        """Build the two labels."""
        super().__init__(th.HEADER_BG, orientation="horizontal", size_hint_y=None,
                         height=theme.header_height, padding=(theme.padding, 0), **kwargs)
        self.site_text = f"安心服务 · {site_name} · {place}"
        self.site_label = TextLabel(self.site_text, font_size=theme.body_font, color=th.TEXT_ON_DARK,
                                    halign="left", shorten=True, shorten_from="left", kiosk_id="header.site")
        self.add_widget(self.site_label)
        self.clock_label = TextLabel("", font_size=theme.body_font, color=th.TEXT_ON_DARK, halign="right",
                                     size_hint_x=0.25, kiosk_id="header.clock")
        self.add_widget(self.clock_label)
        self.update_clock()

    def show_caption(self, text: str | None) -> None:
        """Show what the microphone hears (dark text on light yellow), or the site again (None)."""
        captioning = text is not None
        self.bg_rgba = list(th.PANEL_WARNING if captioning else th.HEADER_BG)
        colour = th.TEXT if captioning else th.TEXT_ON_DARK
        self.site_label.color = self.clock_label.color = colour
        self.site_label.text = text if captioning else self.site_text

    def update_clock(self, now: time.struct_time | None = None) -> None:
        """Show the local time as HH:MM."""
        self.clock_label.text = time.strftime("%H:%M", now or time.localtime())


def caption_text(heard: str, *, listening: bool, max_chars: int = 24) -> str:
    """``我听到：买两斤鸡蛋`` (the latest words if long); ``请说话…`` before anything is heard."""
    if not heard:
        return "请说话，我在听……" if listening else "没有听清楚"
    tail = heard if len(heard) <= max_chars else "…" + heard[-max_chars:]
    return f"我听到：{tail}"


class NavBar(Panel):
    """返回首页 (left) · 声音设置 (home only) · 说话 (microphone) · 再听一遍 (right)."""

    def __init__(
        self,
        *,
        theme: Theme,
        on_home: Callable[[], None],
        on_settings: Callable[[], None],
        on_repeat: Callable[[], None],
        on_mic: Callable[[], None],
        **kwargs: Any,
    ) -> None:
        """Build the four fixed slots."""
        gap = theme.px(24)  # the least room between targets, so four slots fit a portrait screen
        super().__init__(NAV_BG, orientation="horizontal", size_hint_y=None, height=theme.nav_height,
                         padding=(theme.padding, (theme.nav_height - theme.button_height) / 2),
                         spacing=gap, **kwargs)
        width = min(theme.px(400), (theme.width - 2 * theme.padding - 5 * gap) / 4)
        font = min(theme.button_font, int(width * 0.92 / 4))  # 返回首页 on one line
        common = {"role": "nav", "font_size": font, "size_hint_x": None, "width": width}
        self.home_button = BigButton("返回首页", style="neutral", kiosk_id="nav.home", on_tap=on_home, **common)
        self.settings_button = BigButton("声音设置", style="neutral", kiosk_id="nav.settings",
                                         on_tap=on_settings, **common)
        self.repeat_button = BigButton("再听一遍", style="primary", kiosk_id="nav.repeat", on_tap=on_repeat,
                                       **common)
        self.mic_button = BigButton("说话", style="confirm", kiosk_id="nav.mic", on_tap=on_mic, **common)
        for widget in (self.home_button, spacer(), self.settings_button, self.mic_button, spacer(),
                       self.repeat_button):
            self.add_widget(widget)

    def show_for(self, *, home: bool, settings: bool, mic: bool = True) -> None:
        """Show or hide the optional buttons; the slots never move."""
        set_shown(self.home_button, home)
        set_shown(self.settings_button, settings)
        set_shown(self.mic_button, mic)

    def show_voice(self, state: str) -> None:
        """The microphone as the voice input stands: 说话, 说完了 (listening), or greyed 语音未安装."""
        if state == "unavailable":
            one_line = len(VOICE_OFF) * self.mic_button.font_size <= self.mic_button.width * 0.92
            self.mic_button.text = VOICE_OFF if one_line else "语音\n未安装"
            self.mic_button.set_style("off")
            return
        listening = state == "listening"
        self.mic_button.text = "说完了" if listening else "说话"
        self.mic_button.set_style("emergency" if listening else "confirm")

    def speech_text(self) -> str:
        """The bottom bar named aloud (再听一遍 reads it after the screen)."""
        names = [f"“{b.text.replace(chr(10), '')}”" for b in (self.home_button, self.settings_button)
                 if b.opacity]
        mic = self.mic_button
        if mic.opacity and mic.text.replace("\n", "") == VOICE_OFF:
            names.append("灰色的“语音未安装”：语音还没有装好，请用手点按钮")
        elif mic.opacity:
            names.append(f"“{mic.text}”：按一下，对我说您要做什么")
        names.append("“再听一遍”")
        return f"屏幕最下面有：{'，'.join(names)}。"
