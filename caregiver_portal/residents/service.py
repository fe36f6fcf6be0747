"""Residents as the community services see them: a polite short name, profile, wristband pairing,
and the audit log of who looked at their health data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Grid, User
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.phones import PhoneError, normalise_phone
from caregiver_portal.core.uow import transactional
from caregiver_portal.residents.models import GENDERS, EmergencyContact, HealthAccessLog, Resident, ResidentProfile
from caregiver_portal.residents.privacy import forget_health_readings

COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐", "夏侯", "端木", "司徒",
    "宇文", "南宫", "西门", "独孤", "轩辕", "万俟", "呼延", "申屠", "澹台", "公冶", "太史", "钟离",
})
# From this age on, 奶奶 / 爷爷 sound more natural than 阿姨 / 叔叔.
GRANDPARENT_AGE = 80
GENDER_LABELS = {"female": "女", "male": "男", "": "未填"}
CONSENTS = ("yes", "no", "unknown")


@dataclass(frozen=True)
class ProfileSpec:
    """What a caregiver edits on a resident's profile."""

    name: str
    room: str
    grid_id: int | None
    gender: str
    birth_year: int | None
    phone: str
    consent: str
    """Health-data consent: "yes", "no" or "unknown" (nobody has asked yet)."""
    notes: str


def surname(name: str) -> str:
    """The family name: the first character, or two for a compound surname (欧阳, 诸葛 …)."""
    name = name.strip()
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]


def polite_name(name: str, gender: str, *, birth_year: int | None = None, year: int | None = None) -> str:
    """How a kiosk greets a resident: 王阿姨, 李叔叔, 张奶奶 (80 and over); the full name when the gender is unknown."""
    family = surname(name)
    if not family or gender not in ("female", "male"):
        return name.strip()
    old = birth_year is not None and year is not None and year - birth_year >= GRANDPARENT_AGE
    if gender == "female":
        return family + ("奶奶" if old else "阿姨")
    return family + ("爷爷" if old else "叔叔")


def profile_of(session: Session, resident_id: int) -> ResidentProfile:
    """The resident's profile row (an empty one, not yet stored, when missing)."""
    return session.get(ResidentProfile, resident_id) or ResidentProfile(resident_id=resident_id, gender="",
                                                                        birth_year=None, phone="", notes="")


def greeting_name(session: Session, resident: Resident, *, now: datetime) -> str:
    """The polite short name of a resident, from their profile."""
    profile = profile_of(session, resident.id)
    return polite_name(resident.name, profile.gender, birth_year=profile.birth_year, year=now.year)


def resident_of_site(session: Session, resident_id: int, site_id: int) -> Resident:
    """The resident with ``resident_id`` if they belong to ``site_id``, else :class:`NotFound`."""
    resident = session.get(Resident, resident_id)
    if resident is None or resident.site_id != site_id:
        raise NotFound("这个站点没有这位居民")
    return resident


def lookup_by_code(session: Session, *, code: str, site_id: int) -> Resident:
    """The resident of ``site_id`` with this resident code, or :class:`NotFound`."""
    resident = session.scalar(select(Resident).where(Resident.resident_code == code.strip()))
    if resident is None or resident.site_id != site_id:
        raise NotFound("没有这个居民编号")
    return resident


def update_profile(*, session: Session, resident: Resident, spec: ProfileSpec, now: datetime) -> None:
    """Save a resident's profile (name, room, grid, consent, gender, birth year, phone, notes).

    Withdrawing health-data consent deletes the health readings already stored for them."""
    if spec.consent not in CONSENTS:
        raise InvalidTransition("健康数据授权不正确")
    if not spec.name.strip():
        raise InvalidTransition("姓名不能为空")
    if spec.gender not in GENDERS:
        raise InvalidTransition("性别不正确")
    if spec.birth_year is not None and not 1900 <= spec.birth_year <= now.year:
        raise InvalidTransition("出生年份不正确")
    if spec.grid_id is not None:
        grid = session.get(Grid, spec.grid_id)
        if grid is None or grid.site_id != resident.site_id:
            raise InvalidTransition("网格不属于这个站点")
    resident.name, resident.room, resident.grid_id = spec.name.strip()[:100], spec.room.strip()[:50], spec.grid_id
    set_consent(session=session, resident=resident, consent=spec.consent, now=now)
    profile = session.get(ResidentProfile, resident.id)
    if profile is None:
        profile = ResidentProfile(resident_id=resident.id)
        session.add(profile)
    profile.gender, profile.birth_year, profile.phone = spec.gender, spec.birth_year, spec.phone.strip()[:40]
    profile.notes, profile.updated_at = spec.notes.strip(), now


