"""A resident's health trends in the browser (grid workers and admins): heart rate, SpO2, temperature and
battery over 24 h or 7 days with alerts marked; each view of health data is written to the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caregiver_portal.accounts.access import HEALTH_ROLES, require_role
from caregiver_portal.accounts.deps import StaffUser
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.web import render
from caregiver_portal.health.charts import WINDOWS, resident_charts
from caregiver_portal.residents import service as resident_service
from caregiver_portal.residents.scope import ScopeDep, resident_in_scope

router = APIRouter(include_in_schema=False)


@router.get("/residents/{resident_id}/health")
def resident_health(request: Request, resident_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
                    window: str = "24h") -> Response:
    """Heart rate, SpO2, temperature and battery over 24 h or 7 days with alerts marked; the view is audited."""
    require_role(user, HEALTH_ROLES, "健康数据")
    resident = resident_in_scope(session, scope, resident_id)
    window = window if window in WINDOWS else "24h"
    now = utcnow()
    charts = []
    if resident.health_consent:
        resident_service.log_health_access(session=session, user=user, resident=resident, view=f"health_{window}",
                                           now=now, client=request.client.host if request.client else "")
        charts = resident_charts(session, resident_id=resident.id, window=window, now=now)
    log = resident_service.access_log(session, resident_id=resident.id, limit=20) if user.role == "admin" else []
    return render(request, "resident_health.html", user, resident=resident, charts=charts, window=window, log=log)

