"""The admin's pairing page (phone first): "附近的新手环" with their signal, the one just pressed lit up (the page
polls ``/admin/bands/nearby.json`` every second), and one form that pairs it with a resident, its key included."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts import admin as admin_service
from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.accounts.models import User
from caregiver_portal.bands.enrol import LIT_FOR, heard_lately, is_lit, pair_band
from caregiver_portal.bands.keys import KEYED_SCHEMES, SCHEME_LABELS, SCHEMES, KeyVault, parse_key
from caregiver_portal.bands.models import UnknownBand, Wristband
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep, StateDep
from caregiver_portal.core.errors import NotFound, PortalError
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import flash, redirect, render
from caregiver_portal.residents.models import Resident

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
Text = Annotated[PlainText, Form(max_length=200)]
SIGNAL_LEVELS = ((-60, "很强"), (-70, "强"), (-80, "一般"))
"""Lowest RSSI (dBm) of each level, strongest first; below the last: 弱."""


def signal_label(rssi: int | None) -> str:
    """Signal strength in words for the page (the dBm are shown beside it)."""
    if rssi is None:
        return "未知"
    return next((label for floor, label in SIGNAL_LEVELS if rssi >= floor), "弱")


def band_json(band: UnknownBand, now: datetime) -> dict[str, Any]:
    """One heard band as the page's script draws it."""
    return {"address": band.address, "name": band.name or "", "kind": band.kind,
            "kind_label": SCHEME_LABELS.get(band.kind, band.kind), "rssi": band.rssi, "signal": signal_label(band.rssi),
            "pressed_at": band.pressed_at.isoformat() if band.pressed_at else None, "lit": is_lit(band, now)}


def _site_ids(session: Session, admin: User) -> list[int]:
    return [s.id for s in admin_service.managed_sites(session, admin=admin)]


def _residents(session: Session, site_ids: list[int]) -> list[tuple[Resident, bool]]:
    """The residents to choose from, those without a band first (then by room), each with "has a band"."""
    worn = set(session.scalars(select(Wristband.resident_id).where(Wristband.site_id.in_(site_ids),
                                                                   Wristband.resident_id.is_not(None))))
    residents = session.scalars(select(Resident).where(Resident.site_id.in_(site_ids)))
    return sorted(((r, r.id in worn) for r in residents), key=lambda p: (p[1], p[0].room, p[0].name, p[0].id))


def _page(request: Request, user: User, session: Session, *, shown_key: str | None = None,
          shown_for: Wristband | None = None) -> Response:
    site_ids, now = _site_ids(session, user), utcnow()
    response = render(request, "admin_band_pair.html", user, heard=[band_json(b, now) for b in
                                                                     heard_lately(session=session, site_ids=site_ids,
                                                                                  now=now)],
                      residents=_residents(session, site_ids), schemes=SCHEMES, labels=SCHEME_LABELS,
                      keyed=KEYED_SCHEMES, lit_seconds=int(LIT_FOR.total_seconds()), shown_key=shown_key,
                      shown_for=shown_for)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/bands/pair")
def pair_page(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Bands heard near the admin's sites that are not registered, and the form that pairs one."""
    return _page(request, user, session)


@router.get("/admin/bands/nearby.json")
def nearby_json(user: AdminUser, session: SessionDep) -> Response:
    """The page's live list: unknown bands heard lately, the latest pressed first."""
    now = utcnow()
    bands = heard_lately(session=session, site_ids=_site_ids(session, user), now=now)
    return JSONResponse({"now": now.isoformat(), "bands": [band_json(b, now) for b in bands]},
                        headers={"Cache-Control": "no-store"})


@router.post("/admin/bands/pair", dependencies=CSRF)
def pair(request: Request, user: AdminUser, session: SessionDep, state: StateDep, resident_id: Text,
         scheme: Text = "anxin", address: Text = "", address_typed: Text = "", key: Text = "") -> Response:
    """Pair the chosen (or typed) band with a resident in one step: an Anxin band without a key typed in gets a
    new key, shown once."""
    chosen = (address or address_typed).strip()
    try:
        resident = session.get(Resident, int(resident_id)) if resident_id.isdigit() else None
        if resident is None or resident.site_id not in _site_ids(session, user):
            raise NotFound("请选择要配对的居民")
        parsed = parse_key(key) if key.strip() else None
        paired = pair_band(session=session, vault=KeyVault(state.settings.secret_key), address=chosen,
                           resident=resident, scheme=scheme, key=parsed, generate=scheme == "anxin" and parsed is None,
                           user_id=user.id, now=utcnow())
        moved_from = session.get(Resident, paired.previous_resident_id) if paired.previous_resident_id else None
    except PortalError as exc:
        flash(request, str(exc), "error")
        return redirect("/admin/bands/pair")
    message = f"已配对：{paired.band.address} → {resident.name}（{resident.room or '未填房间'}）"
    if moved_from is not None:
        message += f"。原来是 {moved_from.name} 的手环，之前的读数仍归 {moved_from.name}"
    flash(request, message)
    if paired.new_key is not None:
        return _page(request, user, session, shown_key=paired.new_key.hex(), shown_for=paired.band)
    return redirect("/admin/bands/pair")
