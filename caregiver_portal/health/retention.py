"""Readings retention: raw readings for ``raw_days``, then hourly rollups (count, min, max, sum).

A wristband sending heart rate every few seconds makes ~30,000 rows a day; the raw rows are
needed only for the rules (minutes) and for a caregiver looking at recent days. The job
rolls whole UTC hours older than the cutoff into ``reading_rollups`` and deletes those raw
rows in the same transaction, one day at a time, so every raw row is counted exactly once
even if the job stops half-way. Late readings for an hour already rolled up (a bridge's
outbox delivering after a long outage) are merged into the existing rollup. Rollups older
than ``rollup_days`` are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, type_coerce
from sqlalchemy.orm import Session, sessionmaker

from caregiver_portal.core.db import UTCDateTime, rows_changed, transaction
from caregiver_portal.health.models import Reading, ReadingRollup


@dataclass(frozen=True)
class RetentionPolicy:
    """How long raw readings and rollups are kept, and how much one run may do."""

    raw_days: int = 30
    rollup_days: int = 2 * 365
    max_days_per_run: int = 7


@dataclass(frozen=True)
class RetentionReport:
    """What one run did."""

    raw_rows_removed: int
    rollups_written: int
    rollups_expired: int


def _hour_bucket(session: Session) -> ColumnElement[datetime]:
    if session.get_bind().dialect.name == "postgresql":
        bucket = func.date_trunc("hour", func.timezone("UTC", Reading.measured_at))
    else:  # SQLite keeps naive UTC text
        bucket = func.strftime("%Y-%m-%d %H:00:00", Reading.measured_at)
    return type_coerce(bucket, UTCDateTime())


def downsample_readings(*, factory: sessionmaker[Session], policy: RetentionPolicy, now: datetime) -> RetentionReport:
    """Roll raw readings older than the cutoff into hourly rollups, a day per transaction."""
    cutoff = (now - timedelta(days=policy.raw_days)).replace(minute=0, second=0, microsecond=0)
    removed = written = 0
    for _ in range(policy.max_days_per_run):
        with transaction(factory) as session:
            oldest = session.scalar(select(func.min(Reading.measured_at)).where(Reading.measured_at < cutoff))
            if oldest is None:
                break
            start = oldest.replace(minute=0, second=0, microsecond=0)
            end = min(start + timedelta(days=1), cutoff)
            written += _roll_up(session, start, end)
            removed += rows_changed(session,
                delete(Reading).where(Reading.measured_at >= start, Reading.measured_at < end)
                .execution_options(synchronize_session=False))
    with transaction(factory) as session:
        expired = rows_changed(session,
            delete(ReadingRollup).where(ReadingRollup.bucket_start < now - timedelta(days=policy.rollup_days))
            .execution_options(synchronize_session=False))
    return RetentionReport(raw_rows_removed=removed, rollups_written=written, rollups_expired=expired)


def _roll_up(session: Session, start: datetime, end: datetime) -> int:
    bucket = _hour_bucket(session).label("bucket")
    groups = session.execute(
        select(Reading.wristband_id, Reading.kind, bucket, func.count(), func.min(Reading.value),
               func.max(Reading.value), func.sum(Reading.value), func.min(Reading.resident_id))
        .where(Reading.measured_at >= start, Reading.measured_at < end)
        .group_by(Reading.wristband_id, Reading.kind, bucket)).all()
    existing = {(r.wristband_id, r.kind, r.bucket_start): r for r in session.scalars(
        select(ReadingRollup).where(ReadingRollup.bucket_start >= start, ReadingRollup.bucket_start < end))}
    for band_id, kind, bucket_start, count, low, high, total, resident_id in groups:
        rollup = existing.get((band_id, kind, bucket_start))
        if rollup is None:
            session.add(ReadingRollup(wristband_id=band_id, resident_id=resident_id, kind=kind,
                                      bucket_start=bucket_start, count=count, minimum=low, maximum=high, total=total))
        else:
            rollup.count += count
            rollup.minimum = min(rollup.minimum, low)
            rollup.maximum = max(rollup.maximum, high)
            rollup.total += total
    return len(groups)
