"""The weekly on-call roster as a centre writes it: reading, writing back, who is on call, leave, gaps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from caregiver_portal.roster.rules import (
    ALWAYS,
    Leave,
    RosterError,
    Shift,
    format_roster,
    gaps,
    leave_days,
    on_call,
    parse_leave,
    parse_roster,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = 60


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """2026-12-07 is a Monday: ``day`` 0 = that Monday."""
    return datetime(2026, 12, 7 + day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("text", "shifts"), [
    pytest.param("每天 全天", ALWAYS, id="every-day"),
    pytest.param("每天", ALWAYS, id="days-without-hours-mean-all-day"),
    pytest.param("周一至周五 08:00-18:00", tuple(Shift(d, 8 * H, 18 * H) for d in range(5)), id="weekday-range"),
    pytest.param("工作日 8点-18点半", tuple(Shift(d, 8 * H, 18 * H + 30) for d in range(5)), id="dian-and-ban"),
    pytest.param("周末 9：00～12：00", (Shift(5, 9 * H, 12 * H), Shift(6, 9 * H, 12 * H)), id="weekend-fullwidth"),
    pytest.param("周一、周三 08:00-12:00；星期日 全天",
                 (Shift(0, 8 * H, 12 * H), Shift(2, 8 * H, 12 * H), Shift(6, 0, 24 * H)), id="list-and-xingqi"),
    pytest.param("周五 20:00-08:00", (Shift(4, 20 * H, 24 * H), Shift(5, 0, 8 * H)), id="overnight"),
    pytest.param("周日 22:00-06:00", (Shift(0, 0, 6 * H), Shift(6, 22 * H, 24 * H)), id="overnight-into-monday"),
    pytest.param("周一 08:00-12:00，周一 11:00-14:00", (Shift(0, 8 * H, 14 * H),), id="overlaps-merge"),
    pytest.param("不值班", (), id="none"),
    pytest.param("", (), id="blank"),
])
def test_parse_roster_reads_what_centres_write(text: str, shifts: tuple[Shift, ...]) -> None:
    assert parse_roster(text) == shifts


@pytest.mark.parametrize(("text", "reason"), [
    pytest.param("周八 全天", "哪几天", id="no-such-day"),
    pytest.param("每天 早上", "08:00-18:00", id="words-for-hours"),
    pytest.param("周五至周一", "从前往后", id="backwards-range"),
    pytest.param("周一 25:00-26:00", "没有这个时间", id="hour-25"),
    pytest.param("周一 08:00-08:00", "不能相同", id="empty-window"),
    pytest.param("周一 08:75-09:00", "没有这个时间", id="minute-75"),
])
def test_parse_roster_says_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(RosterError, match=reason):
        parse_roster(text)


@pytest.mark.parametrize("text", ["每天 全天", "周一至周五 08:00-18:00；周六、周日 09:00-12:00", "周二 07:30-09:00",
                                  "周一、周三、周五 全天；周二 08:00-12:00", "不值班"])
def test_format_roster_reads_back_to_the_same_shifts(text: str) -> None:
    shifts = parse_roster(text)
    assert parse_roster(format_roster(shifts)) == shifts


def test_format_roster_groups_days_with_the_same_hours() -> None:
    assert format_roster(parse_roster("周一至周五 08:00-18:00；周六 全天")) == "周一至周五 08:00-18:00；周六 全天"
    assert format_roster(ALWAYS) == "每天 全天"


@pytest.mark.parametrize(("moment", "expected"), [
    pytest.param(local(0, 7, 59), False, id="before-the-shift"),
    pytest.param(local(0, 8), True, id="shift-starts"),
    pytest.param(local(0, 17, 59), True, id="last-minute"),
    pytest.param(local(0, 18), False, id="shift-ended"),
    pytest.param(local(5, 10), False, id="saturday"),
    pytest.param(local(2, 10), False, id="on-leave-wednesday"),
    pytest.param(local(3, 10), True, id="back-from-leave"),
])
def test_on_call_follows_shifts_and_leave(moment: datetime, expected: bool) -> None:
    shifts = parse_roster("工作日 08:00-18:00")
    leave = leave_days(date(2026, 12, 9), date(2026, 12, 9), SHANGHAI)
    assert on_call(shifts, [leave], moment) is expected


def test_on_call_reads_the_local_wall_clock() -> None:
    shifts = parse_roster("周一 08:00-09:00")
    assert on_call(shifts, [], local(0, 8, 30).astimezone(ZoneInfo("UTC")).astimezone(SHANGHAI))


@pytest.mark.parametrize(("text", "first", "last"), [
    pytest.param("2026-12-24至2026-12-26", date(2026, 12, 24), date(2026, 12, 26), id="iso-range"),
    pytest.param("12月24日-26日", date(2026, 12, 24), date(2026, 12, 26), id="month-day-range"),
    pytest.param("12月24日", date(2026, 12, 24), date(2026, 12, 24), id="one-day"),
    pytest.param("1月3日到1月5日", date(2027, 1, 3), date(2027, 1, 5), id="next-january"),
    pytest.param("2026/12/30", date(2026, 12, 30), date(2026, 12, 30), id="slashes"),
])
def test_parse_leave(text: str, first: date, last: date) -> None:
    assert parse_leave(text, today=date(2026, 12, 6)) == (first, last)


@pytest.mark.parametrize("text", ["下周", "12月26日至12月24日", "2026-02-30", "24至26"])
def test_parse_leave_refuses_what_it_cannot_place(text: str) -> None:
    with pytest.raises(RosterError, match="请假"):
        parse_leave(text, today=date(2026, 12, 6))


def test_leave_days_cover_whole_local_days() -> None:
    leave = leave_days(date(2026, 12, 24), date(2026, 12, 25), SHANGHAI)
    assert leave == Leave(datetime(2026, 12, 24, tzinfo=SHANGHAI), datetime(2026, 12, 26, tzinfo=SHANGHAI))


def test_gaps_are_the_hours_nobody_covers() -> None:
    day_shift = parse_roster("每天 08:00-20:00")
    night_shift = parse_roster("周一至周五 20:00-08:00")
    holes = gaps([(day_shift, []), (night_shift, [])], start=local(0, 0), days=7)
    assert [(g.starts_at, g.ends_at) for g in holes] == [
        (local(0, 0), local(0, 8)),  # Sunday night's shift does not exist: Monday 00-08 is open
        (local(5, 20), local(6, 8)),  # Saturday night
        (local(6, 20), local(7, 0)),  # Sunday night until the window ends
    ]


def test_gaps_count_leave_and_a_full_roster_has_none() -> None:
    assert gaps([(ALWAYS, [])], start=local(0, 9, 30), days=7) == []
    leave = leave_days(date(2026, 12, 8), date(2026, 12, 8), SHANGHAI)
    holes = gaps([(ALWAYS, [leave])], start=local(0, 9, 30), days=7)
    assert [(g.starts_at, g.ends_at) for g in holes] == [(local(1, 0), local(2, 0))]
    assert gaps([], start=local(0, 0), days=1)[0].ends_at - local(0, 0) == timedelta(days=1)
