"""Monthly reports per site: response to emergencies (TEC anchors: 60 s and 180 s), grocery orders,
activity sign-ups and attendance, residents' ratings and the lowest-rated services."""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, SQLColumnExpression, func, select
from sqlalchemy.orm import Session

from caregiver_portal.activities.models import Activity, ActivitySignup
from caregiver_portal.alerts.models import KIND_LABELS, Alert, AlertEvent
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.orders.models import GroceryOrder
from caregiver_portal.ratings.models import Rating
from caregiver_portal.ratings.service import TARGET_LABELS
from caregiver_portal.reports.stages import Stage, emergency_stages, stage_rows
from caregiver_portal.reviews.rules import AlertTimes, accidental
from caregiver_portal.reviews.service import review_items, times_of

TARGETS_S = (60, 180)
_Row = TypeVar("_Row", bound=tuple[Any, ...])
TARGET_SHARES = {60: 0.985, 180: 0.99}
"""The British/European standard's 98.5% within 60 s, and the TEC code's 99% within 180 s."""
ALARM_KINDS = ("sos", "fall")


@dataclass(frozen=True)
class AlarmQuality:
    """Accidental alarms among the month's alarms (SOS, falls and every other emergency)."""

    alarms: int
    accidental: int

    @property
    def share(self) -> float | None:
        """Accidental alarms as a share of all alarms; None without alarms."""
        return self.accidental / self.alarms if self.alarms else None


@dataclass(frozen=True)
class ReviewLine:
    """One review item in the report."""

    started: datetime
    what: str
    waited_s: int | None
    reason: str
    """The admin's reason, or "" while the item is open."""


@dataclass(frozen=True)
class ResponseStats:
    """How fast alerts were accepted and resolved."""

    count: int
    cancelled: int
    within: dict[int, float | None]
    """Share (0–1) of alerts accepted within each target in seconds; None when there were none."""
    median_accept_s: float | None
    median_resolve_s: float | None
    never_accepted: int


@dataclass(frozen=True)
class LowRated:
    """A service residents rated poorly, for the improvement list."""

    label: str
    average: float
    count: int
    comments: tuple[str, ...]


@dataclass(frozen=True)
class MonthReport:
    """Everything shown on the monthly report page and in its CSV."""

    site_id: int | None
    year: int
    month: int
    emergencies: ResponseStats
    help_requests: ResponseStats
    orders_placed: int
    orders_delivered: int
    orders_confirmed: int
    median_delivery_s: float | None
    activities_held: int
    signups: int
    confirmed_places: int
    attended: int
    ratings: int
    average_stars: float | None
    satisfied_share: float | None
    stars_by_kind: dict[str, float] = field(default_factory=dict)
    low_rated: tuple[LowRated, ...] = ()
    alarm_quality: AlarmQuality = AlarmQuality(0, 0)
    reviews: tuple[ReviewLine, ...] = ()
    stages: tuple[Stage, ...] = ()
    """Emergencies: time to accept, to arrive (已到达) and to resolve against their targets."""


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """First moment of the month and of the next one, China time."""
    start = datetime(year, month, 1, tzinfo=CHINA_TIME)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=CHINA_TIME)
    return start, end


def response_stats(rows: Sequence[tuple[datetime, datetime | None, datetime | None, str]]) -> ResponseStats:
    """Stats over (occurred, accepted, resolved, state) rows; cancelled alerts (false alarms) are left out.

    Every figure counts from the press (``occurred_at``), not from when a late call reached the portal.
    """
    live = [r for r in rows if r[3] != "cancelled"]
    accept = [(a - c).total_seconds() for c, a, _r, _s in live if a is not None]
    resolve = [(r - c).total_seconds() for c, _a, r, _s in live if r is not None]
    within = {t: (sum(1 for s in accept if s <= t) / len(live) if live else None) for t in TARGETS_S}
    return ResponseStats(count=len(live), cancelled=len(rows) - len(live), within=within,
                         median_accept_s=statistics.median(accept) if accept else None,
                         median_resolve_s=statistics.median(resolve) if resolve else None,
                         never_accepted=len(live) - len(accept))


def alarm_quality(rows: Sequence[tuple[AlertTimes, bool, bool]]) -> AlarmQuality:
    """Count accidental alarms over (times, cancelled, cancelled by staff) rows of the month's alarms."""
    hits = sum(1 for times, cancelled, by_staff in rows
               if accidental(times, cancelled=cancelled, cancelled_by_staff=by_staff))
    return AlarmQuality(alarms=len(rows), accidental=hits)


def _alarm_rows(session: Session, *, site_id: int | None, start: datetime,
                end: datetime) -> list[tuple[AlertTimes, bool, bool]]:
    alarms = session.scalars(_site(select(Alert), Alert.site_id, site_id)
                             .where(Alert.occurred_at >= start, Alert.occurred_at < end)
                             .where(Alert.emergency.is_(True) | Alert.kind.in_(ALARM_KINDS))).all()
    cancelled_ids = [alert.id for alert in alarms if alert.state == "cancelled"]
    by_staff = set(session.scalars(select(AlertEvent.alert_id).where(
        AlertEvent.alert_id.in_(cancelled_ids), AlertEvent.type == "cancelled",
        AlertEvent.actor_user_id.is_not(None)))) if cancelled_ids else set()
    return [(times_of(alert), alert.state == "cancelled", alert.id in by_staff) for alert in alarms]


