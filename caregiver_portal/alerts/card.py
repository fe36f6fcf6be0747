"""What the board card shows beyond the alert row: the escalation step reached, the next step and its time,
what to do now (with numbers to tap), what a health alert found, and a late arrival's delivery line.

A volunteer reading the card on a phone must not need 详情 to act: at the contacts step the card says
"请电话联系 女儿 张小红 139…" with a ``tel:`` link, before it "前往 3号楼201" and the resident's own number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.alerts.models import Alert
from caregiver_portal.alerts.press_time import delivery_note
from caregiver_portal.escalation.models import Escalation
from caregiver_portal.escalation.policy import Phase, PolicySet
from caregiver_portal.escalation.progress import Progress, progress
from caregiver_portal.residents.care import escalation_factor
from caregiver_portal.residents.models import EmergencyContact, ResidentProfile


@dataclass(frozen=True)
class Phone:
    """Someone to call: who, and the number for a ``tel:`` link."""

    who: str
    number: str


@dataclass(frozen=True)
class CardView:
    """The card's extra lines for one alert."""

    progress: Progress | None
    """None for an alert that no longer escalates (resolved, cancelled, a fall cancelled on the band)."""
    instruction: str
    """What to do now, in words ("请电话联系紧急联系人", "请接单并前往 3号楼201")."""
    phones: tuple[Phone, ...]
    """Numbers to tap for the instruction."""
    finding: str | None
    """What a health alert found and how much ("心率持续偏高：最高 149 次/分（>120，≥5 分钟）")."""
    late: str | None
    """"按下于 08:31，网络中断后 33 秒送达" for an alert that arrived late."""


def instruction_for(alert: Alert, reached_contacts: bool, contacts: Sequence[Phone],
                    resident_phone: Phone | None) -> tuple[str, tuple[Phone, ...]]:
    """The instruction and its numbers: phone the contacts once the ladder reached them, else go there."""
    place = alert.place or "现场"
    if alert.state == "accepted":
        return f"{alert.accepted_by.display_name if alert.accepted_by else '接单人'} 正在处理，前往 {place}", (
            (resident_phone,) if resident_phone else ())
    if reached_contacts and contacts:
        return "已到联系家属这一级：请电话联系", tuple(contacts)
    return f"请接单并前往 {place}", (resident_phone,) if resident_phone else ()


def card_views(session: Session, alerts: Sequence[Alert], *, policies: PolicySet, zone: tzinfo) -> dict[int, CardView]:
    """The card lines of ``alerts`` (three queries, whatever their number)."""
    ids = [alert.id for alert in alerts]
    residents = {alert.resident_id for alert in alerts if alert.resident_id is not None}
    rows = {row.alert_id: row for row in session.scalars(select(Escalation).where(Escalation.alert_id.in_(ids)))}
    contacts: dict[int, list[Phone]] = defaultdict(list)
    for contact in session.scalars(select(EmergencyContact).where(EmergencyContact.resident_id.in_(residents))
                                   .order_by(EmergencyContact.priority, EmergencyContact.id)):
        if contact.phone:
            contacts[contact.resident_id].append(Phone(f"{contact.relation} {contact.name}".strip(), contact.phone))
    own = {profile.resident_id: profile.phone for profile in session.scalars(
        select(ResidentProfile).where(ResidentProfile.resident_id.in_(residents))) if profile.phone}
    views = {}
    for alert in alerts:
        row = rows.get(alert.id)
        step = _progress(alert, row, policies)
        resident_phone = None
        if alert.resident_id in own:
            name = alert.resident.name if alert.resident else "老人"
            resident_phone = Phone(f"{name}本人", own[alert.resident_id])
        instruction, phones = instruction_for(alert, bool(step and step.contacts_reached),
                                              contacts.get(alert.resident_id or 0, []), resident_phone)
        finding = alert.details.get("finding") if alert.kind == "health" else None
        views[alert.id] = CardView(step, instruction, phones, str(finding) if finding else None,
                                   delivery_note(alert.kind, alert.occurred_at, alert.received_at, zone))
    return views


def _progress(alert: Alert, row: Escalation | None, policies: PolicySet) -> Progress | None:
    if row is None or alert.state not in ("open", "accepted"):
        return None
    care_level = alert.resident.care_level if alert.resident is not None else None
    policy = policies.for_alert(alert.kind, alert.emergency).for_care(escalation_factor(care_level))
    phase: Phase = "open" if row.phase == "open" else "accepted"
    return progress(policy, phase=phase, anchor=row.anchor_at, fired=row.fired, open_fired=row.open_fired)
