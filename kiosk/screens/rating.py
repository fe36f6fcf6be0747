"""Rating: five very large stars, an optional spoken comment, 提交评价."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen
from kiosk.screens.common import title_label
from kiosk.tiles import StarButton
from kiosk.widgets import BigButton, TextLabel, set_shown


class RatingScreen(KioskScreen):
    """请给这次代购打分: tap a star (1–5), optionally say a sentence, then 提交评价."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the stars, the texts and the two answers."""
        super().__init__(name="rating", **kwargs)
        t = self.theme
        portrait = self.actions.config.orientation == "portrait"
        self.label = "这次服务"
        self.stars = 0
        self.comment = ""
        box = BoxLayout(orientation="vertical", padding=t.px(24), spacing=t.px(24))
        self.title_label = title_label(t, "rating.title")
        row = BoxLayout(spacing=t.gap, size_hint_y=None, height=t.px(300 if portrait else 250))
        self.star_buttons = [StarButton(f"{n} 星", font_size=t.button_font, kiosk_id=f"rating.star.{n}",
                                        on_tap=lambda n=n: self.choose(n)) for n in range(1, 6)]
        for star in self.star_buttons:
            row.add_widget(star)
        self.chosen = TextLabel("", font_size=t.title_font, auto_height=True, kiosk_id="rating.chosen")
        self.comment_label = TextLabel("", font_size=t.body_font, kiosk_id="rating.comment")
        answers = BoxLayout(spacing=t.gap * 3, size_hint_y=None, height=t.button_height)
        self.say_button = BigButton("说一句评价", style="primary", font_size=t.button_font, kiosk_id="rating.say",
                                    on_tap=self.actions.dictate_comment)
        self.submit_button = BigButton("提交评价", style="confirm", font_size=t.button_font,
                                       kiosk_id="rating.submit", on_tap=self.submit)
        answers.add_widget(self.say_button)
        answers.add_widget(self.submit_button)
        for widget in (self.title_label, row, self.chosen, self.comment_label, answers):
            box.add_widget(widget)
        self.add_widget(box)

    def start(self, label: str) -> None:
        """A fresh rating of ``label`` (这次代购, 这次帮忙)."""
        self.label, self.stars, self.comment = label, 0, ""

    def reset(self) -> None:
        """A new visit rates from scratch."""
        self.start("这次服务")

    def refresh(self) -> None:
        """Show the chosen stars, the comment and what can be done."""
        self.title_label.text = f"请给{self.label}打分"
        for n, star in enumerate(self.star_buttons, start=1):
            star.set_filled(n <= self.stars)
        self.chosen.text = f"您打了 {self.stars} 颗星" if self.stars else "点一颗星：1 星最差，5 星最好"
        self.comment_label.text = f"您说：{self.comment}" if self.comment else ""
        set_shown(self.submit_button, self.stars > 0)
        set_shown(self.say_button, self.stars > 0 and self.actions.voice_ready())

    def choose(self, stars: int) -> None:
        """A star was tapped."""
        self.stars = stars
        self.refresh()
        hint = "可以说一句评价，也可以直接按“提交评价”。" if self.actions.voice_ready() else "请按“提交评价”。"
        self.actions.speak(f"{stars} 颗星。{hint}")

    def set_comment(self, text: str) -> None:
        """The recognised comment (empty: nothing was heard)."""
        if text:
            self.comment = text[:200]
        self.refresh()
        heard = f"您说的是：{text}。请按“提交评价”。" if text else "没有听清楚。可以再说一次，或者直接提交。"
        self.actions.speak(heard)

    def submit(self) -> None:
        """Send the rating."""
        self.actions.my_requests.submit_rating(self.stars, self.comment)

    def speech_text(self) -> str:
        """What to do on this screen."""
        if not self.stars:
            return f"请给{self.label}打分。点一颗星，1 星最差，5 星最好。"
        return f"您打了 {self.stars} 颗星。{self.comment_label.text}请按“提交评价”。"