def _review_lines(session: Session, *, site_id: int | None, start: datetime, end: datetime) -> tuple[ReviewLine, ...]:
    items = review_items(session, site_ids=None if site_id is None else [site_id], start=start, end=end)
    return tuple(ReviewLine(started=item.started_at, what=f"{KIND_LABELS.get(item.alert.kind, item.alert.kind)} "
                                                          f"#{item.alert_id}（{item.alert.place}）",
                            waited_s=item.waited_s, reason=item.close_reason if item.closed_at else "")
                 for item in sorted(items, key=lambda i: i.started_at))


def low_rated(ratings: Sequence[tuple[str, int | None, int, str]], labels: dict[tuple[str, int | None], str], *,
              limit: int = 5, below: float = 4.0) -> tuple[LowRated, ...]:
    """The lowest-rated services (average under ``below``), worst first, from (kind, id, stars, comment) rows."""
    grouped: dict[tuple[str, int | None], list[tuple[int, str]]] = defaultdict(list)
    for kind, target_id, stars, comment in ratings:
        grouped[(kind, target_id)].append((stars, comment))
    items = []
    for key, values in grouped.items():
        average = sum(s for s, _ in values) / len(values)
        if average < below:
            items.append(LowRated(labels.get(key, TARGET_LABELS.get(key[0], key[0])), round(average, 2), len(values),
                                  tuple(c for _, c in values if c)[:3]))
    return tuple(sorted(items, key=lambda i: (i.average, -i.count))[:limit])


def _site(query: Select[_Row], column: SQLColumnExpression[int], site_id: int | None) -> Select[_Row]:
    """``query`` narrowed to one site's rows, or unchanged for all sites."""
    return query if site_id is None else query.where(column == site_id)


def _target_labels(session: Session, keys: set[tuple[str, int | None]]) -> dict[tuple[str, int | None], str]:
    labels: dict[tuple[str, int | None], str] = {}
    for kind, target_id in keys:
        if target_id is None:
            continue
        if kind == "activity" and (activity := session.get(Activity, target_id)) is not None:
            labels[(kind, target_id)] = f"活动：{activity.title}"
        elif kind == "order" and (order := session.get(GroceryOrder, target_id)) is not None:
            volunteer = order.claimed_by.display_name if order.claimed_by else "未认领"
            labels[(kind, target_id)] = f"代购 #{order.id}（{volunteer}）"
        elif kind == "alert" and (alert := session.get(Alert, target_id)) is not None:
            labels[(kind, target_id)] = f"{KIND_LABELS.get(alert.kind, alert.kind)} #{alert.id}（{alert.place}）"
    return labels


def month_report(session: Session, *, site_id: int | None, year: int, month: int) -> MonthReport:
    """Compute the report of one month (China time) for one site (None: every site)."""
    start, end = month_bounds(year, month)
    alerts = session.execute(_site(select(Alert.occurred_at, Alert.accepted_at, Alert.resolved_at, Alert.state,
                                          Alert.emergency), Alert.site_id, site_id)
                             .where(Alert.occurred_at >= start, Alert.occurred_at < end)).all()
    orders = session.execute(_site(select(GroceryOrder.created_at, GroceryOrder.delivered_at, GroceryOrder.received_at),
                                   GroceryOrder.site_id, site_id)  # three columns, not a site's orders as objects
                             .where(GroceryOrder.created_at < end)
                             .where((GroceryOrder.created_at >= start) | (GroceryOrder.delivered_at >= start))).all()
    placed = [o for o in orders if o.created_at >= start]
    delivered = [o for o in orders if o.delivered_at is not None and start <= o.delivered_at < end]
    activities = session.scalars(_site(select(Activity), Activity.site_id, site_id)
                                 .where(Activity.starts_at >= start, Activity.starts_at < end,
                                        Activity.cancelled_at.is_(None))).all()
    signups = session.scalar(_site(select(func.count(ActivitySignup.id)).join(Activity), Activity.site_id, site_id)
                             .where(ActivitySignup.created_at >= start, ActivitySignup.created_at < end)) or 0
    held_ids = {a.id for a in activities}
    places = session.scalars(select(ActivitySignup).where(ActivitySignup.activity_id.in_(held_ids),
                                                          ActivitySignup.state == "confirmed")).all()
    ratings = session.scalars(_site(select(Rating), Rating.site_id, site_id)
                              .where(Rating.created_at >= start, Rating.created_at < end)).all()
    stars = [r.stars for r in ratings]
    by_kind: dict[str, list[int]] = defaultdict(list)
    for rating in ratings:
        by_kind[rating.target_kind].append(rating.stars)
    rows = [(r.target_kind, r.target_id, r.stars, r.comment) for r in ratings]
    return MonthReport(
        site_id=site_id, year=year, month=month,
        emergencies=response_stats([(c, a, r, s) for c, a, r, s, e in alerts if e]),
        help_requests=response_stats([(c, a, r, s) for c, a, r, s, e in alerts if not e]),
        orders_placed=len(placed), orders_delivered=len(delivered),
        orders_confirmed=sum(1 for o in delivered if o.received_at is not None),
        median_delivery_s=statistics.median([(o.delivered_at - o.created_at).total_seconds() for o in delivered
                                             if o.delivered_at]) if delivered else None,
        activities_held=len(activities), signups=signups, confirmed_places=len(places),
        attended=sum(1 for s in places if s.checked_in_at is not None),
        ratings=len(stars), average_stars=round(sum(stars) / len(stars), 2) if stars else None,
        satisfied_share=sum(1 for s in stars if s >= 4) / len(stars) if stars else None,
        stars_by_kind={k: round(sum(v) / len(v), 2) for k, v in by_kind.items()},
        low_rated=low_rated(rows, _target_labels(session, {(k, i) for k, i, _, _ in rows})),
        alarm_quality=alarm_quality(_alarm_rows(session, site_id=site_id, start=start, end=end)),
        reviews=_review_lines(session, site_id=site_id, start=start, end=end),
        stages=emergency_stages(session, site_id=site_id, start=start, end=end))


