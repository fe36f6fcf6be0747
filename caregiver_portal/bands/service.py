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
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
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
    """Upsert the latest state of each reported wristband of the bridge's site.

    Set-based (a few statements for a whole report, no ORM object per band): a bridge reports
    up to 2,000 bands every 10 s, and on SQLite the write lock is held for the whole
    transaction, so every millisecond here is one an SOS arriving meanwhile waits
    (docs/benchmarks.md, "50 ESPHome proxies").
    """
    latest = {report.address.upper(): report for report in reports}  # a repeated address: the last one wins
    bands = {address.upper(): (band_id, site_id) for band_id, address, site_id in session.execute(
        select(Wristband.id, Wristband.address, Wristband.site_id)
        .where(Wristband.site_id == device.site_id, func.upper(Wristband.address).in_(latest)))}
    rows = _current_rows(session, [band_id for band_id, _site in bands.values()])
    _insert_first_rows(session, device, [bands[a] for a in latest if a in bands and bands[a][0] not in rows], now,
                       rows)
    stored = stale = 0
    rejected = Counter[str]()
    changes = []
    for address, report in latest.items():
        if address not in bands:
            continue
        if wrong := implausible_fields(report, now):
            rejected[wrong[0]] += 1
            continue
        band_id, site_id = bands[address]
        change, taken = next_state(rows[band_id], report, device_id=device.id, site_id=site_id, now=now)
        stored, stale = stored + taken, stale + (not taken)
        if change:
            changes.append({"wristband_id": band_id, **change})
    for keys in {tuple(sorted(change)) for change in changes}:  # one executemany per set of changed columns
        session.execute(update(BandStatus), [c for c in changes if tuple(sorted(c)) == keys])
    unknown = tuple(sorted(a for a in latest if a not in bands))
    return RecordResult(stored, stale, rejected.total(), unknown, dict(sorted(rejected.items())))


STATE = ("device_id", "last_seen_at", "radio", "battery_percent", "suspicious_total")
"""What :func:`next_state` reads of a stored status row."""


def _current_rows(session: Session, band_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The stored state of these bands' status rows (locked on PostgreSQL until the report commits)."""
    columns = [getattr(BandStatus, name) for name in STATE]
    found = session.execute(select(BandStatus.wristband_id, *columns)
                            .where(BandStatus.wristband_id.in_(band_ids)).with_for_update())
    return {row[0]: dict(zip(STATE, row[1:], strict=True)) for row in found}


def _insert_first_rows(session: Session, device: Device, bands: list[tuple[int, int]], now: datetime,
                       rows: dict[int, dict[str, Any]]) -> None:
    """Insert the status rows these bands do not have yet into ``rows`` (the first report after enrolment): all
    at once, or one by one when another bridge inserted some of them a moment ago."""
    if not bands:
        return
    fresh = [{"wristband_id": band_id, "site_id": site_id, "device_id": device.id, "reported_at": now,
              "suspicious_total": 0} for band_id, site_id in bands]
    try:
        with session.begin_nested():
            session.execute(insert(BandStatus), fresh)
    except IntegrityError:
        for band_id, site_id in bands:
            _first_row(session, band_id, site_id, device, now)
        rows.update(_current_rows(session, [band_id for band_id, _site in bands]))
        return
    rows.update({band_id: {"device_id": device.id, "last_seen_at": None, "radio": None, "battery_percent": None,
                           "suspicious_total": 0} for band_id, _site in bands})


def _first_row(session: Session, band_id: int, site_id: int, device: Device, now: datetime) -> None:
    """Insert the band's status row, or lock it as another bridge inserted it a moment ago."""
    insert_once(
        session, BandStatus(wristband_id=band_id, site_id=site_id, device_id=device.id, reported_at=now,
                            suspicious_total=0),
        lambda: session.scalar(select(BandStatus).where(BandStatus.wristband_id == band_id).with_for_update()))


def next_state(row: dict[str, Any], report: BandReport, *, device_id: int, site_id: int,
               now: datetime) -> tuple[dict[str, Any], bool]:
    """What a plausible report changes in a stored status row (:data:`STATE`), and whether it is taken.

    Suspicious frames are increments from each bridge: added whatever report wins the row. A report
    from another bridge than the one stored replaces the row only when it heard the band later.
    """
    change: dict[str, Any] = {}
    if report.suspicious > 0:
        change |= {"suspicious_total": (row["suspicious_total"] or 0) + report.suspicious,
                   "suspicious_radio": report.suspicious_radio, "suspicious_at": now}
    seen = min(report.last_seen_at, now) if report.last_seen_at is not None else None
    if row["device_id"] != device_id and not _newer(seen, row["last_seen_at"]):
        return change, False
    change |= {"site_id": site_id, "device_id": device_id, "reported_at": now, "connected": report.connected,
               "rssi": report.rssi}
    if _newer(seen, row["last_seen_at"]):
        change |= {"last_seen_at": seen, "radio": report.radio or row["radio"]}
    if report.battery_percent is not None:
        change["battery_percent"] = report.battery_percent
    return change, True


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


def _newer(seen: datetime | None, stored: datetime | None) -> bool:
    return seen is not None and (stored is None or seen > stored)


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
