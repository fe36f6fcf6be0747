"""Residents in the browser (grid workers and admins): list, profile, consent, wristband pairing.
Their health trends are :mod:`caregiver_portal.health.web`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import or_, select

from caregiver_portal.accounts.deps import StaffUser
from caregiver_portal.accounts.models import Grid
from caregiver_portal.activities import service as activity_service
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.pagination import list_query, paginate
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, render
from caregiver_portal.orders.models import GroceryOrder
from caregiver_portal.orders.service import STATE_LABELS as ORDER_STATE_LABELS
from caregiver_portal.residents import service as resident_service
from caregiver_portal.residents.models import EmergencyContact, Resident
from caregiver_portal.residents.scope import ScopeDep, resident_in_scope
from caregiver_portal.visits.models import Visit

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]


MISSING = {"contact": "没有紧急联系人", "consent": "没有登记健康数据授权"}


@router.get("/residents")
def resident_list(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep, q: str = "",
                  missing: str = "") -> Response:
    """Residents of the user's grids, searchable by name, room or code, a page at a time (``page``); ``missing``
    lists those the go-live checklist points at (no emergency contact, consent not recorded)."""
    query = scope.filter_residents(select(Resident))
    if missing == "contact":
        query = query.where(~select(EmergencyContact.id).where(EmergencyContact.resident_id == Resident.id).exists())
    elif missing == "consent":
        query = query.where(Resident.consent_recorded_at.is_(None))
    if q.strip():
        like = f"%{q.strip()[:50]}%"
        query = query.where(or_(Resident.name.like(like), Resident.room.like(like), Resident.resident_code.like(like)))
    lq = list_query(request.query_params, extra=("missing",))
    if lq.grid_id is not None:
        query = query.where(Resident.grid_id == lq.grid_id)
    page = paginate(session, query.order_by(Resident.room, Resident.id), lq)
    grids = _grids(session, scope.site_id)
    return render(request, "residents_list.html", user, residents=page.items, page=page, path="/residents", q=q,
                  grid=lq.grid_id, grids=grids, grid_names={g.id: g.name for g in grids},
                  missing=MISSING.get(missing, ""))


def _grids(session: SessionDep, site_id: int | None) -> list[Grid]:
    query = select(Grid).order_by(Grid.site_id, Grid.name)
    if site_id is not None:
        query = query.where(Grid.site_id == site_id)
    return list(session.scalars(query))


@router.get("/residents/{resident_id}")
def resident_detail(request: Request, resident_id: int, user: StaffUser, session: SessionDep,
                    scope: ScopeDep) -> Response:
    """A resident's profile, wristbands, latest orders, sign-ups and visits."""
    resident = resident_in_scope(session, scope, resident_id)
    now = utcnow()
    bands = list(session.scalars(select(Wristband).where(Wristband.site_id == resident.site_id)
                                 .order_by(Wristband.address)))
    orders = list(session.scalars(select(GroceryOrder).where(GroceryOrder.resident_id == resident.id)
                                  .order_by(GroceryOrder.created_at.desc()).limit(5)))
    visits = list(session.scalars(select(Visit).where(Visit.resident_id == resident.id)
                                  .order_by(Visit.visited_at.desc()).limit(5)))
    return render(request, "resident_detail.html", user, resident=resident,
                  profile=resident_service.profile_of(session, resident.id),
                  greeting=resident_service.greeting_name(session, resident, now=now),
                  consent=resident_service.consent_of(resident),
                  grids=[g for g in _grids(session, resident.site_id)],
                  my_bands=[b for b in bands if b.resident_id == resident.id],
                  free_bands=[b for b in bands if b.resident_id is None], orders=orders, visits=visits,
                  signups=activity_service.signups_of_resident(session, resident_id=resident.id, now=now),
                  contacts=resident_service.contacts_of(session, resident.id),
                  ORDER_STATE_LABELS=ORDER_STATE_LABELS, SIGNUP_LABELS=activity_service.SIGNUP_LABELS,
                  GENDER_LABELS=resident_service.GENDER_LABELS)


FormText = Annotated[PlainText, Form(max_length=2000)]