def _pct(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


def against_target(share: float | None, target: float) -> str:
    """"达标" when ``share`` reaches ``target``, "未达标" below it, "" without alerts."""
    if share is None:
        return ""
    return "达标" if share >= target else f"未达标（差 {(target - share) * 100:.1f} 个百分点）"


def report_rows(report: MonthReport) -> list[tuple[str, str]]:
    """The report as (指标, 数值) pairs, shared by the page and the CSV export."""
    e, h, q = report.emergencies, report.help_requests, report.alarm_quality
    open_reviews = sum(1 for line in report.reviews if not line.reason)
    rows = [
        ("紧急呼叫数（不含误报取消）", str(e.count)), ("误报取消", str(e.cancelled)),
        ("60 秒内接单比例", _pct(e.within[60])), ("180 秒内接单比例", _pct(e.within[180])),
        (f"60 秒目标 {TARGET_SHARES[60] * 100:.1f}%", against_target(e.within[60], TARGET_SHARES[60])),
        (f"180 秒目标 {TARGET_SHARES[180] * 100:.0f}%", against_target(e.within[180], TARGET_SHARES[180])),
        ("报警总数（含误报）", str(q.alarms)), ("误报（撤销时限内取消或志愿者标为误报）", str(q.accidental)),
        ("误报比例", _pct(q.share)),
        ("复盘（180 秒内无人接单）", str(len(report.reviews))), ("复盘未关闭", str(open_reviews)),
        ("接单时间中位数（分钟）", _minutes(e.median_accept_s)),
        ("处理完毕时间中位数（分钟）", _minutes(e.median_resolve_s)),
        ("无人接单的紧急呼叫", str(e.never_accepted)),
        ("一般求助数", str(h.count)), ("一般求助接单中位数（分钟）", _minutes(h.median_accept_s)),
        ("代购下单数", str(report.orders_placed)), ("代购送达数", str(report.orders_delivered)),
        ("老人确认收货数", str(report.orders_confirmed)),
        ("代购送达时间中位数（分钟）", _minutes(report.median_delivery_s)),
        ("本月活动数（不含取消的）", str(report.activities_held)), ("活动报名人次", str(report.signups)),
        ("活动名额（已报名）", str(report.confirmed_places)), ("活动到场人次", str(report.attended)),
        ("到场率", _pct(report.attended / report.confirmed_places if report.confirmed_places else None)),
        ("评价条数", str(report.ratings)),
        ("平均星级", "" if report.average_stars is None else f"{report.average_stars:.2f}"),
        ("满意率（4 星及以上）", _pct(report.satisfied_share)),
    ]
    rows += [(f"平均星级：{TARGET_LABELS.get(k, k)}", f"{v:.2f}") for k, v in sorted(report.stars_by_kind.items())]
    return rows + stage_rows(report.stages)


def _cell(text: str) -> str:
    """Resident text made inert for spreadsheets (a leading = + - @ would start a formula)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: MonthReport) -> str:
    """The report as CSV (UTF-8 with BOM so that Excel shows Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["月份", f"{report.year}-{report.month:02d}"])
    writer.writerow(["指标", "数值"])
    writer.writerows(report_rows(report))
    writer.writerow([])
    writer.writerow(["待改进（评价最低）", "平均星级", "评价条数", "意见"])
    for item in report.low_rated:
        writer.writerow([_cell(item.label), f"{item.average:.2f}", item.count, _cell(" / ".join(item.comments))])
    writer.writerow([])
    writer.writerow(["复盘：发生时间", "报警", "等待接单（秒）", "原因和改进措施"])
    for line in report.reviews:
        writer.writerow([line.started.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M"), _cell(line.what),
                         "" if line.waited_s is None else line.waited_s, _cell(line.reason or "未关闭")])
    return "\ufeff" + buffer.getvalue()
