"""Monthly reports in the browser (admins), and their CSV export."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.accounts.models import Site
from caregiver_portal.core.clock import CHINA_TIME, utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.web import render
from caregiver_portal.feedback.service import month_report as feedback_month
from caregiver_portal.reports.service import month_bounds, month_report, report_csv, report_rows

router = APIRouter(include_in_schema=False)


def _month(value: str) -> tuple[int, int]:
    """"2026-11" -> (2026, 11); anything else -> this month (China time)."""
    year, _, month = value.partition("-")
    if year.isdigit() and month.isdigit() and 2000 <= int(year) <= 2100 and 1 <= int(month) <= 12:
        return int(year), int(month)
    now = utcnow().astimezone(CHINA_TIME)
    return now.year, now.month


def _site_id(user: AdminUser, requested: str) -> int | None:
    """Admins bound to a site see it; an admin of every site picks one (or all: an empty choice)."""
    if user.site_id is not None:
        return user.site_id
    return int(requested) if requested.isdigit() else None


@router.get("/reports")
def report_page(request: Request, user: AdminUser, session: SessionDep, month: str = "",
                site_id: str = "") -> Response:
    """The month's figures, the lowest-rated services, and a CSV link."""
    year, number = _month(month)
    site = _site_id(user, site_id)
    report = month_report(session, site_id=site, year=year, month=number)
    sites = list(session.scalars(select(Site).order_by(Site.name))) if user.site_id is None else []
    start, end = month_bounds(year, number)
    return render(request, "reports.html", user, report=report, rows=report_rows(report), month=f"{year}-{number:02d}",
                  sites=sites, site_id=site, feedback=feedback_month(session, site_id=site, start=start, end=end))


@router.get("/reports.csv")
def report_download(user: AdminUser, session: SessionDep, month: str = "", site_id: str = "") -> Response:
    """The month's report as a CSV file for Excel."""
    year, number = _month(month)
    report = month_report(session, site_id=_site_id(user, site_id), year=year, month=number)
    filename = f"anxin-report-{year}-{number:02d}.csv"
    return Response(report_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
