"""All orders in the browser: newest first, filtered by date, state and grid, one page at a time; the filters
are in the URL so a list can be bookmarked or sent to a colleague."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caregiver_portal.accounts.deps import CurrentUser
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.pagination import list_query
from caregiver_portal.core.web import render
from caregiver_portal.orders import service as order_service
from caregiver_portal.orders.listing import order_page
from caregiver_portal.orders.models import ORDER_STATES
from caregiver_portal.residents.scope import ScopeDep, visible_grids

router = APIRouter(include_in_schema=False)


@router.get("/orders/all")
def all_orders(request: Request, user: CurrentUser, session: SessionDep, scope: ScopeDep) -> Response:
    """Every order the user may see, filtered (``from``, ``to``, ``state``, ``grid``) and paged (``page``)."""
    lq = list_query(request.query_params, states=ORDER_STATES)
    return render(request, "orders_all.html", user, page=order_page(session, scope=scope, lq=lq), lq=lq,
                  path="/orders/all", grids=visible_grids(session, scope),
                  state_choices=[(state, order_service.STATE_LABELS[state]) for state in ORDER_STATES],
                  STATE_LABELS=order_service.STATE_LABELS)
