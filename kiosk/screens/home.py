"""Home screen: four very large choices and the site's active alerts strip."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk import theme as th
from kiosk.screens.base import KioskScreen
from kiosk.state.site_alerts import SiteAlertsView, site_alerts_view
from kiosk.widgets import BigButton, TextLabel, fitted_panel

HOME_GREETING = "您好，这里是安心服务。请选择：呼叫帮助，买菜代购，活动报名，我的请求。"


class HomeScreen(KioskScreen):
    """呼叫帮助 / 买菜代购 / 活动报名 / 我的请求, with the site alerts strip below."""

    show_home_button = False
    show_settings_button = True

    def __init__(self, **kwargs: Any) -> None:
        """Build the four choices and the strip."""
        super().__init__(name="home", **kwargs)
        t = self.theme
        portrait = self.actions.config.orientation == "portrait"
        box = BoxLayout(orientation="vertical", padding=t.padding, spacing=t.gap)
        choices = BoxLayout(orientation="vertical" if portrait else "horizontal", spacing=t.gap)
        self.help_button = BigButton(
            "呼叫帮助", style="emergency", font_size=t.huge_font, kiosk_id="home.help",
            on_tap=self.actions.open_help,
        )
        choices.add_widget(self.help_button)
        for text, kiosk_id, action in (("买菜代购", "home.groceries", self.actions.groceries.open),
                                       ("活动报名", "home.activities", self.actions.activities.open),
                                       ("我的请求", "home.requests", self.actions.my_requests.open)):
            choices.add_widget(BigButton(text, font_size=t.huge_font, kiosk_id=kiosk_id, on_tap=action))
        box.add_widget(choices)
        # Room for the heading, the alert lines, "另外还有 n 条" and the offline note.
        self.max_lines = 4 if portrait else 2
        self.strip = fitted_panel(th.PANEL_STRIP, t.px(4), padding=(t.px(32), t.px(16)))
        self.strip_heading = TextLabel("社区动态", font_size=t.body_font, bold=True, halign="left",
                                       auto_height=True, kiosk_id="home.strip.heading")
        self.strip_lines = TextLabel("", font_size=t.body_font, halign="left", valign="top", auto_height=True,
                                     kiosk_id="home.strip.lines")
        self.strip.add_widget(self.strip_heading)
        self.strip.add_widget(self.strip_lines)
        box.add_widget(self.strip)
        self.add_widget(box)
        self.view = site_alerts_view(None, reachable=None, fetched_at=None)
        self.show_site_alerts(self.view)

    def show_site_alerts(self, view: SiteAlertsView) -> None:
        """Render the strip (called on the UI thread by the site feed)."""
        self.view = view
        self.strip_heading.text = view.heading
        self.strip_lines.text = "\n".join(view.lines + ((view.note,) if view.note else ()))

    def speech_text(self) -> str:
        """Greeting, the three choices and the strip."""
        return f"{HOME_GREETING}{self.view.speech}"
