"""Device API under /api/v1: kiosks and bridges raise alerts, post readings, follow alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy import select

from caregiver_portal.api.schemas import (
    AlertCancel,
    AlertCreate,
    AlertPublic,
    AlertRaised,
    ErrorBody,
    ReadingBatchIn,
    ReadingBatchResult,
    WristbandPublic,
)
from caregiver_portal.db import utcnow
from caregiver_portal.deps import BridgeDep, DeviceDep, SessionDep, StateDep
from caregiver_portal.errors import NotFound
from caregiver_portal.models import Alert, Device, Wristband
from caregiver_portal.services import alerts as alert_service
from caregiver_portal.services.readings import ingest_batch

ERRORS = {401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody},
          409: {"model": ErrorBody}, 422: {"model": ErrorBody}}
router = APIRouter(prefix="/api/v1", tags=["devices"], responses=ERRORS)  # type: ignore[arg-type]
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
EventIdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]


@router.post("/alerts", status_code=201, response_model=AlertRaised)
def raise_alert(body: AlertCreate, device: DeviceDep, session: SessionDep, state: StateDep,
                response: Response) -> AlertRaised:
    """Raise an alert. The same ``event_id`` sent again answers 200 with the stored alert."""
    raised = alert_service.raise_alert(
        session=session, device=device, client_event_id=body.event_id, kind=body.kind, now=utcnow(),
        emergency=body.emergency, wristband_address=body.wristband, resident_id=body.resident_id,
        occurred_at=body.occurred_at, details=body.details,
    )
    session.commit()
    if raised.duplicate:
        response.status_code = 200
    else:
        state.hub.wake()
    public = alert_service.alert_public(raised.alert)
    return AlertRaised(**public, event_id=body.event_id, duplicate=raised.duplicate)


def _own_alert(session: SessionDep, device: Device, alert: Alert | None) -> Alert:
    if alert is None or alert.site_id != device.site_id:
        raise NotFound("alert not found")
    return alert


@router.get("/alerts/by-event/{event_id}", response_model=AlertPublic)
def alert_for_event(event_id: EventIdPath, device: DeviceDep, session: SessionDep) -> AlertPublic:
    """The alert this device raised with ``event_id``."""
    alert = alert_service.find_by_event(session, device=device, client_event_id=event_id)
    return AlertPublic(**alert_service.alert_public(_own_alert(session, device, alert)))


@router.post("/alerts/by-event/{event_id}/cancel", response_model=AlertPublic)
def cancel_alert(event_id: EventIdPath, body: AlertCancel, device: DeviceDep, session: SessionDep,
                 state: StateDep) -> AlertPublic:
    """Cancel an alert this device raised (the senior says it was a mistake)."""
    alert = _own_alert(session, device, alert_service.find_by_event(session, device=device, client_event_id=event_id))
    alert = alert_service.cancel_alert(session=session, alert_id=alert.id, reason=body.reason or "误报，已取消",
                                       now=utcnow(), device=device)
    session.commit()
    state.hub.wake()
    return AlertPublic(**alert_service.alert_public(alert))


@router.get("/alerts/{alert_id}", response_model=AlertPublic)
def get_alert(alert_id: Annotated[int, Path(ge=1, le=MAX_ID)], device: DeviceDep, session: SessionDep) -> AlertPublic:
    """One alert of this device's site."""
    return AlertPublic(**alert_service.alert_public(_own_alert(session, device, session.get(Alert, alert_id))))


@router.get("/site/alerts", response_model=list[AlertPublic])
def site_alerts(device: DeviceDep, session: SessionDep) -> list[AlertPublic]:
    """Active alerts of this device's site, biggest danger first."""
    alerts = alert_service.active_alerts(session, site_id=device.site_id)
    return [AlertPublic(**alert_service.alert_public(alert)) for alert in alerts]


@router.post("/readings", status_code=202, response_model=ReadingBatchResult)
def post_readings(body: ReadingBatchIn, device: BridgeDep, session: SessionDep, state: StateDep) -> ReadingBatchResult:
    """Store a batch of readings once per ``batch_id``; health rules run on what arrived."""
    result = ingest_batch(session=session, device=device, batch_id=body.batch_id,
                          readings=[r.model_dump() for r in body.readings], now=utcnow())
    session.commit()
    if result.alerts:
        state.hub.wake()  # a health alert raised by these readings goes to the boards now
    return ReadingBatchResult(batch_id=body.batch_id, accepted=result.accepted, rejected=result.rejected,
                              duplicate=result.duplicate, unknown_wristbands=list(result.unknown_wristbands),
                              withheld_without_consent=result.withheld)


@router.get("/wristbands", response_model=list[WristbandPublic])
def wristbands(device: BridgeDep, session: SessionDep) -> list[WristbandPublic]:
    """The wristbands registered at this device's site (what a bridge should connect to)."""
    bands = session.scalars(select(Wristband).where(Wristband.site_id == device.site_id).order_by(Wristband.id))
    return [WristbandPublic(address=b.address, resident_id=b.resident_id, label=b.label) for b in bands]
