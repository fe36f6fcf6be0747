"""The safety sweep the ticker runs: missed daily check-ins (``no_checkin``) and silent bands
(``band_silent``), for every site, in one transaction.

Reads are column tuples over a few joined queries (no ORM objects per resident or band), the rules are
pure (:mod:`.checkin_rules`, :mod:`.band_rules`), and only findings touch alerts, so a sweep of 5,000
residents and 5,000 bands with nothing new stays well under a second (benchmarks/safety_sweep.py). Each
finding is raised in a savepoint: one failure is logged and the sweep goes on. An alert is raised once per
day (check-in) or per episode (band), and attaches to the active alert of its resident if there is one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload, sessionmaker

from caregiver_portal.accounts.models import Device, Site
from caregiver_portal.alerts.models import Alert
from caregiver_portal.alerts.service import active_alert_for, attach_repeat, dedupe_key, open_alert
from caregiver_portal.bands.models import BandStatus, Wristband
from caregiver_portal.core.db import transaction
from caregiver_portal.residents.models import Resident
from caregiver_portal.safety import band_rules, checkin_rules
from caregiver_portal.safety.checkins import zone_named
from caregiver_portal.safety.models import BandWatch, Checkin, SafetyPlan

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SafetyReport:
    """What one sweep did."""

    missed_checkins: int = 0
    worn_checkins: int = 0
    silent_bands: int = 0
    failed: int = 0

    @property
    def changed(self) -> bool:
        """True when the board gained entries."""
        return bool(self.missed_checkins or self.silent_bands)


@dataclass(frozen=True)
class _Site:
    zone: ZoneInfo
    counts_worn: bool


def sweep_safety(*, factory: sessionmaker[Session], now: datetime) -> SafetyReport:
    """Raise ``no_checkin`` for residents past today's deadline and ``band_silent`` for silent bands."""
    with transaction(factory) as session:
        sites = {site_id: _Site(zone_named(zone), worn) for site_id, zone, worn in
                 session.execute(select(Site.id, Site.timezone, Site.checkin_counts_worn))}
        missed, worn, failed = _sweep_checkins(session, sites, now)
        silent, band_failed = _sweep_bands(session, sites, now)
    return SafetyReport(missed_checkins=missed, worn_checkins=worn, silent_bands=silent, failed=failed + band_failed)


