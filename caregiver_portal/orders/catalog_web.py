"""The grocery catalog page for admins: items with picture, unit, synonyms, usual price, category."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

import assets
from caregiver_portal.accounts.access import site_for_new_rows
from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.web import attempt, parse_yuan, render
from caregiver_portal.orders import catalog as catalog_service

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
Text = Annotated[str, Form(max_length=500)]
PICTURES = assets.path("pictures", "catalog")
# Names of the bundled pictures, so an admin picks "番茄" rather than "1f345.svg".
PICTURE_LABELS = {spec.picture: spec.name for spec in catalog_service.DEMO_CATALOG} | {"1f6d2.svg": "购物车（通用）"}


def _spec(name: str, category: str, unit: str, price: str, synonyms: str, picture: str) -> catalog_service.ItemSpec:
    try:
        fen = parse_yuan(price) if price.strip() else None
    except ValueError as exc:
        raise InvalidTransition("参考价请填数字，例如 3.5") from exc
    if picture and picture not in PICTURE_LABELS:
        raise InvalidTransition("请选择一张图片")
    return catalog_service.ItemSpec(name=name, category=category, unit=unit, usual_price_fen=fen,
                                    synonyms=catalog_service.parse_synonyms(synonyms), picture=picture)


@router.get("/catalog")
def catalog_page(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Every item of the admin's site, each with its edit form, and a form for a new item."""
    items = catalog_service.list_items(session, site_id=site_for_new_rows(user), include_inactive=True)
    pictures = sorted(p.name for p in PICTURES.glob("*.svg") if p.name in PICTURE_LABELS)
    return render(request, "catalog.html", user, items=items, categories=catalog_service.CATEGORIES,
                  units=catalog_service.UNITS, pictures=pictures, PICTURE_LABELS=PICTURE_LABELS,
                  picture_url=catalog_service.picture_url)


@router.post("/catalog", dependencies=CSRF)
def add_item(request: Request, user: AdminUser, session: SessionDep, name: Text, category: Text, unit: Text,
             price: Text = "", synonyms: Text = "", picture: Text = "") -> Response:
    """Add an item to the catalog."""
    return attempt(request, session, lambda: catalog_service.create_item(
        session=session, site_id=site_for_new_rows(user), spec=_spec(name, category, unit, price, synonyms, picture)),
        done=f"已添加“{name}”", then="/catalog")


@router.post("/catalog/{item_id}", dependencies=CSRF)
def save_item(request: Request, item_id: int, user: AdminUser, session: SessionDep, name: Text, category: Text,
              unit: Text, price: Text = "", synonyms: Text = "", picture: Text = "", active: Text = "") -> Response:
    """Save an item (or take it off the kiosk by unticking 上架)."""
    return attempt(request, session, lambda: catalog_service.update_item(
        session=session, item_id=item_id, site_id=site_for_new_rows(user),
        spec=_spec(name, category, unit, price, synonyms, picture), active=active == "yes"),
        done=f"已保存“{name}”", then=f"/catalog#item-{item_id}")
