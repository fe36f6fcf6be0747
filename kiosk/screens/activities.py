"""活动报名 screens: the activity cards, one activity with 报名 / 取消报名, and 我的活动."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk import theme as th
from kiosk.screens.base import KioskScreen
from kiosk.screens.common import PagedScreen, Toolbar, card_markup, slot_row, title_label
from kiosk.state.activities import card_lines, card_speech, signup_card_lines
from kiosk.state.when import when_and_place
from kiosk.widgets import BigButton, Panel, TextLabel, set_shown

OFFLINE_NOTE = "网络中断，显示的是上次的信息。"


class _CardList(PagedScreen):
    """Title, two (portrait: three) large cards, toolbar."""

    per_page_landscape = 2
    per_page_portrait = 3

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.px(24), spacing=t.px(24))
        self.title_label = title_label(t, f"{name}.title")
        self.note = TextLabel("", font_size=t.body_font, auto_height=True, kiosk_id=f"{name}.note")
        row = slot_row(t, portrait=self.portrait)
        self.cards = []
        for i in range(self.per_page):
            card = BigButton("", style="primary", font_size=t.button_font, kiosk_id=f"{name}.card.{i}",
                             on_tap=lambda i=i: self.choose(i))
            card.markup = True
            row.add_widget(card)
            self.cards.append(card)
        self.toolbar = Toolbar(theme=t, portrait=self.portrait, slots=4 if self.portrait else 3)
        self.add_paging(self.toolbar)
        for widget in (self.title_label, self.note, row, self.toolbar):
            box.add_widget(widget)
        self.add_widget(box)

    def show_cards(self, lines: Sequence[tuple[str, str, str]]) -> None:
        """Fill the card slots of this page."""
        for card, text in zip(self.cards, [*lines, *[None] * self.per_page], strict=False):
            set_shown(card, text is not None)
            if text is not None:
                card.text = card_markup(text)

    def choose(self, slot: int) -> None:
        """A card was tapped: open that activity."""
        if slot < len(self.page.items):
            self.actions.activities.open_detail(self.activity_id(self.page.items[slot]))

    def activity_id(self, item: Any) -> int:
        """The activity behind a card."""
        return int(item.id)


class ActivitiesScreen(_CardList):
    """Upcoming activities as cards: 社区义诊 / 本周六上午九点，社区服务中心 / 还有 18 个名额."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the list and 我的活动."""
        super().__init__("activities", **kwargs)
        self.toolbar.button("我的活动", "activities.mine", self.actions.activities.open_mine, style="confirm")

    def refresh(self) -> None:
        """Show a page of activities."""
        desk = self.actions.activities
        now = self.actions.now_local()
        page = self.paginate(desk.upcoming())
        self.title_label.text = "活动报名：点一个活动看详细"
        notes = [OFFLINE_NOTE if desk.reachable is False else "", "" if desk.upcoming() else "最近没有活动。"]
        self.note.text = "".join(notes)
        self.show_cards([card_lines(a, desk.my_signup(a.id), now) for a in page.items])

    def speech_text(self) -> str:
        """Every card on the page."""
        desk = self.actions.activities
        now = self.actions.now_local()
        cards = "".join(card_speech(a, desk.my_signup(a.id), now) for a in self.page.items)
        return f"活动报名。{self.note.text}{cards}点一个活动可以报名。{self.page_speech()}"


class MyActivitiesScreen(_CardList):
    """我的活动: the identified person's sign-ups (confirmed or on the waitlist)."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the list and 报名新活动."""
        super().__init__("my_activities", **kwargs)
        self.toolbar.button("报名新活动", "my_activities.all", self.actions.activities.open)

    def refresh(self) -> None:
        """Show a page of sign-ups."""
        desk = self.actions.activities
        visitor = self.actions.visitors.visitor
        now = self.actions.now_local()
        signups = desk.my_signups()
        page = self.paginate(signups)
        self.title_label.text = f"{visitor.polite_name}的活动" if visitor else "我的活动"
        self.note.text = (OFFLINE_NOTE if desk.reachable is False else "") + ("" if signups else "现在没有报名的活动。")
        self.show_cards([signup_card_lines(s, now) for s in page.items])

    def activity_id(self, item: Any) -> int:
        """The activity of a sign-up."""
        return int(item.activity_id)

    def speech_text(self) -> str:
        """Every sign-up on the page."""
        now = self.actions.now_local()
        cards = "".join("，".join(signup_card_lines(s, now)) + "。" for s in self.page.items)
        return f"{self.title_label.text}。{self.note.text}{cards}{self.page_speech()}"


