"""Recording check-ins: from a device (a band's double press through its bridge, 我今天很好 at the kiosk),
idempotently on the device's event id, and from a volunteer or grid worker who saw the resident."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import DEFAULT_TIMEZONE, Device, Site, User
from caregiver_portal.alerts.models import ACTIVE_STATES, Alert
from caregiver_portal.alerts.timeline import add_timeline
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.errors import NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.residents.models import Resident
from caregiver_portal.roll_calls.service import answer_for_resident
from caregiver_portal.safety.checkin_rules import local_day
from caregiver_portal.safety.models import Checkin

SOURCE_LABELS = {"band": "手环双击", "kiosk": "自助机“我今天很好”", "staff": "见到本人", "worn": "早上戴着手环"}


@dataclass(frozen=True)
class RecordedCheckin:
    """A stored check-in and whether the request was a re-send of one stored before."""

    checkin: Checkin
    duplicate: bool


def zone_named(name: str | None) -> ZoneInfo:
    """The time zone called ``name`` (the default one if unknown)."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def site_zone(site: Site | None) -> ZoneInfo:
    """The site's time zone (the default one if unknown)."""
    return zone_named(site.timezone if site is not None else None)


@transactional
def record_device_checkin(*, session: Session, device: Device, event_id: str, now: datetime,
                          wristband: str | None = None, resident_id: int | None = None,
                          occurred_at: datetime | None = None, radio: str | None = None) -> RecordedCheckin:
    """Store a device's check-in once per ``event_id`` (a re-send answers with the stored one; the route has
    claimed the id with the request's digest, :func:`caregiver_portal.core.idempotency.claim_request`).

    A band's check-in names its address (the resident is the band's wearer); a kiosk's names the resident
    it identified.
    """
    stored = _by_event(session, device, event_id)
    if stored is not None:
        return RecordedCheckin(stored, duplicate=True)
    band, resident = _subject(session, device=device, wristband=wristband, resident_id=resident_id)
    at = min(occurred_at or now, now)
    row = Checkin(site_id=resident.site_id, resident_id=resident.id, day=local_day(at, site_zone(resident.site)),
                  at=at, source="band" if band else "kiosk", device_id=device.id, client_event_id=event_id,
                  wristband_id=band.id if band else None, radio=radio, received_at=now)
    row, created = insert_once(session, row, lambda: _by_event(session, device, event_id))
    if not created:
        return RecordedCheckin(row, duplicate=True)
    _answer_elsewhere(session, row, now=now)
    return RecordedCheckin(row, duplicate=False)


@transactional
def record_staff_checkin(*, session: Session, resident: Resident, user: User, now: datetime) -> Checkin:
    """A volunteer or grid worker saw the resident today and says so."""
    row = Checkin(site_id=resident.site_id, resident_id=resident.id, day=local_day(now, site_zone(resident.site)),
                  at=now, source="staff", user_id=user.id, received_at=now)
    session.add(row)
    session.flush()
    _answer_elsewhere(session, row, now=now, user=user)
    return row


def _answer_elsewhere(session: Session, row: Checkin, *, now: datetime, user: User | None = None) -> None:
    """A check-in also answers the resident's open roll calls (平安) and tells an active ``no_checkin`` alert."""
    answer_for_resident(session, resident_id=row.resident_id, answer="safe", source="checkin", now=now)
    note_on_alert(session, row, now=now, user=user)


def note_on_alert(session: Session, row: Checkin, *, now: datetime, user: User | None = None) -> None:
    """Tell the volunteers on an active ``no_checkin`` alert of the resident that the check-in came."""
    alert = session.scalar(select(Alert).where(Alert.kind == "no_checkin", Alert.resident_id == row.resident_id,
                                               Alert.state.in_(ACTIVE_STATES)).order_by(Alert.id.desc()).limit(1))
    if alert is not None:
        add_timeline(session, alert, type="note", now=now, user=user,
                     message=f"已平安打卡：{SOURCE_LABELS.get(row.source, row.source)}")


def _subject(session: Session, *, device: Device, wristband: str | None,
             resident_id: int | None) -> tuple[Wristband | None, Resident]:
    if wristband is not None:
        band = session.scalar(select(Wristband).where(Wristband.address == wristband,
                                                      Wristband.site_id == device.site_id))
        if band is None or band.resident_id is None:
            raise NotFound("wristband not registered to a resident at this site")
        resident = session.get(Resident, band.resident_id)
        if resident is None:
            raise NotFound("wristband not registered to a resident at this site")
        return band, resident
    resident = session.get(Resident, resident_id) if resident_id is not None else None
    if resident is None or resident.site_id != device.site_id:
        raise NotFound("resident not found at this site")
    return None, resident


def _by_event(session: Session, device: Device, event_id: str) -> Checkin | None:
    return session.scalar(select(Checkin).where(Checkin.device_id == device.id, Checkin.client_event_id == event_id))
