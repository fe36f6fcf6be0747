"""The rules of live fan-out (``core.fanout``): who gets which bytes, once encoded per audience; no database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from caregiver_portal.core.fanout import (
    EVERY_SITE,
    MAILBOX_LIMIT,
    SSE_PING,
    Audiences,
    Mailbox,
    encode_for_audiences,
    replay_for,
)


@dataclass(frozen=True)
class Event:
    """A live event of ``site_id`` whose message names its id."""

    id: int
    site_id: int

    @property
    def sse(self) -> bytes:
        """A message short enough to read in a table."""
        return f"<{self.id}>".encode()


@pytest.mark.parametrize(("events", "chunks"), [
    pytest.param([], {}, id="nothing-new"),
    pytest.param([Event(1, 7)], {7: b"<1>", EVERY_SITE: b"<1>"}, id="one-site"),
    pytest.param([Event(1, 7), Event(2, 8), Event(3, 7)], {7: b"<1><3>", 8: b"<2>", EVERY_SITE: b"<1><2><3>"},
                 id="two-sites-keep-their-order"),
])
def test_a_poll_is_encoded_once_per_audience(events: list[Event], chunks: dict[int | None, bytes]) -> None:
    assert encode_for_audiences(events) == chunks


@pytest.mark.parametrize(("site_id", "replayed"), [
    pytest.param(7, b"<1><3>", id="own-site-only"),
    pytest.param(9, b"", id="nothing-of-a-quiet-site"),
    pytest.param(EVERY_SITE, b"<1><2><3>", id="admin-sees-every-site"),
])
def test_a_reconnecting_board_replays_only_what_its_audience_may_see(site_id: int | None, replayed: bytes) -> None:
    assert replay_for(site_id, [Event(1, 7), Event(2, 8), Event(3, 7)]) == replayed


def boards_of(*site_ids: int | None) -> tuple[Audiences, list[Mailbox]]:
    """Audiences holding one board per site id given."""
    audiences, mailboxes = Audiences(), [Mailbox(site_id) for site_id in site_ids]
    for mailbox in mailboxes:
        audiences.add(mailbox)
    return audiences, mailboxes


async def drained(mailbox: Mailbox) -> bytes:
    """What ``mailbox`` holds now (closing it, so that an empty one answers b"" instead of waiting)."""
    mailbox.close()
    return await mailbox.take()


@pytest.mark.parametrize(("events", "seen"), [
    pytest.param([Event(1, 7)], [b"<1>", b"<1>", b"", b"<1>"], id="site-7-alert"),
    pytest.param([Event(1, 8), Event(2, 7)], [b"<2>", b"<2>", b"<1>", b"<1><2>"], id="two-sites-one-poll"),
])
async def test_each_board_gets_its_audience_chunk(events: list[Event], seen: list[bytes]) -> None:
    audiences, mailboxes = boards_of(7, 7, 8, EVERY_SITE)
    audiences.deliver(encode_for_audiences(events))
    assert [await drained(mailbox) for mailbox in mailboxes] == seen


async def test_a_board_takes_everything_that_piled_up_in_one_chunk_then_waits() -> None:
    audiences, (board,) = boards_of(7)
    audiences.deliver({7: b"<1>"})
    audiences.ping()
    audiences.deliver({7: b"<2>"})
    assert await board.take() == b"<1>" + SSE_PING + b"<2>"
    waiting = asyncio.create_task(board.take())
    await asyncio.sleep(0)
    assert not waiting.done()
    audiences.deliver({7: b"<3>"})
    assert await asyncio.wait_for(waiting, timeout=30) == b"<3>"


async def test_a_closed_board_hands_over_what_is_left_then_ends() -> None:
    audiences, (board,) = boards_of(7)
    audiences.deliver({7: b"<1>"})
    board.close()
    audiences.deliver({7: b"<2>"})
    assert (await board.take(), await board.take()) == (b"<1>", b"")


async def test_a_board_that_stops_reading_is_closed_and_dropped_while_others_go_on() -> None:
    audiences, (stuck, reading) = boards_of(7, 7)
    for _ in range(MAILBOX_LIMIT):
        audiences.deliver({7: b"."})
        assert await reading.take() == b"."
    audiences.deliver({7: b"<late>"})
    assert (stuck.closed, len(audiences), await reading.take()) == (True, 1, b"<late>")
