"""The time bank's rules as plain functions: the cap on stored hours, star levels, expiry, donations, import.

No database and no clock: callers pass balances, ledger lines and ``now``. The scheme of a site
(:class:`Scheme`) says how many points make an hour, the cap, the star thresholds and whether
points expire; the defaults follow Nanjing's elder-care time bank (1,500 h cap, five star levels
from 100 to 1,500 h, no expiry).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

NANJING_STARS = (100, 300, 600, 1000, 1500)
STAR_NAMES = ("", "一星", "二星", "三星", "四星", "五星")
# What counts as earned for the star levels: services, paper records and hours moved in from another bank;
# not donations received, not redemptions.
EARNING_SERVICES = frozenset({"help", "emergency", "delivery", "paper", "import", "suggestion", "volunteer"})


@dataclass(frozen=True)
class Scheme:
    """A site's time-bank scheme."""

    points_per_hour: int = 10
    """Points that make one hour of service (hours are what caps, levels and exports speak of)."""
    cap_hours: int | None = 1500
    """Most hours one person may hold; credits beyond it are cut (None: no cap)."""
    star_hours: tuple[int, ...] = NANJING_STARS
    """Earned hours needed for each star level, lowest first."""
    expiry_months: int | None = None
    """Unspent points expire this many months after they were earned, oldest first (None: never)."""

    @property
    def cap_points(self) -> int | None:
        """The cap in points."""
        return None if self.cap_hours is None else self.cap_hours * self.points_per_hour


@dataclass(frozen=True)
class Credit:
    """What a credit of ``asked`` points becomes under the cap."""

    points: int
    cut: int


def credit_within_cap(*, balance: int, asked: int, cap_points: int | None) -> Credit:
    """Credit ``asked`` points to a holder with ``balance``; the part above the cap is cut, never a negative credit."""
    if asked <= 0:
        return Credit(0, 0)
    if cap_points is None:
        return Credit(asked, 0)
    room = max(cap_points - balance, 0)
    points = min(asked, room)
    return Credit(points, asked - points)


def star_level(*, earned_points: int, scheme: Scheme) -> int:
    """The star level (0 to the number of thresholds) that ``earned_points`` reach."""
    hours = earned_points / scheme.points_per_hour
    return sum(1 for threshold in scheme.star_hours if hours >= threshold)


def star_badge(level: int) -> str:
    """The badge text of a level ("★★★ 三星"), empty below the first star."""
    if level <= 0:
        return ""
    return f"{'★' * level} {STAR_NAMES[min(level, len(STAR_NAMES) - 1)]}"


def hours_of(points: int, scheme: Scheme) -> float:
    """Points as hours (one decimal is enough for pages and exports)."""
    return round(points / scheme.points_per_hour, 2)


@dataclass(frozen=True)
class Line:
    """A ledger line as the expiry rule sees it."""

    at: datetime
    points: int


def months_before(now: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months before ``now`` (the last day when that month is shorter)."""
    month_index = now.year * 12 + now.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    days = (31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30,
            31, 30, 31)[month - 1]
    return now.replace(year=year, month=month, day=min(now.day, days))


def points_to_expire(lines: Iterable[Line], *, cutoff: datetime) -> int:
    """Points of credits earned before ``cutoff`` that are still unspent, spending oldest first.

    Every debit (redemption, donation given, earlier expiry) uses up the oldest credits first, so writing
    the answer as an expiry line makes the next call answer 0: the rule is safe to run again.
    """
    credits: list[list[int]] = []  # [points left, earned before cutoff]
    debt = 0
    for line in sorted(lines, key=lambda line: line.at):
        if line.points > 0:
            credits.append([line.points, int(line.at < cutoff)])
        else:
            debt += -line.points
    for credit in credits:
        used = min(credit[0], debt)
        credit[0] -= used
        debt -= used
    return sum(left for left, old in credits if old)


def donation_problem(*, points: int, balance: int, same_holder: bool) -> str | None:
    """Why a donation cannot be made (Chinese, for the page), or None."""
    if same_holder:
        return "不能捐给自己"
    if points <= 0:
        return "请填写要捐出的积分"
    if points > balance:
        return f"积分不足：要捐 {points} 分，现有 {balance} 分"
    return None


@dataclass(frozen=True)
class ImportPlan:
    """Which rows of an import file to store and which to refuse, with the reason."""

    accepted: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def plan_import(uids: Sequence[str], *, stored: set[str], holders_found: Sequence[bool]) -> ImportPlan:
    """Rows (by index) to import: a uid already stored, or twice in the file, or without a known holder is refused."""
    plan = ImportPlan()
    seen: set[str] = set()
    for index, (uid, found) in enumerate(zip(uids, holders_found, strict=True)):
        if uid in stored:
            plan.refused.append((index, "已导入过（记录编号重复）"))
        elif uid in seen:
            plan.refused.append((index, "文件里重复"))
        elif not found:
            plan.refused.append((index, "本站点找不到这个人"))
        else:
            plan.accepted.append(index)
            seen.add(uid)
    return plan
