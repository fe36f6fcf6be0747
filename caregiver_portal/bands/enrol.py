"""Enrolment: the bands bridges hear that are not registered, and pairing a band with a resident in one step.

A bridge reports the unregistered bands and buttons it hears (``POST /api/v1/bands/unknown``,
one row per site and address, upserted) with the moment it last heard a press. The admin's
page lists those heard lately ("附近的新手环"), lights up the one just pressed, and
:func:`pair_band` registers it for a resident with its decoder and key (typed in, or generated
for an Anxin band), or moves a registered band to another resident. Readings carry the
resident at ingest, so a moved band's history stays with whoever wore it.

Keyword-only service functions, ``now`` passed in; each writing one is a unit of work (``core.uow``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Device
from caregiver_portal.bands.keys import SCHEME_LABELS, KeyVault, generate_band_key, set_band_key
from caregiver_portal.bands.models import UnknownBand, Wristband
from caregiver_portal.bands.service import MAX_CLOCK_SKEW, STATUS_RANGES
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.residents.models import Resident

NEARBY_WINDOW = timedelta(minutes=2)
"""Unknown bands heard within this are listed on the pairing page."""
LIT_FOR = timedelta(seconds=15)
"""A band pressed within this is shown lit up."""
RSSI_RANGE = STATUS_RANGES["rssi"]
"""A signal outside this is not physical: stored as unknown."""


@dataclass(frozen=True)
class HeardBand:
    """One unregistered band as a bridge reports it."""

    address: str
    kind: str
    name: str | None
    rssi: int | None
    radio: str | None
    last_seen_at: datetime
    pressed_at: datetime | None


@dataclass(frozen=True)
class UnknownResult:
    """How a report was taken."""

    stored: int
    registered: tuple[str, ...]
    """Reported addresses that are registered at the site now (the bridge fetches their keys)."""


@dataclass(frozen=True)
class Paired:
    """The outcome of :func:`pair_band`."""

    band: Wristband
    new_key: bytes | None
    """A key generated for an Anxin band (shown once), else None."""
    previous_resident_id: int | None
    """Who wore the band before (a move), None for a new band or a free one."""


@transactional
def record_unknown(*, session: Session, device: Device, heard: Sequence[HeardBand], now: datetime) -> UnknownResult:
    """Upsert the unknown bands a bridge hears; registered ones are answered, not stored."""
    latest = {band.address.upper(): band for band in heard}
    registered = set(session.scalars(select(func.upper(Wristband.address)).where(
        Wristband.site_id == device.site_id, func.upper(Wristband.address).in_(latest))))
    rows = {row.address: row for row in session.scalars(
        select(UnknownBand).where(UnknownBand.site_id == device.site_id, UnknownBand.address.in_(latest)))}
    stored = 0
    for address, band in latest.items():
        if address in registered or band.last_seen_at > now + MAX_CLOCK_SKEW:
            continue
        row = rows.get(address) or _first_row(session, device, address, band, now)
        if row.device_id != device.id and band.last_seen_at < row.last_seen_at:
            continue  # another bridge heard it more recently
        rssi = band.rssi if band.rssi is not None and RSSI_RANGE[0] <= band.rssi <= RSSI_RANGE[1] else None
        row.kind, row.name, row.rssi, row.radio = band.kind, band.name, rssi, band.radio
        row.device_id, row.last_seen_at, row.reported_at = device.id, min(band.last_seen_at, now), now
        if band.pressed_at is not None and (row.pressed_at is None or band.pressed_at > row.pressed_at):
            row.pressed_at = min(band.pressed_at, now)
        stored += 1
    session.flush()
    return UnknownResult(stored, tuple(sorted(registered)))


def _first_row(session: Session, device: Device, address: str, band: HeardBand, now: datetime) -> UnknownBand:
    """The band's row, inserted now, or as another bridge of the site stored it a moment ago."""
    row, _created = insert_once(
        session, UnknownBand(site_id=device.site_id, address=address, kind=band.kind, device_id=device.id,
                             last_seen_at=band.last_seen_at, reported_at=now),
        lambda: session.scalar(select(UnknownBand).where(UnknownBand.site_id == device.site_id,
                                                         UnknownBand.address == address).with_for_update()))
    return row


def heard_lately(*, session: Session, site_ids: Sequence[int], now: datetime) -> list[UnknownBand]:
    """Unknown bands of these sites heard within :data:`NEARBY_WINDOW`: the latest pressed first, then the
    strongest signal."""
    rows = list(session.scalars(select(UnknownBand).where(UnknownBand.site_id.in_(site_ids),
                                                          UnknownBand.last_seen_at >= now - NEARBY_WINDOW)))
    rows.sort(key=lambda r: (r.pressed_at is None, -(r.pressed_at.timestamp() if r.pressed_at else 0.0),
                             r.rssi is None, -(r.rssi or 0), r.address))
    return rows


def is_lit(band: UnknownBand, now: datetime) -> bool:
    """The band was pressed within :data:`LIT_FOR`."""
    return band.pressed_at is not None and now - band.pressed_at <= LIT_FOR


@transactional
def pair_band(*, session: Session, vault: KeyVault, address: str, resident: Resident, scheme: str,
              key: bytes | None, generate: bool, user_id: int | None, now: datetime) -> Paired:
    """Register the band ``address`` for ``resident`` with its decoder and key, or move a registered band of
    the resident's site to them (its decoder and key stay unless a new key is given; change them on the bands
    page). ``generate``: a new Anxin band given no key gets a new one (returned once)."""
    address = address.strip().upper()
    if not address:
        raise InvalidTransition("请选择或填写手环地址")
    if scheme not in SCHEME_LABELS:
        raise InvalidTransition(f"未知的设备类型 {scheme}")
    band = session.scalar(select(Wristband).where(func.upper(Wristband.address) == address))
    if band is not None and band.site_id != resident.site_id:
        raise InvalidTransition(f"手环 {address} 已登记在另一个站点")
    previous = band.resident_id if band is not None else None
    created = band is None
    if band is None:
        if scheme == "mibeacon" and key is None:
            raise InvalidTransition("小米按钮没有绑定密钥就收不到它的求救：请填写绑定密钥")
        band = Wristband(site_id=resident.site_id, address=address, scheme=scheme)
        session.add(band)
    band.resident_id, band.label = resident.id, f"{resident.name}的手环"
    session.flush()
    new_key = None
    if key is None and generate and created:
        if scheme != "anxin":
            raise InvalidTransition("只有安心手环由门户生成密钥；按钮请填写它自己的绑定密钥")
        new_key = generate_band_key(session=session, vault=vault, band=band, user_id=user_id, now=now)
    elif key is not None or created:
        set_band_key(session=session, vault=vault, band=band, scheme=scheme, key=key, user_id=user_id, now=now)
    session.execute(delete(UnknownBand).where(UnknownBand.address == address))
    return Paired(band, new_key, previous if previous != resident.id else None)


def resident_by_code_or_id(session: Session, *, site_id: int | None, code: str) -> Resident:
    """A resident named by 居民码 (or ``#id``), of ``site_id`` when given."""
    code = code.strip()
    query = select(Resident)
    if code.startswith("#") and code[1:].isdigit():
        query = query.where(Resident.id == int(code[1:]))
    else:
        query = query.where(Resident.resident_code == code)
    if site_id is not None:
        query = query.where(Resident.site_id == site_id)
    resident = session.scalar(query)
    if resident is None:
        raise NotFound(f"找不到居民码为 {code} 的居民")
    return resident
