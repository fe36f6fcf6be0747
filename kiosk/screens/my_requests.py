"""我的请求: the identified person's help calls, orders and sign-ups, with their state."""

from __future__ import annotations

from typing import Any

from kiosk.screens.activities import OFFLINE_NOTE, _CardList
from kiosk.state.requests import row_lines, row_speech


class MyRequestsScreen(_CardList):
    """Cards such as 买菜代购 · 今天上午九点 / 两斤西红柿 / 已买好，配送中; a tap opens the request."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the list (paging only in the toolbar)."""
        super().__init__("my_requests", **kwargs)
        self.toolbar.button("我的活动", "my_requests.activities", self.actions.activities.open_mine)

    def refresh(self) -> None:
        """Show a page of requests, newest first."""
        desk = self.actions.my_requests
        visitor = self.actions.visitors.visitor
        records = desk.mine()
        page = self.paginate(records)
        now = self.actions.now_local()
        self.title_label.text = f"{visitor.polite_name}的请求" if visitor else "我的请求"
        empty = "" if records else "您还没有在这台自助机上提过请求。"
        self.note.text = (OFFLINE_NOTE if desk.reachable is False else "") + empty
        self.show_cards([row_lines(r, now) for r in page.items])

    def choose(self, slot: int) -> None:
        """Open the tapped request."""
        if slot < len(self.page.items):
            self.actions.my_requests.select(self.page.items[slot].event_id)

    def speech_text(self) -> str:
        """Every request on the page."""
        now = self.actions.now_local()
        rows = "".join(row_speech(r, now) for r in self.page.items)
        hint = "点一条可以看详细，或者评价。" if self.page.items else ""
        return f"{self.title_label.text}。{self.note.text}{rows}{hint}{self.page_speech()}"