@router.post("/residents/{resident_id}", dependencies=CSRF)
def save_profile(request: Request, resident_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
                 name: FormText, room: FormText = "", grid_id: FormText = "", gender: FormText = "",
                 birth_year: FormText = "", phone: FormText = "", notes: FormText = "",
                 health_consent: FormText = "") -> Response:
    """Save the profile form."""
    def action() -> None:
        resident = resident_in_scope(session, scope, resident_id)
        if birth_year.strip() and not birth_year.strip().isdigit():
            raise InvalidTransition("出生年份请填 4 位数字")
        spec = resident_service.ProfileSpec(
            name=name, room=room, grid_id=int(grid_id) if grid_id.isdigit() else None, gender=gender,
            birth_year=int(birth_year) if birth_year.strip() else None, phone=phone,
            consent=health_consent or "unknown", notes=notes)
        resident_service.update_profile(session=session, resident=resident, spec=spec, now=utcnow())

    return attempt(request, session, action, done="已保存", then=f"/residents/{resident_id}")


@router.post("/residents/{resident_id}/wristbands", dependencies=CSRF)
def pair_band(request: Request, resident_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
              wristband_id: Annotated[int, Form()]) -> Response:
    """Pair a free wristband with the resident."""
    return attempt(request, session, lambda: resident_service.pair_wristband(
        session=session, resident=resident_in_scope(session, scope, resident_id), wristband_id=wristband_id),
        done="手环已配对", then=f"/residents/{resident_id}")


@router.post("/residents/{resident_id}/wristbands/{wristband_id}/unpair", dependencies=CSRF)
def unpair_band(request: Request, resident_id: int, wristband_id: int, user: StaffUser, session: SessionDep,
                scope: ScopeDep) -> Response:
    """Take a wristband away from the resident."""
    return attempt(request, session, lambda: resident_service.unpair_wristband(
        session=session, resident=resident_in_scope(session, scope, resident_id), wristband_id=wristband_id),
        done="手环已解除配对", then=f"/residents/{resident_id}")




@router.post("/residents/{resident_id}/contacts", dependencies=CSRF)
def add_contact(request: Request, resident_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
                name: FormText = "", relation: FormText = "", phone: FormText = "") -> Response:
    """Add an emergency contact (told when nobody accepts the resident's emergency within 180 s)."""
    return attempt(request, session, lambda: resident_service.add_contact(
        session=session, resident=resident_in_scope(session, scope, resident_id), name=name, relation=relation,
        phone=phone), done="紧急联系人已添加", then=f"/residents/{resident_id}#contacts")


@router.get("/residents/{resident_id}/contacts/{contact_id}/remove")
def confirm_remove_contact(request: Request, resident_id: int, contact_id: int, user: StaffUser,
                           session: SessionDep, scope: ScopeDep) -> Response:
    """Ask before taking a contact off the list."""
    resident = resident_in_scope(session, scope, resident_id)
    contact = next((c for c in resident_service.contacts_of(session, resident.id) if c.id == contact_id), None)
    if contact is None:
        raise NotFound("这位居民没有这个联系人")
    return render(request, "confirm.html", user, title="删除紧急联系人",
                  question=f"确定要把 {contact.relation} {contact.name}（{contact.phone}）"
                           f"从{resident.name}的紧急联系人中删除吗？",
                  consequence="删除后，无人接单时不会再通知这位联系人。",
                  action=f"/residents/{resident_id}/contacts/{contact_id}/remove", button="删除联系人",
                  back=f"/residents/{resident_id}#contacts")


@router.post("/residents/{resident_id}/contacts/{contact_id}/remove", dependencies=CSRF)
def remove_contact(request: Request, resident_id: int, contact_id: int, user: StaffUser, session: SessionDep,
                   scope: ScopeDep) -> Response:
    """Take a contact off the resident's list (after the confirmation page)."""
    return attempt(request, session, lambda: resident_service.remove_contact(
        session=session, resident=resident_in_scope(session, scope, resident_id), contact_id=contact_id),
        done="紧急联系人已删除", then=f"/residents/{resident_id}#contacts")
