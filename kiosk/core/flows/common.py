"""Pieces every flow uses: the result type, paging, the bottom bar, the caption."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from kiosk.core.effects import Step
from kiosk.core.events import Tapped
from kiosk.core.state import KioskState, with_visit
from kiosk.core.view import Bar, Choice, Piece, spoken_form
from kiosk.state.paging import Page, page_of
from kiosk.state.text import spoken_phone

T = TypeVar("T")

Outcome = tuple[KioskState, tuple[Step, ...]]
TapStep = Callable[[KioskState, Tapped], Outcome]
ViewFn = Callable[[KioskState], "object"]


def done(state: KioskState, *steps: Step) -> Outcome:
    """``state`` with ``steps`` (for one-line returns)."""
    return state, steps


def page(state: KioskState, items: Sequence[T], per_page: int) -> Page[T]:
    """The visit's current page of ``items``."""
    return page_of(items, state.visit.page, per_page)


def paging_choice(screen: str, shown: Page[Any]) -> tuple[Choice, ...]:
    """One slot for paging: 下一页, or on the last page 回第一页 (nothing for one page)."""
    if shown.count <= 1:
        return ()
    if shown.has_next:
        return (Choice(f"{screen}.page", "下一页", style="neutral", arg=str(shown.index + 1),
                       said=f"“下一页”（现在是{spoken_form(shown.label)}）"),)
    return (Choice(f"{screen}.page", "回第一页", style="neutral", arg="0",
                   said=f"“回第一页”（现在是{spoken_form(shown.label)}）"),)


def turn_page(state: KioskState, tap: Tapped) -> Outcome:
    """下一页 / 回第一页."""
    return with_visit(state, page=int(tap.arg or 0)), ()


def bar(state: KioskState, *, home: bool = True, tool: Choice | None = None) -> Bar:
    """The bottom bar for this state."""
    site = state.site
    clock = state.now.astimezone(ZoneInfo(site.timezone)).strftime("%H:%M")
    return Bar(home=home, tool=tool, mic_ready=site.voice and state.data.voice_ready, listening=state.data.listening,
               site=f"安心服务 · {site.site_name} · {site.place}", clock=clock, heard=state.data.heard)


def caption(state: KioskState) -> tuple[Piece, ...]:
    """What the kiosk just said in conversation (shown, so it is said with the screen)."""
    visit = state.visit  # a new id each time, so the same words said again are said again
    return (Piece(f"said.{visit.said_serial}", visit.said, style="caption"),) if visit.said else ()


def cart_tool(state: KioskState) -> Choice:
    """购物车（n 样） in the bottom bar while shopping."""
    n = len(state.visit.cart.lines)
    return Choice("groceries.cart", f"购物车（{n} 样）", style="neutral")


def duty_phone(state: KioskState, screen: str) -> tuple[Piece, ...]:
    """值班电话 and the number in large digits, read digit by digit."""
    phone = state.site.duty_phone
    return (Piece(f"{screen}.phone_label", "值班电话", style="title"),
            Piece(f"{screen}.phone", phone, style="phone", said=spoken_phone(phone)))


def set_page(state: KioskState, index: int) -> KioskState:
    """Show page ``index`` of the current list."""
    return replace(state, visit=replace(state.visit, page=index))
