"""Wristband status: upsert what bridges report, list the bands near a site's kiosks.

One row per wristband keeps its latest state. With several bridges at a site, the report
that heard the band most recently wins: a bridge always updates its own row, another
bridge's report replaces it only when its ``last_seen_at`` is newer. ``last_seen_at``
never goes backwards (a restarted bridge that has not heard a band yet reports None).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Device
from caregiver_portal.bands.models import BandStatus, Wristband
from caregiver_portal.core.uow import insert_once, transactional

MAX_CLOCK_SKEW = timedelta(minutes=10)
"""Reports seen further than this in the future are refused (a bridge with a wrong clock)."""


@dataclass(frozen=True)
class BandReport:
    """One wristband's state as a bridge reports it."""

    address: str
    connected: bool
    last_seen_at: datetime | None
    rssi: int | None
    battery_percent: int | None
    radio: str | None = None
    suspicious: int = 0
    suspicious_radio: str | None = None


@dataclass(frozen=True)
class RecordResult:
    """How a report was taken (see ``BandStatusResult`` in the schemas)."""

    stored: int
    stale: int
    rejected: int
    unknown_wristbands: tuple[str, ...]
    rejected_by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Nearby:
    """A band heard lately near the site, with the resident it is paired with."""

    status: BandStatus
    address: str
    resident_id: int | None


@transactional
def record_statuses(*, session: Session, device: Device, reports: Sequence[BandReport], now: datetime) -> RecordResult:
    """Upsert the latest state of each reported wristband of the bridge's site."""
    latest = {report.address.upper(): report for report in reports}  # a repeated address: the last one wins
    bands = {
        band.address.upper(): band
        for band in session.scalars(
            select(Wristband).where(Wristband.site_id == device.site_id, func.upper(Wristband.address).in_(latest))
        )
    }
    rows = {
        row.wristband_id: row
        for row in session.scalars(
            select(BandStatus).where(BandStatus.wristband_id.in_([b.id for b in bands.values()])).with_for_update()
        )
    }
    stored = stale = 0
    rejected = Counter[str]()
    for address, report in latest.items():
        band = bands.get(address)
        if band is None:
            continue
        if wrong := implausible_fields(report, now):
            rejected[wrong[0]] += 1
            continue
        seen = min(report.last_seen_at, now) if report.last_seen_at is not None else None
        row = rows.get(band.id) or _first_row(session, band, device, now)
        _note_suspicious(row, report, now)
        if row.device_id != device.id and not _newer(seen, row.last_seen_at):
            stale += 1
            continue
        _apply(row, report, seen=seen, device=device, site_id=band.site_id, now=now)
        stored += 1
    session.flush()
    unknown = tuple(sorted(a for a in latest if a not in bands))
    return RecordResult(stored, stale, rejected.total(), unknown, dict(sorted(rejected.items())))


def _first_row(session: Session, band: Wristband, device: Device, now: datetime) -> BandStatus:
    """The band's status row, inserted now, or locked as another bridge inserted it a moment ago."""
    row, _created = insert_once(
        session, BandStatus(wristband_id=band.id, site_id=band.site_id, device_id=device.id, reported_at=now,
                            suspicious_total=0),
        lambda: session.scalar(select(BandStatus).where(BandStatus.wristband_id == band.id).with_for_update()))
    return row


STATUS_RANGES = {"rssi": (-127, 20), "battery_percent": (0, 100)}
"""Inclusive physical range of each reported number: a Bluetooth RSSI in dBm, a battery level in %."""


def implausible_fields(report: BandReport, now: datetime) -> list[str]:
    """The fields of ``report`` that cannot be true: ``last_seen_at`` too far in the future, a number out of range."""
    wrong = ["last_seen_at"] if report.last_seen_at is not None and report.last_seen_at > now + MAX_CLOCK_SKEW else []
    for name, (low, high) in STATUS_RANGES.items():
        value = getattr(report, name)
        if value is not None and not low <= value <= high:
            wrong.append(name)
    return wrong


def _note_suspicious(row: BandStatus, report: BandReport, now: datetime) -> None:
    """Suspicious frames are increments from each bridge: added whatever report wins the row."""
    if report.suspicious > 0:
        row.suspicious_total = (row.suspicious_total or 0) + report.suspicious
        row.suspicious_radio, row.suspicious_at = report.suspicious_radio, now


def _newer(seen: datetime | None, stored: datetime | None) -> bool:
    return seen is not None and (stored is None or seen > stored)


def _apply(row: BandStatus, report: BandReport, *, seen: datetime | None, device: Device, site_id: int,
           now: datetime) -> None:
    row.site_id, row.device_id, row.reported_at = site_id, device.id, now
    row.connected = report.connected
    row.rssi = report.rssi
    if _newer(seen, row.last_seen_at):
        row.last_seen_at = seen
        row.radio = report.radio or row.radio
    if report.battery_percent is not None:
        row.battery_percent = report.battery_percent


def nearby_bands(*, session: Session, site_id: int, now: datetime, within: timedelta, limit: int) -> list[Nearby]:
    """Bands of ``site_id`` seen within ``within`` of ``now``: strongest signal first (unknown RSSI
    last), then the most recently seen."""
    rows = session.execute(
        select(BandStatus, Wristband.address, Wristband.resident_id)
        .join(Wristband, Wristband.id == BandStatus.wristband_id)
        .where(BandStatus.site_id == site_id, Wristband.site_id == site_id, BandStatus.last_seen_at >= now - within)
    ).all()
    found = [Nearby(status, address, resident_id) for status, address, resident_id in rows]
    found.sort(key=lambda n: (n.status.rssi is None, -(n.status.rssi or 0), -_timestamp(n.status.last_seen_at)))
    return found[:limit]


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0
