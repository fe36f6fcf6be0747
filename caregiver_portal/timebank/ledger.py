"""Writing the time-bank ledger under a site's scheme: credits within the cap, paper records, donations, expiry.

A balance is the sum of a holder's lines (:func:`balance`); nothing here edits a line or stores a
balance. Every change of points is a new line: a credit cut at the cap says so in its note, a
donation is a pair of lines, an expiry is a negative line. A holder's lines are locked (their user or
resident row) while a line that depends on the balance is written, so two writes cannot both use the
same room under the cap or the same points.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from caregiver_portal.accounts.models import Site, User
from caregiver_portal.core.db import transaction
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.residents.models import Resident
from caregiver_portal.timebank import rules
from caregiver_portal.timebank.models import PointsEntry, TimebankScheme

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    """Whose points: a volunteer (portal user) or a resident."""

    kind: Literal["user", "resident"]
    id: int

    def owns(self) -> ColumnElement[bool]:
        """The ledger lines of this holder."""
        column = PointsEntry.user_id if self.kind == "user" else PointsEntry.resident_id
        return column == self.id

    def columns(self) -> dict[str, int | None]:
        """The holder columns of a new line."""
        return {"user_id": self.id if self.kind == "user" else None,
                "resident_id": self.id if self.kind == "resident" else None}

    @classmethod
    def parse(cls, text: str) -> Holder:
        """``user:5`` or ``resident:7`` (form values) as a holder; InvalidTransition otherwise."""
        kind, _, number = text.partition(":")
        if kind not in ("user", "resident") or not number.isdigit():
            raise InvalidTransition("请选择受赠人")
        return cls("user" if kind == "user" else "resident", int(number))


def scheme_for(session: Session, *, site_id: int) -> rules.Scheme:
    """The site's scheme (the defaults when the admins have not set one)."""
    row = session.get(TimebankScheme, site_id)
    if row is None:
        return rules.Scheme()
    stars = tuple(int(part) for part in row.star_hours.split(",") if part.strip().isdigit())
    return rules.Scheme(points_per_hour=row.points_per_hour, cap_hours=row.cap_hours, star_hours=stars,
                        expiry_months=row.expiry_months)


@transactional
def set_scheme(*, session: Session, site_id: int, scheme: rules.Scheme) -> None:
    """Store a site's scheme; thresholds must rise and every number be sensible."""
    if not 1 <= scheme.points_per_hour <= 1000:
        raise InvalidTransition("每小时积分应在 1 到 1000 之间")
    if scheme.cap_hours is not None and not 1 <= scheme.cap_hours <= 100000:
        raise InvalidTransition("存储上限应在 1 到 100000 小时之间")
    if not scheme.star_hours or list(scheme.star_hours) != sorted(set(scheme.star_hours)) or scheme.star_hours[0] < 1:
        raise InvalidTransition("星级门槛请从小到大填写，用逗号分开")
    if scheme.expiry_months is not None and not 1 <= scheme.expiry_months <= 600:
        raise InvalidTransition("有效期应在 1 到 600 个月之间")
    row = session.get(TimebankScheme, site_id) or TimebankScheme(site_id=site_id)
    row.points_per_hour = scheme.points_per_hour
    row.cap_hours = scheme.cap_hours
    row.star_hours = ",".join(str(hours) for hours in scheme.star_hours)
    row.expiry_months = scheme.expiry_months
    session.add(row)


def balance_of(session: Session, holder: Holder) -> int:
    """A holder's points now: the sum of their lines."""
    return int(session.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0)).where(holder.owns())) or 0)


def earned_by(session: Session, holder: Holder) -> int:
    """Points a holder has earned in all (what the star levels count)."""
    return int(session.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0))
                              .where(holder.owns(), PointsEntry.points > 0,
                                     PointsEntry.service.in_(rules.EARNING_SERVICES))) or 0)


def lock_holder(session: Session, holder: Holder) -> None:
    """Lock the holder's row until the end of the transaction (no-op on SQLite, whose writers are serial)."""
    model = User if holder.kind == "user" else Resident
    if session.scalar(select(model.id).where(model.id == holder.id).with_for_update()) is None:
        raise NotFound("找不到这个人")


@transactional
def credit(*, session: Session, holder: Holder, site_id: int, points: int, service: str, now: datetime,
           ref_id: int | None = None, note: str = "", created_by_id: int | None = None, uid: str | None = None,
           origin: str = "") -> PointsEntry | None:
    """Write a credit of ``points`` cut at the cap; None when this (holder, service, ref) or uid is stored already.

    A credit that finds no room at all is still written, with 0 points and the cut in its note, so the
    record of the service stays complete.
    """
    def stored() -> PointsEntry | None:
        if uid is not None:
            return session.scalar(select(PointsEntry).where(PointsEntry.site_id == site_id, PointsEntry.uid == uid))
        if ref_id is None:
            return None
        return session.scalar(select(PointsEntry).where(holder.owns(), PointsEntry.service == service,
                                                        PointsEntry.ref_id == ref_id))

    if stored() is not None:
        return None
    lock_holder(session, holder)
    scheme = scheme_for(session, site_id=site_id)
    given = rules.credit_within_cap(balance=balance_of(session, holder), asked=points, cap_points=scheme.cap_points)
    if given.cut:
        note = f"{note}（已达存储上限 {scheme.cap_hours} 小时，{given.cut} 分未计入）".lstrip()
    entry = PointsEntry(site_id=site_id, points=given.points, service=service, ref_id=ref_id, note=note[:200],
                        created_at=now, created_by_id=created_by_id, origin=origin[:100], **holder.columns())
    if uid is not None:
        entry.uid = uid
    entry, created = insert_once(session, entry, stored)
    return entry if created else None


