"""The admins' review page: emergencies not accepted in time, each closed with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from caregiver_portal.accounts.admin import managed_sites
from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, render
from caregiver_portal.reviews.service import close_review, review_items

router = APIRouter(include_in_schema=False)


@router.get("/admin/reviews")
def reviews_page(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Review items: open ones first, then those closed, newest first."""
    site_ids = [site.id for site in managed_sites(session, admin=user)]
    return render(request, "admin_reviews.html", user, items=review_items(session, site_ids=site_ids)[:200])


@router.post("/admin/reviews/{review_id}/close", dependencies=[Depends(require_csrf)])
def close(request: Request, review_id: int, user: AdminUser, session: SessionDep,
          reason: Annotated[PlainText, Form(max_length=1000)] = "") -> Response:
    """Close a review item with the reason the emergency waited and what is done about it."""
    site_ids = [site.id for site in managed_sites(session, admin=user)]
    return attempt(request, session, lambda: close_review(session=session, review_id=review_id, admin=user,
                                                          reason=reason, site_ids=site_ids, now=utcnow()),
                   done="复盘已关闭", then="/admin/reviews")
