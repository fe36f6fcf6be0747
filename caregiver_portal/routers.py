"""Every router of the portal, in one place, so each feature adds one line here."""

from __future__ import annotations

from fastapi import FastAPI

from caregiver_portal.api import devices
from caregiver_portal.bands import api as bands_api
from caregiver_portal.community import api as community_api
from caregiver_portal.web import activities, admin, auth, board, catalog, orders, reports, residents, visits, volunteers


def include_routers(app: FastAPI) -> None:
    """Mount the device API and the browser pages."""
    app.include_router(devices.router)
    app.include_router(community_api.router)
    app.include_router(bands_api.router)
    app.include_router(auth.router)
    app.include_router(board.router)
    app.include_router(orders.router)
    app.include_router(activities.router)
    app.include_router(residents.router)
    app.include_router(volunteers.router)
    app.include_router(reports.router)
    app.include_router(visits.router)
    app.include_router(admin.router)
    app.include_router(catalog.router)