def _sweep_checkins(session: Session, sites: dict[int, _Site], now: datetime) -> tuple[int, int, int]:
    """Residents without a check-in today (and not alerted today) are the only ones read: an anti-join on the
    ``(day, resident_id)`` index, one query per local day in use (one, unless sites span time zones)."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for site_id, site in sites.items():
        by_day[checkin_rules.local_day(now, site.zone)].append(site_id)
    worn_at = _worn_by_resident(session, sites)
    worn = 0
    actions: list[partial[None]] = []
    for day, site_ids in by_day.items():
        checked_in = select(Checkin.id).where(Checkin.day == day, Checkin.resident_id == SafetyPlan.resident_id)
        pending = session.execute(
            select(SafetyPlan.resident_id, SafetyPlan.checkin_deadline_min, SafetyPlan.alerted_on,
                   Resident.care_level, Resident.site_id)
            .join(Resident, Resident.id == SafetyPlan.resident_id)
            .where(SafetyPlan.checkin.is_(True), Resident.site_id.in_(site_ids), ~checked_in.exists(),
                   or_(SafetyPlan.alerted_on.is_(None), SafetyPlan.alerted_on != day))).all()
        for resident_id, plan_minute, alerted_on, care_level, site_id in pending:
            site = sites[site_id]
            due = checkin_rules.CheckinDue(resident_id, plan_minute, care_level, False, alerted_on,
                                           worn_at.get(resident_id) if site.counts_worn else None)
            worn_time = checkin_rules.worn_checkin(due, zone=site.zone, now=now)
            if worn_time is not None:
                session.add(Checkin(site_id=site_id, resident_id=resident_id, day=day, at=worn_time, source="worn",
                                    received_at=now))
                worn += 1
            elif checkin_rules.missed(due, zone=site.zone, now=now):
                actions.append(partial(_raise_missed, session, due, zone=site.zone, now=now))
    loaded = list(session.scalars(select(Resident).where(Resident.id.in_([a.args[1].resident_id for a in actions]))))
    raised = _raise_all(session, actions)  # ``loaded`` keeps them in the identity map: no query each
    del loaded
    alerted: dict[date, list[int]] = defaultdict(list)  # one alert a day: the plans remember the day
    for action in raised:
        alerted[checkin_rules.local_day(now, action.keywords["zone"])].append(action.args[1].resident_id)
    for day, resident_ids in alerted.items():
        session.execute(update(SafetyPlan).where(SafetyPlan.resident_id.in_(resident_ids)).values(alerted_on=day))
    return len(raised), worn, len(actions) - len(raised)


def _worn_by_resident(session: Session, sites: dict[int, _Site]) -> dict[int, datetime]:
    worn_sites = [site_id for site_id, site in sites.items() if site.counts_worn]
    if not worn_sites:
        return {}
    return {rid: at for rid, at in session.execute(
        select(Wristband.resident_id, func.max(Wristband.last_worn_at))
        .where(Wristband.site_id.in_(worn_sites), Wristband.resident_id.is_not(None))
        .group_by(Wristband.resident_id)) if at is not None}


def _raise_missed(session: Session, due: checkin_rules.CheckinDue, *, zone: ZoneInfo, now: datetime) -> None:
    resident = session.get(Resident, due.resident_id)
    assert resident is not None
    raise_finding(session, kind="no_checkin", resident=resident, wristband=None, now=now,
                  message=checkin_rules.missed_message(due, zone=zone, now=now), details={"rule": "no_checkin"})


def _sweep_bands(session: Session, sites: dict[int, _Site], now: datetime) -> tuple[int, int]:
    rows = session.execute(
        select(Wristband.id, Wristband.site_id, Wristband.last_seen_at, Wristband.last_worn_at,
               Wristband.battery_percent, BandStatus.last_seen_at, BandStatus.battery_percent, BandWatch.since,
               BandWatch.battery_ref_percent, BandWatch.battery_ref_at, BandWatch.alerted, SafetyPlan.wear_start_min,
               SafetyPlan.wear_end_min, SafetyPlan.silent_after_s, SafetyPlan.charge_at_min)
        .outerjoin(BandStatus, BandStatus.wristband_id == Wristband.id)
        .outerjoin(BandWatch, BandWatch.wristband_id == Wristband.id)
        .outerjoin(SafetyPlan, SafetyPlan.resident_id == Wristband.resident_id)
        .where(Wristband.resident_id.is_not(None))).all()
    new_watches: list[dict[str, Any]] = []
    new_refs: list[dict[str, Any]] = []
    actions: list[partial[None]] = []
    episodes: dict[int, str] = {}
    for row in rows:
        (band_id, site_id, seen, worn, battery, status_seen, status_battery, since, ref_percent, ref_at, alerted,
         *plan) = row
        site = sites.get(site_id)
        if site is None:
            continue
        heard = max((t for t in (seen, status_seen) if t is not None), default=None)
        level = status_battery if status_battery is not None and status_seen == heard else battery
        old_ref = (ref_percent, ref_at) if ref_percent is not None and ref_at is not None else None
        ref = band_rules.next_battery_ref(old_ref, level, heard)
        if since is None:  # supervised from now on
            percent, at = ref if ref else (None, None)
            new_watches.append({"wristband_id": band_id, "since": now, "alerted": "", "battery_ref_percent": percent,
                                "battery_ref_at": at})
            continue
        if ref != old_ref and ref is not None:
            new_refs.append({"wristband_id": band_id, "battery_ref_percent": ref[0], "battery_ref_at": ref[1]})
        facts = band_rules.BandFacts(heard, worn, level, since, ref)
        finding = band_rules.evaluate_band(facts, _schedule(*plan), site.zone, now)
        if finding is None or finding.episode in (alerted or "").split(";"):
            continue
        actions.append(partial(_raise_silent, session, band_id, finding, now=now))
        episodes[band_id] = _episodes(alerted or "", finding)
    if new_watches:
        _start_watching(session, new_watches)
    if new_refs:
        session.execute(update(BandWatch), new_refs)
    loaded = _load_bands(session, [action.args[1] for action in actions])
    raised = _raise_all(session, actions)  # ``loaded`` keeps them in the identity map: no query each
    del loaded
    if raised:  # each episode is raised once: remember it, one executemany for all
        session.execute(update(BandWatch), [{"wristband_id": a.args[1], "alerted": episodes[a.args[1]]}
                                            for a in raised])
    return len(raised), len(actions) - len(raised)


def _start_watching(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the new bands' ``band_watch`` rows; a row another portal instance inserted meanwhile (two
    instances sweeping a newly paired band at once) is kept as it is instead of failing the whole sweep."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(BandWatch).on_conflict_do_nothing(index_elements=[BandWatch.wristband_id])
    session.execute(statement, rows)


def _episodes(alerted: str, finding: band_rules.BandFinding) -> str:
    """The raised episodes with ``finding``'s replacing the earlier one of its reason."""
    kept = [e for e in alerted.split(";") if e and not e.startswith(finding.reason + ":")]
    return ";".join([*kept, finding.episode])


