"""Every order of a site, newest first, filtered by date, state and grid and read one page at a time (the
queue at ``/orders`` shows only the open ones)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.core.pagination import ListQuery, Page, paginate
from caregiver_portal.orders.models import GroceryOrder, GroceryOrderLine
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import Scope


def orders_query(*, scope: Scope, lq: ListQuery) -> Select[Any]:
    """The orders ``lq`` asks for inside ``scope``, newest first (served by ``ix_grocery_orders_site_created``)."""
    query = select(GroceryOrder)
    if scope.grid_ids is not None or lq.grid_id is not None:
        query = query.join(Resident, GroceryOrder.resident_id == Resident.id)
        if scope.grid_ids is not None:
            query = query.where(Resident.grid_id.in_(scope.grid_ids))
        if lq.grid_id is not None:
            query = query.where(Resident.grid_id == lq.grid_id)
    if scope.site_id is not None:
        query = query.where(GroceryOrder.site_id == scope.site_id)
    if lq.state:
        query = query.where(GroceryOrder.state == lq.state)
    start, end = lq.between(CHINA_TIME)
    if start is not None:
        query = query.where(GroceryOrder.created_at >= start)
    if end is not None:
        query = query.where(GroceryOrder.created_at < end)
    return query.order_by(GroceryOrder.created_at.desc(), GroceryOrder.id.desc())


def order_page(session: Session, *, scope: Scope, lq: ListQuery) -> Page[GroceryOrder]:
    """One page of orders with what their cards show loaded in a few queries."""
    query = orders_query(scope=scope, lq=lq).options(
        selectinload(GroceryOrder.lines).selectinload(GroceryOrderLine.item),
        selectinload(GroceryOrder.resident), selectinload(GroceryOrder.claimed_by))
    return paginate(session, query, lq)
