"""The health rules against the database: evaluated on ingest (new readings) and by the ticker
(silence: inactivity, a bridge that stopped calling).

Deduplication follows the alert rules: one active alert per subject and kind; a finding of
a new episode is attached as "repeated". An *episode* is stored on the alert
(``details["episodes"][rule] = {"since", "until"}``); a finding that continues the stored
episode only moves ``until`` on, so a condition that lasts for hours is one alert, and one
that a volunteer has already resolved is not raised again until it clears and recurs.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from caregiver_portal.accounts.models import DEFAULT_TIMEZONE, Device, Site
from caregiver_portal.alerts.models import Alert
from caregiver_portal.alerts.service import attach_repeat, dedupe_key, latest_alert_for, lock_subject, open_alert
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.db import transaction
from caregiver_portal.health.models import HealthThresholds, Reading
from caregiver_portal.health.rules import (
    DEFAULT_THRESHOLDS,
    Finding,
    Sample,
    Thresholds,
    check_bridge_silence,
    check_inactivity,
    evaluate_readings,
    out_of_range,
)
from caregiver_portal.residents.models import Resident
from caregiver_portal.safety.band_rules import silence_already_raised
from caregiver_portal.safety.models import BandWatch

log = logging.getLogger(__name__)
BATTERY_EPISODE_GAP = timedelta(hours=6)
THRESHOLD_COLUMNS = ("heart_rate_high", "heart_rate_low", "heart_rate_sustain_s", "spo2_low", "spo2_sustain_s",
                     "temperature_high", "inactivity_s", "day_start", "day_end", "battery_low")


def thresholds_for(session: Session, resident_ids: set[int]) -> dict[int, Thresholds]:
    """Thresholds of each resident: the defaults with their overrides applied."""
    found = {rid: DEFAULT_THRESHOLDS for rid in resident_ids}
    if resident_ids:
        for row in session.scalars(select(HealthThresholds).where(HealthThresholds.resident_id.in_(resident_ids))):
            found[row.resident_id] = DEFAULT_THRESHOLDS.with_overrides(
                {name: getattr(row, name) for name in THRESHOLD_COLUMNS})
    return found


def continues(episode: dict[str, str] | None, finding: Finding, gap: timedelta) -> bool:
    """True when ``finding`` is the stored ``episode`` seen again (or extended)."""
    if not episode:
        return False
    since = datetime.fromisoformat(episode["since"])
    if finding.since == since:
        return True
    until = datetime.fromisoformat(episode["until"]) if episode.get("until") else None
    return until is not None and finding.until is not None and since <= finding.until and finding.since <= until + gap


def record_finding(session: Session, *, site_id: int, finding: Finding, place: str, now: datetime,
                   gap: timedelta, resident: Resident | None = None, wristband: Wristband | None = None,
                   subject_device: Device | None = None) -> bool:
    """Raise, repeat or ignore ``finding``; True when the board gained an entry."""
    key = dedupe_key(resident=resident, wristband=wristband, device=subject_device)
    lock_subject(session, site_id=site_id, kind=finding.kind, key=key)
    latest = latest_alert_for(session, site_id=site_id, kind=finding.kind, key=key, active_only=False)
    episode = {"since": finding.since.isoformat(), "until": (finding.until or finding.since).isoformat()}
    if latest is not None:
        stored = latest.details.get("episodes", {}).get(finding.rule)
        if continues(stored, finding, gap):
            until = max(datetime.fromisoformat(stored["until"]), finding.until or finding.since) if stored else None
            if stored and until is not None and until.isoformat() != stored["until"]:
                _store_episode(latest, finding, {"since": stored["since"], "until": until.isoformat()})
            return False
        if latest.state in ("open", "accepted"):
            _store_episode(latest, finding, episode)
            attach_repeat(session, latest, now=now, message=f"再次发现：{finding.message}")
            return True
    alert = Alert(site_id=site_id, kind=finding.kind, emergency=False, state="open", place=place,
                  details={"rule": finding.rule, "finding": finding.message, "episodes": {finding.rule: episode}},
                  resident_id=resident.id if resident else None, wristband_id=wristband.id if wristband else None,
                  occurred_at=min(finding.until, now) if finding.until else now, received_at=now, dedupe_key=key)
    session.add(alert)
    session.flush()
    open_alert(session, alert, now=now, message=finding.message)
    return True


def _store_episode(alert: Alert, finding: Finding, episode: dict[str, str]) -> None:
    details: dict[str, Any] = dict(alert.details)
    details["episodes"] = {**details.get("episodes", {}), finding.rule: episode}
    details["finding"] = finding.message
    alert.details = details  # reassign: JSON columns do not track in-place changes


def evaluate_on_ingest(session: Session, *, site_id: int, rows: list[dict[str, Any]], bands: Mapping[int, Wristband],
                       now: datetime) -> int:
    """Run the reading rules for the wristbands of a just-inserted batch; returns board entries added.

    ``bands``: the batch's wristbands by id, with their residents loaded (the ingest has them).
    A rule can only fire on a run that contains an out-of-range reading of this batch, so
    bands whose new readings are all normal (nearly all of them) cost no query at all.
    """
    if not rows:
        return 0
    thresholds = thresholds_for(session, {b.resident_id for b in bands.values() if b.resident_id is not None})
    flagged: dict[int, set[str]] = defaultdict(set)
    earliest: dict[int, datetime] = {}
    for row in rows:
        band = bands[row["wristband_id"]]
        t = thresholds.get(band.resident_id, DEFAULT_THRESHOLDS) if band.resident_id else DEFAULT_THRESHOLDS
        if out_of_range(row["kind"], row["value"], t):
            flagged[band.id].add(row["kind"])
            earliest[band.id] = min(earliest.get(band.id, row["measured_at"]), row["measured_at"])
    added = 0
    for band_id, kinds in flagged.items():
        band = bands[band_id]
        t = thresholds.get(band.resident_id, DEFAULT_THRESHOLDS) if band.resident_id else DEFAULT_THRESHOLDS
        added += _evaluate_band(session, band, kinds, t, site_id=site_id, earliest=earliest[band_id], now=now)
    return added


def _evaluate_band(session: Session, band: Wristband, kinds: set[str], t: Thresholds, *, site_id: int,
                   earliest: datetime, now: datetime) -> int:
    lookback = max(t.heart_rate_sustain, t.spo2_sustain) + t.max_gap
    samples = [Sample(kind, value, measured_at) for kind, value, measured_at in session.execute(
        select(Reading.kind, Reading.value, Reading.measured_at)
        .where(Reading.wristband_id == band.id, Reading.resident_id.is_not_distinct_from(band.resident_id),
               Reading.kind.in_(kinds), Reading.measured_at >= earliest - lookback)
        .order_by(Reading.measured_at))]
    resident = band.resident
    added = 0
    for finding in evaluate_readings(samples, t):
        if finding.until is not None and finding.until < earliest:
            continue  # nothing new in this batch about that run
        if finding.kind == "health" and (resident is None or not resident.health_consent):
            continue  # PIPL: health rules only with the resident's consent
        gap = BATTERY_EPISODE_GAP if finding.rule == "battery_low" else t.max_gap
        place = resident.room if resident and resident.room else band.label
        added += record_finding(session, site_id=site_id, finding=finding, place=place, now=now, gap=gap,
                                resident=resident, wristband=band)
    return added


def sweep_periodic_rules(*, factory: sessionmaker[Session], now: datetime) -> int:
    """The ticker's check of silence rules for every site; returns board entries added."""
    added = 0
    with transaction(factory) as session:
        zones = {site.id: _zone(site.timezone) for site in session.scalars(select(Site))}
        bands = list(session.scalars(select(Wristband).where(Wristband.resident_id.is_not(None))
                                     .options(selectinload(Wristband.resident))))
        thresholds = thresholds_for(session, {band.resident_id for band in bands if band.resident_id})
        raised: dict[int, str] = {band_id: alerted for band_id, alerted in session.execute(
            select(BandWatch.wristband_id, BandWatch.alerted).where(BandWatch.alerted != ""))}
        for band in bands:
            if band.last_seen_at is None:
                continue  # never heard from: nothing to measure silence from
            if silence_already_raised(raised.get(band.id, ""), band.last_seen_at):
                continue  # the safety net's band_silent alert is this silence
            t = thresholds.get(band.resident_id or 0, DEFAULT_THRESHOLDS)
            finding = check_inactivity(band.last_seen_at, t, now, zones.get(band.site_id, _zone(DEFAULT_TIMEZONE)))
            if finding is not None:
                added += _guarded(session, band.site_id, finding, band.resident.room if band.resident else band.label,
                                  now, resident=band.resident, wristband=band)
        bridges = session.scalars(select(Device).where(Device.kind == "bridge", Device.revoked_at.is_(None)))
        for bridge in bridges:
            if bridge.last_seen_at is None:
                continue
            finding = check_bridge_silence(bridge.last_seen_at, now, name=bridge.name)
            if finding is not None:
                added += _guarded(session, bridge.site_id, finding, bridge.name, now, subject_device=bridge)
    return added


def _guarded(session: Session, site_id: int, finding: Finding, place: str, now: datetime, **subject: Any) -> int:
    """One rule outcome in a savepoint: a failure is logged and the sweep goes on."""
    try:
        with session.begin_nested():
            return int(record_finding(session, site_id=site_id, finding=finding, place=place, now=now,
                                      gap=timedelta(0), **subject))
    except Exception:
        log.exception("health rule %s at site %s failed", finding.rule, site_id)
        return 0


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        log.warning("unknown time zone %r; using %s", name, DEFAULT_TIMEZONE)
        return ZoneInfo(DEFAULT_TIMEZONE)


def touch_device(device: Device, now: datetime) -> None:
    """Note that ``device`` called the portal (the bridge-silence rule reads this)."""
    if device.last_seen_at is None or device.last_seen_at < now:
        device.last_seen_at = now