def _load_bands(session: Session, band_ids: list[int]) -> list[object]:
    """The bands, their residents, statuses and bridges, in three queries instead of several per band."""
    if not band_ids:
        return []
    bands = list(session.scalars(select(Wristband).where(Wristband.id.in_(band_ids))
                                 .options(selectinload(Wristband.resident))))
    statuses = list(session.scalars(select(BandStatus).where(BandStatus.wristband_id.in_(band_ids))))
    bridges = list(session.scalars(select(Device).where(Device.id.in_({s.device_id for s in statuses}))))
    return [*bands, *statuses, *bridges]


@lru_cache(maxsize=256)
def _schedule(start: int | None, end: int, silent_after_s: int, charge_at: int) -> band_rules.WearSchedule:
    """The wearing schedule of a plan's columns (the default without a plan); residents mostly share a few."""
    if start is None:
        return band_rules.WearSchedule()
    return band_rules.WearSchedule(start, end, timedelta(seconds=silent_after_s), charge_at)


def _raise_silent(session: Session, band_id: int, finding: band_rules.BandFinding, *, now: datetime) -> None:
    band = session.get(Wristband, band_id)
    assert band is not None
    status = session.get(BandStatus, band_id)
    bridge = session.get(Device, status.device_id) if status is not None else None
    heard = max((t for t in (band.last_seen_at, status.last_seen_at if status else None) if t is not None),
                default=None)
    battery = status.battery_percent if status is not None and status.battery_percent is not None \
        else band.battery_percent
    details = {"rule": finding.reason, "last_seen_at": heard.isoformat() if heard else None,
               "bridge": bridge.name if bridge else None, "radio": status.radio if status else None,
               "battery": battery}
    where = f"；最后经过 {bridge.name}" + (f"（{status.radio}）" if status and status.radio else "") if bridge else ""
    power = f"；电量 {battery}%" if battery is not None else ""
    raise_finding(session, kind="band_silent", resident=band.resident, wristband=band, now=now,
                  message=f"{band.label or band.address}：{finding.message}{where}{power}", details=details)


def raise_finding(session: Session, *, kind: str, resident: Resident | None, wristband: Wristband | None,
                  now: datetime, message: str, details: dict[str, Any]) -> Alert:
    """Raise an alert of ``kind`` about the resident (else the band) — or attach it to their active one."""
    site_id = resident.site_id if resident is not None else wristband.site_id if wristband is not None else 0
    key = dedupe_key(resident=resident, wristband=wristband, device=None)
    active = active_alert_for(session, site_id=site_id, kind=kind, key=key)
    if active is not None:
        attach_repeat(session, active, now=now, message=f"再次发现：{message}")
        return active
    place = resident.room if resident is not None and resident.room else wristband.label if wristband else ""
    alert = Alert(site_id=site_id, kind=kind, emergency=False, state="open", place=place or "", details=details,
                  resident_id=resident.id if resident else None, wristband_id=wristband.id if wristband else None,
                  occurred_at=now, received_at=now, dedupe_key=key)
    session.add(alert)
    session.flush()
    return open_alert(session, alert, now=now, message=message)


def _raise_all(session: Session, actions: Sequence[partial[None]]) -> list[partial[None]]:
    """Raise the findings in one savepoint; if that fails, again one at a time, so one failure is logged and
    the others are raised. Returns the actions that succeeded."""
    if not actions:
        return []
    try:
        with session.begin_nested():
            for action in actions:
                action()
        return list(actions)
    except Exception:
        log.warning("safety sweep: %d findings failed together; retrying one by one", len(actions), exc_info=True)
    raised = []
    for action in actions:
        try:
            with session.begin_nested():
                action()
            raised.append(action)
        except Exception:
            log.exception("safety sweep: raising a finding failed")
    return raised