class ActivityDetailScreen(KioskScreen):
    """One activity: when and where in words, what it is, places left; 报名 / 候补报名 / 取消报名."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the texts and the two answers."""
        super().__init__(name="activity_detail", **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.px(24), spacing=t.px(24))
        self.title_label = title_label(t, "activity_detail.title")
        self.when = TextLabel("", font_size=t.title_font, auto_height=True, kiosk_id="activity_detail.when")
        self.description = TextLabel("", font_size=t.body_font, kiosk_id="activity_detail.description")
        self.state_panel = Panel(th.PANEL_INFO, border_px=t.px(3), orientation="vertical", size_hint_y=None,
                                 padding=(t.px(24), t.px(8)))
        self.state_panel.border_rgba = list(th.TEXT)
        self.state_panel.bind(minimum_height=self.state_panel.setter("height"))
        self.state_label = TextLabel("", font_size=t.body_font, bold=True, auto_height=True,
                                     kiosk_id="activity_detail.state")
        self.state_panel.add_widget(self.state_label)
        answers = BoxLayout(spacing=t.gap * 3, size_hint_y=None, height=t.button_height)
        self.back_button = BigButton("看其他活动", style="neutral", font_size=t.button_font,
                                     kiosk_id="activity_detail.back", on_tap=self.actions.activities.open)
        self.action_button = BigButton("", style="confirm", font_size=t.button_font,
                                       kiosk_id="activity_detail.action", on_tap=self._act)
        answers.add_widget(self.back_button)
        answers.add_widget(self.action_button)
        for widget in (self.title_label, self.when, self.description, self.state_panel, answers):
            box.add_widget(widget)
        self.add_widget(box)
        self._shown = ""

    def refresh(self) -> None:
        """Show the selected activity and the person's state."""
        self.refresh_changed()

    def refresh_changed(self) -> bool:
        """Refresh; True when the state line changed (a sign-up answer arrived)."""
        desk = self.actions.activities
        activity = desk.activity(desk.selected) if desk.selected is not None else None
        if activity is None:
            self.title_label.text, self.when.text, self.description.text = "活动已结束或已取消", "", ""
            self.state_label.text = ""
            set_shown(self.action_button, False)
            return False
        mine = desk.my_signup(activity.id)
        result = desk.result_text(activity.id)
        self.title_label.text = activity.title
        self.when.text = when_and_place(activity.starts_at, activity.place, self.actions.now_local())
        self.description.text = activity.description
        state = card_lines(activity, mine, self.actions.now_local())[2]
        self.state_label.text = f"{result}\n{state}" if result and result not in state else (result or state)
        set_shown(self.action_button, True)
        if mine is not None:
            self.action_button.text = "取消报名"
            self.action_button.set_style("neutral")
        else:
            self.action_button.text = "报名" if activity.spots_left > 0 else "候补报名"
            self.action_button.set_style("confirm")
        changed, self._shown = self.state_label.text != self._shown, self.state_label.text
        return changed

    def _act(self) -> None:
        desk = self.actions.activities
        if desk.selected is None:
            return
        if desk.my_signup(desk.selected) is not None:
            desk.ask_cancel(desk.selected)
        else:
            desk.ask_sign_up(desk.selected)

    def speech_text(self) -> str:
        """Title, when and where, description, state and the choices."""
        action = self.action_button.text if self.action_button.opacity else ""
        choice = f"要{action}请按右边的“{action}”。" if action else ""
        return (f"{self.title_label.text}。{self.when.text}。{self.description.text}"
                f"{self.state_label.text.replace(chr(10), '。')}。{choice}")
