"""Every router of the portal, in one place, so each feature adds one line here."""

from __future__ import annotations

from fastapi import FastAPI

from caregiver_portal.api import devices
from caregiver_portal.web import auth, board


def include_routers(app: FastAPI) -> None:
    """Mount the device API and the browser pages."""
    app.include_router(devices.router)
    app.include_router(auth.router)
    app.include_router(board.router)
