"""The admins' page of dead letters: what devices stored but the portal refused for good."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from caregiver_portal.accounts.admin import managed_sites
from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.web import attempt, render
from caregiver_portal.dead_letters.models import PROBLEM_LABELS
from caregiver_portal.dead_letters.service import open_dead_letters, resolve_dead_letter

router = APIRouter(include_in_schema=False)


@router.get("/admin/dead-letters")
def dead_letters_page(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Requests devices could not deliver, newest first."""
    site_ids = [site.id for site in managed_sites(session, admin=user)]
    return render(request, "admin_dead_letters.html", user, letters=open_dead_letters(session, site_ids=site_ids),
                  PROBLEM_LABELS=PROBLEM_LABELS)


@router.post("/admin/dead-letters/{letter_id}/resolve", dependencies=[Depends(require_csrf)])
def resolve(request: Request, letter_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Mark a dead letter as dealt with."""
    site_ids = [site.id for site in managed_sites(session, admin=user)]
    return attempt(request, session, lambda: resolve_dead_letter(session=session, admin=user, letter_id=letter_id,
                                                                 site_ids=site_ids, now=utcnow()),
                   done="已标记为处理完毕", then="/admin/dead-letters")
