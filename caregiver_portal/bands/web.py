"""The admin's bands page: each band's decoder and key (fingerprint only), where it was last heard, its
battery and signal, and the suspicious radio notices bridges report (someone imitating the band)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts import admin as admin_service
from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.accounts.models import User
from caregiver_portal.bands.keys import (
    KEYED_SCHEMES,
    SCHEME_LABELS,
    SCHEMES,
    KeyVault,
    generate_band_key,
    key_ids,
    parse_key,
    set_band_key,
)
from caregiver_portal.bands.models import BandStatus, Wristband
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep, StateDep
from caregiver_portal.core.errors import InvalidTransition, PortalError
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import flash, redirect, render

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
Text = Annotated[PlainText, Form(max_length=200)]


@dataclass(frozen=True)
class BandRow:
    """One band on the page."""

    band: Wristband
    status: BandStatus | None
    key_id: str | None


def band_rows(session: Session, admin: User) -> list[BandRow]:
    """The bands of the admin's sites; those with suspicious radio activity first."""
    site_ids = [s.id for s in admin_service.managed_sites(session, admin=admin)]
    rows = session.execute(
        select(Wristband, BandStatus).outerjoin(BandStatus, BandStatus.wristband_id == Wristband.id)
        .where(Wristband.site_id.in_(site_ids)).order_by(Wristband.address)
    ).all()
    keys = key_ids(session=session, wristband_ids=[band.id for band, _ in rows])
    found = [BandRow(band, status, keys.get(band.id)) for band, status in rows]
    found.sort(key=lambda r: -(r.status.suspicious_total if r.status else 0))
    return found


def _page(request: Request, user: User, session: Session, *, shown_key: str | None = None,
          shown_for: Wristband | None = None) -> Response:
    rows = band_rows(session, user)
    response = render(request, "admin_bands.html", user, rows=rows, schemes=SCHEMES, labels=SCHEME_LABELS,
                      keyed=KEYED_SCHEMES, suspicious=sum(1 for r in rows if r.status and r.status.suspicious_total),
                      shown_key=shown_key, shown_for=shown_for)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/bands")
def bands_page(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Every band of the admin's sites with its key, last radio, battery and suspicious notices."""
    return _page(request, user, session)


@router.post("/admin/bands/{band_id}/key", dependencies=CSRF)
def set_key(request: Request, band_id: int, user: AdminUser, session: SessionDep, state: StateDep, scheme: Text,
            key: Text = "", generate: Text = "") -> Response:
    """Enrol a band with its decoder and key: a bind key typed in, none, or (Anxin band) a new key shown once."""
    vault = KeyVault(state.settings.secret_key)
    try:
        band = admin_service.managed(session, Wristband, band_id, admin=user, missing="找不到这个手环")
        if generate:
            if scheme != "anxin":
                raise InvalidTransition("只有安心手环由门户生成密钥；按钮请填写它自己的绑定密钥")
            new_key = generate_band_key(session=session, vault=vault, band=band, user_id=user.id, now=utcnow())
            return _page(request, user, session, shown_key=new_key.hex(), shown_for=band)
        parsed = parse_key(key) if key.strip() else None
        set_band_key(session=session, vault=vault, band=band, scheme=scheme, key=parsed, user_id=user.id,
                     now=utcnow())
    except PortalError as exc:
        flash(request, str(exc), "error")
        return redirect("/admin/bands")
    flash(request, f"{band.address} 已保存：{SCHEME_LABELS[scheme]}，{'已设置密钥' if parsed else '没有密钥'}")
    return redirect("/admin/bands")