@transactional
def debit(*, session: Session, holder: Holder, site_id: int, points: int, service: str, now: datetime,
          note: str, created_by_id: int | None = None) -> PointsEntry:
    """Write a debit of ``points`` (> 0); refused when the holder has fewer."""
    lock_holder(session, holder)
    have = balance_of(session, holder)
    if points > have:
        raise InvalidTransition(f"积分不足：需要 {points} 分，现有 {have} 分")
    entry = PointsEntry(site_id=site_id, points=-points, service=service, note=note[:200], created_at=now,
                        created_by_id=created_by_id, **holder.columns())
    session.add(entry)
    session.flush()
    return entry


def paper_uid(site: Site, paper_no: str) -> str:
    """The stable id of a paper record: the same voucher number at the same centre is the same line."""
    return f"anxin-paper-{uuid.uuid5(uuid.NAMESPACE_URL, f'anxin:{site.name}:{paper_no}').hex}"


@transactional
def record_paper(*, session: Session, site_id: int, holder: Holder, hours: float, service_day: str, paper_no: str,
                 note: str, entered_by: User, now: datetime) -> PointsEntry:
    """Enter a paper record (电子化纸质凭证) with who entered it; the same voucher number is refused twice."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("找不到站点")
    if not paper_no.strip():
        raise InvalidTransition("请填写凭证编号")
    if not 0 < hours <= 24:
        raise InvalidTransition("服务时长应在 0 到 24 小时之间")
    points = round(hours * scheme_for(session, site_id=site_id).points_per_hour)
    text = f"纸质凭证 {paper_no.strip()} · {service_day} · {note.strip()}".strip(" ·")
    entry = credit(session=session, holder=holder, site_id=site_id, points=points, service="paper", now=now,
                   note=text, created_by_id=entered_by.id, uid=paper_uid(site, paper_no.strip()))
    if entry is None:
        raise InvalidTransition(f"凭证 {paper_no.strip()} 已经录入过")
    return entry


@transactional
def donate(*, session: Session, site_id: int, giver: Holder, receiver: Holder, points: int, now: datetime,
           by: User, giver_name: str, receiver_name: str) -> tuple[PointsEntry, PointsEntry]:
    """Give points to a family member or a resident in need: a debit and a credit (the receiver's cap applies)."""
    lock_holder(session, giver)
    problem = rules.donation_problem(points=points, balance=balance_of(session, giver), same_holder=giver == receiver)
    if problem:
        raise InvalidTransition(problem)
    lock_holder(session, receiver)
    scheme = scheme_for(session, site_id=site_id)
    fits = rules.credit_within_cap(balance=balance_of(session, receiver), asked=points, cap_points=scheme.cap_points)
    if fits.points <= 0:
        raise InvalidTransition(f"{receiver_name}的积分已到存储上限")
    out = debit(session=session, holder=giver, site_id=site_id, points=fits.points, service="donate_out", now=now,
                note=f"捐给{receiver_name}", created_by_id=by.id)
    received = credit(session=session, holder=receiver, site_id=site_id, points=fits.points, service="donate_in",
                      now=now, note=f"{giver_name}捐赠", created_by_id=by.id)
    assert received is not None  # no ref and no uid: never a duplicate
    return out, received


@transactional
def expire_due(*, session: Session, site_id: int, now: datetime) -> int:
    """Write an expiry line for each holder of the site whose old points ran out (a scheme with expiry only)."""
    scheme = scheme_for(session, site_id=site_id)
    if scheme.expiry_months is None:
        return 0
    cutoff = rules.months_before(now, scheme.expiry_months)
    holders = session.execute(select(PointsEntry.user_id, PointsEntry.resident_id).where(
        PointsEntry.site_id == site_id, PointsEntry.created_at < cutoff, PointsEntry.points > 0).distinct()).all()
    written = 0
    for user_id, resident_id in holders:
        holder = Holder("user", user_id) if user_id is not None else Holder("resident", resident_id)
        lock_holder(session, holder)
        lines = [rules.Line(at, points) for at, points in session.execute(
            select(PointsEntry.created_at, PointsEntry.points).where(holder.owns()))]
        due = rules.points_to_expire(lines, cutoff=cutoff)
        if due > 0:
            session.add(PointsEntry(site_id=site_id, points=-due, service="expire", created_at=now,
                                    note=f"{scheme.expiry_months} 个月前的积分过期", **holder.columns()))
            written += 1
    session.flush()
    return written


def expire_every_site(*, factory: sessionmaker[Session], now: datetime) -> int:
    """The ticker's job: :func:`expire_due` for each site whose scheme has an expiry, one transaction per site
    (a site that fails is logged and the others still run); returns how many people lost points."""
    with factory() as session:
        sites = list(session.scalars(select(TimebankScheme.site_id).where(TimebankScheme.expiry_months.is_not(None))))
    written = 0
    for site_id in sites:
        try:
            with transaction(factory) as session:
                written += expire_due(session=session, site_id=site_id, now=now)
        except Exception:
            log.exception("time-bank expiry of site %s failed", site_id)
    return written