def consent_of(resident: Resident) -> str:
    """"yes", "no", or "unknown" when nobody has recorded the resident's answer."""
    if resident.health_consent:
        return "yes"
    return "no" if resident.consent_recorded_at is not None else "unknown"


def set_consent(*, session: Session, resident: Resident, consent: str, now: datetime) -> None:
    """Record the resident's health-data answer; withdrawing it deletes the readings stored (PIPL)."""
    if consent_of(resident) == consent:
        return
    if resident.health_consent and consent != "yes":
        forget_health_readings(session=session, resident_id=resident.id)
    resident.health_consent = consent == "yes"
    resident.consent_recorded_at = None if consent == "unknown" else now


def set_gender(*, session: Session, resident_id: int, gender: str, birth_year: int | None = None) -> None:
    """Record gender (and birth year) only, e.g. when seeding."""
    profile = session.get(ResidentProfile, resident_id)
    if profile is None:
        session.add(ResidentProfile(resident_id=resident_id, gender=gender, birth_year=birth_year, phone="",
                                    notes=""))
    else:
        profile.gender, profile.birth_year = gender, birth_year


def contacts_of(session: Session, resident_id: int) -> list[EmergencyContact]:
    """The resident's emergency contacts, in the order they are called."""
    return list(session.scalars(select(EmergencyContact).where(EmergencyContact.resident_id == resident_id)
                                .order_by(EmergencyContact.priority, EmergencyContact.id)))


def add_contact(*, session: Session, resident: Resident, name: str, relation: str, phone: str,
                channel_id: int | None = None) -> EmergencyContact:
    """Add someone to tell when the resident's emergency is not accepted in time (called after those before)."""
    if not name.strip() and not relation.strip():
        raise InvalidTransition("请填写联系人的称呼或姓名")
    try:
        number = normalise_phone(phone)
    except PhoneError as exc:
        raise InvalidTransition(f"电话{exc}") from exc
    if not number:
        raise InvalidTransition("请填写联系人的电话")
    last = max((contact.priority for contact in contacts_of(session, resident.id)), default=-1)
    contact = EmergencyContact(resident_id=resident.id, name=(name.strip() or relation.strip())[:100],
                               relation=relation.strip()[:40], phone=number, channel_id=channel_id, priority=last + 1)
    session.add(contact)
    session.flush()
    return contact


def remove_contact(*, session: Session, resident: Resident, contact_id: int) -> EmergencyContact:
    """Take a contact off the resident's list."""
    contact = session.get(EmergencyContact, contact_id)
    if contact is None or contact.resident_id != resident.id:
        raise NotFound("这位居民没有这个联系人")
    session.delete(contact)
    return contact


def pair_wristband(*, session: Session, resident: Resident, wristband_id: int) -> Wristband:
    """Pair a wristband of the resident's site with the resident (taking it from whoever had it)."""
    band = session.get(Wristband, wristband_id)
    if band is None or band.site_id != resident.site_id:
        raise NotFound("这个站点没有这只手环")
    band.resident_id = resident.id
    band.label = f"{resident.name}的手环"
    return band


def unpair_wristband(*, session: Session, resident: Resident, wristband_id: int) -> Wristband:
    """Take a wristband away from the resident."""
    band = session.get(Wristband, wristband_id)
    if band is None or band.resident_id != resident.id:
        raise NotFound("这位居民没有这只手环")
    band.resident_id = None
    band.label = "未配对手环"
    return band


@transactional
def log_health_access(*, session: Session, user: User, resident: Resident, view: str, now: datetime,
                      client: str = "") -> None:
    """Write who looked at a resident's health data (PIPL audit)."""
    session.add(HealthAccessLog(user_id=user.id, resident_id=resident.id, at=now, view=view[:40], client=client[:64]))


def access_log(session: Session, *, resident_id: int, limit: int = 50) -> list[HealthAccessLog]:
    """The latest health-data views of a resident, newest first."""
    return list(session.scalars(select(HealthAccessLog).where(HealthAccessLog.resident_id == resident_id)
                                .order_by(HealthAccessLog.at.desc(), HealthAccessLog.id.desc()).limit(limit)))
