"""The go-live checklist page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caregiver_portal.accounts import admin as admin_service
from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.web import render
from caregiver_portal.golive.service import site_checklist

router = APIRouter(include_in_schema=False)


@router.get("/admin/checklist")
def checklist_page(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Per site: what still stops the centre from relying on Anxin, each with where to fix it."""
    now = utcnow()
    sites = [(site, site_checklist(session, site=site, now=now))
             for site in admin_service.managed_sites(session, admin=user)]
    return render(request, "checklist.html", user, sites=sites)
