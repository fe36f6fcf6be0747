"""Every router of the portal, in one place: one line per router, so each feature adds its own line here.

Device API routers (``api``, under /api/v1) come first, then the browser pages (``web``).
"""

from __future__ import annotations

from fastapi import FastAPI

from caregiver_portal.accounts import admin_web as accounts_admin_web
from caregiver_portal.accounts import api as accounts_api
from caregiver_portal.accounts import web as accounts_web
from caregiver_portal.activities import api as activities_api
from caregiver_portal.activities import web as activities_web
from caregiver_portal.alerts import api as alerts_api
from caregiver_portal.alerts import web as alerts_web
from caregiver_portal.bands import api as bands_api
from caregiver_portal.bands import pair_web as bands_pair_web
from caregiver_portal.bands import web as bands_web
from caregiver_portal.dead_letters import api as dead_letters_api
from caregiver_portal.dead_letters import web as dead_letters_web
from caregiver_portal.feedback import api as feedback_api
from caregiver_portal.feedback import web as feedback_web
from caregiver_portal.golive import web as golive_web
from caregiver_portal.health import api as health_api
from caregiver_portal.health import web as health_web
from caregiver_portal.imports import web as imports_web
from caregiver_portal.notifications import web as notifications_web
from caregiver_portal.offers import web as offers_web
from caregiver_portal.orders import api as orders_api
from caregiver_portal.orders import catalog_web as orders_catalog_web
from caregiver_portal.orders import history_web as orders_history_web
from caregiver_portal.orders import web as orders_web
from caregiver_portal.phone import api as phone_api
from caregiver_portal.phone import web as phone_web
from caregiver_portal.queue import web as queue_web
from caregiver_portal.ratings import api as ratings_api
from caregiver_portal.reports import web as reports_web
from caregiver_portal.residents import api as residents_api
from caregiver_portal.residents import web as residents_web
from caregiver_portal.reviews import web as reviews_web
from caregiver_portal.roll_calls import api as roll_calls_api
from caregiver_portal.roll_calls import web as roll_calls_web
from caregiver_portal.roster import web as roster_web
from caregiver_portal.safety import api as safety_api
from caregiver_portal.safety import web as safety_web
from caregiver_portal.settlement import web as settlement_web
from caregiver_portal.timebank import api as timebank_api
from caregiver_portal.timebank import office_web as timebank_office_web
from caregiver_portal.timebank import web as timebank_web
from caregiver_portal.visits import web as visits_web


def include_routers(app: FastAPI) -> None:
    """Mount the device API and the browser pages."""
    app.include_router(alerts_api.router)
    app.include_router(health_api.router)
    app.include_router(bands_api.router)
    app.include_router(orders_api.router)
    app.include_router(activities_api.router)
    app.include_router(residents_api.router)
    app.include_router(ratings_api.router)
    app.include_router(accounts_api.router)
    app.include_router(dead_letters_api.router)
    app.include_router(roll_calls_api.router)
    app.include_router(safety_api.router)
    app.include_router(phone_api.router)
    app.include_router(feedback_api.router)
    app.include_router(timebank_api.router)
    app.include_router(accounts_web.router)
    app.include_router(alerts_web.router)
    app.include_router(orders_history_web.router)
    app.include_router(orders_web.router)
    app.include_router(queue_web.router)
    app.include_router(activities_web.router)
    app.include_router(residents_web.router)
    app.include_router(health_web.router)
    app.include_router(timebank_web.router)
    app.include_router(reports_web.router)
    app.include_router(visits_web.router)
    app.include_router(accounts_admin_web.router)
    app.include_router(bands_web.router)
    app.include_router(bands_pair_web.router)
    app.include_router(notifications_web.router)
    app.include_router(imports_web.router)
    app.include_router(roster_web.router)
    app.include_router(golive_web.router)
    app.include_router(orders_catalog_web.router)
    app.include_router(dead_letters_web.router)
    app.include_router(safety_web.router)
    app.include_router(reviews_web.router)
    app.include_router(roll_calls_web.router)
    app.include_router(offers_web.router)
    app.include_router(settlement_web.router)
    app.include_router(phone_web.router)
    app.include_router(timebank_office_web.router)
    app.include_router(feedback_web.router)
