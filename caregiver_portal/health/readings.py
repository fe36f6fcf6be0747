"""Ingest batches of wristband readings, once per (device, batch id); the health rules run on
each new batch in the same transaction (:func:`caregiver_portal.health.service.evaluate_on_ingest`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from caregiver_portal.accounts.models import Device
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.uow import transactional
from caregiver_portal.health.models import Reading, ReadingBatch
from caregiver_portal.health.plausible import plausible
from caregiver_portal.health.service import evaluate_on_ingest, touch_device

# Readings further than this in the future are refused (a band with a broken clock).
MAX_CLOCK_SKEW = timedelta(minutes=10)
# Readings that are health data (PIPL sensitive personal information); battery is device data.
HEALTH_KINDS = frozenset({"heart_rate", "spo2", "temperature"})


@dataclass(frozen=True)
class IngestResult:
    """How a batch was taken: how many readings were stored and why others were not."""

    accepted: int
    rejected: int
    duplicate: bool
    unknown_wristbands: tuple[str, ...]
    rejected_by_kind: dict[str, int] = field(default_factory=dict)
    """The rejected readings per kind (unknown band, too far in the future, or outside the plausible range)."""
    alerts: int = 0
    """Timeline entries the health rules added (new or repeated alerts)."""
    withheld: int = 0
    """Health readings not stored: the wristband's resident has not consented (PIPL)."""


@transactional
def ingest_batch(*, session: Session, device: Device, batch_id: str, readings: list[dict[str, Any]],
                 now: datetime) -> IngestResult:
    """Store the readings of one batch; a batch already stored is acknowledged, not stored twice.

    Health readings of a wristband paired with a resident who has not given health-data
    consent are acknowledged but not stored (``withheld``); their battery level still is.
    """
    previous = session.scalar(
        select(ReadingBatch).where(ReadingBatch.device_id == device.id, ReadingBatch.batch_id == batch_id)
    )
    touch_device(device, now)
    if previous is not None:
        return IngestResult(previous.count, previous.rejected, True, (), dict(previous.rejected_by_kind or {}),
                            withheld=previous.withheld)
    addresses = {r["wristband"] for r in readings}
    bands = {
        band.address: band
        for band in session.scalars(
            select(Wristband).where(Wristband.address.in_(addresses), Wristband.site_id == device.site_id)
            .options(selectinload(Wristband.resident))
        )
    }
    rows, unknown, rejected, withheld = [], set(), Counter[str](), 0
    for reading in readings:
        band = bands.get(reading["wristband"])
        if band is None:
            unknown.add(reading["wristband"])
        if band is None or not acceptable(reading, now):
            rejected[reading["kind"]] += 1
            continue
        _note_latest(band, reading)
        if reading["kind"] in HEALTH_KINDS and band.resident is not None and not band.resident.health_consent:
            withheld += 1
            continue
        rows.append({"wristband_id": band.id, "resident_id": band.resident_id, "kind": reading["kind"],
                     "value": reading["value"], "measured_at": reading["measured_at"]})
    alerts = 0
    if rows:
        session.execute(insert(Reading), rows)
        alerts = evaluate_on_ingest(session, site_id=device.site_id, rows=rows,
                                    bands={band.id: band for band in bands.values()}, now=now)
    by_kind = dict(sorted(rejected.items()))
    session.add(ReadingBatch(device_id=device.id, batch_id=batch_id, count=len(rows), rejected=rejected.total(),
                             rejected_by_kind=by_kind, withheld=withheld, received_at=now))
    return IngestResult(len(rows), rejected.total(), False, tuple(sorted(unknown)), by_kind, alerts, withheld)


WORN_KINDS = frozenset({"heart_rate", "spo2"})
"""Readings a band only takes on a wrist: they move ``wristbands.last_worn_at`` (silent-band rules)."""


def acceptable(reading: dict[str, Any], now: datetime) -> bool:
    """A reading of a known band is stored unless it is from too far in the future (a band with a broken
    clock) or outside its kind's plausible range (:mod:`caregiver_portal.health.plausible`)."""
    return reading["measured_at"] <= now + MAX_CLOCK_SKEW and plausible(reading["kind"], reading["value"])


def _note_latest(band: Wristband, reading: dict[str, Any]) -> None:
    measured_at = reading["measured_at"]
    if band.last_seen_at is None or measured_at > band.last_seen_at:
        band.last_seen_at = measured_at
        if reading["kind"] == "battery":
            band.battery_percent = int(reading["value"])
    if reading["kind"] in WORN_KINDS and (band.last_worn_at is None or measured_at > band.last_worn_at):
        band.last_worn_at = measured_at
