"""Device API of the alerts under /api/v1: kiosks and bridges raise alerts, follow and cancel them."""

from __future__ import annotations

from fastapi import APIRouter, Response

from caregiver_portal.accounts.deps import DeviceDep
from caregiver_portal.accounts.models import Device
from caregiver_portal.alerts import service as alert_service
from caregiver_portal.alerts.models import Alert
from caregiver_portal.alerts.schemas import AlertCancel, AlertCreate, AlertPublic, AlertRaised
from caregiver_portal.core.api import ERRORS, PREFIX, EventIdPath, IdPath, resent
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import NotFound
from caregiver_portal.core.idempotency import claim_request, request_digest
from caregiver_portal.core.uow import unit_of_work
from caregiver_portal.roll_calls.service import note_alert

router = APIRouter(prefix=PREFIX, tags=["alerts"], responses=ERRORS)


@router.post("/alerts", status_code=201, response_model=AlertRaised, responses=resent(AlertRaised))
def raise_alert(body: AlertCreate, device: DeviceDep, session: SessionDep, response: Response) -> AlertRaised:
    """Raise an alert. The same ``event_id`` sent again answers 200 with the stored alert; with a different body,
    409 naming both digests. The claim, the alert and its roll-call answer are one unit of work."""
    now = utcnow()
    with unit_of_work(session):
        claim_request(session, device_id=device.id, kind="alert", event_id=body.event_id,
                      digest=request_digest(body), now=now)
        raised = alert_service.raise_alert(
            session=session, device=device, client_event_id=body.event_id, kind=body.kind, now=now,
            emergency=body.emergency, wristband_address=body.wristband, resident_id=body.resident_id,
            occurred_at=body.occurred_at, details=body.details,
        )
        if not raised.duplicate and not raised.repeated:  # a band's SOS or fall answers an open roll call: 需要帮助
            note_alert(session, raised.alert, now=now)
    if raised.duplicate:
        response.status_code = 200
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
def cancel_alert(event_id: EventIdPath, body: AlertCancel, device: DeviceDep, session: SessionDep) -> AlertPublic:
    """Cancel an alert this device raised (the senior says it was a mistake)."""
    alert = _own_alert(session, device, alert_service.find_by_event(session, device=device, client_event_id=event_id))
    alert = alert_service.cancel_alert(session=session, alert_id=alert.id, reason=body.reason or "误报，已取消",
                                       now=utcnow(), device=device)
    return AlertPublic(**alert_service.alert_public(alert))


@router.get("/alerts/{alert_id}", response_model=AlertPublic)
def get_alert(alert_id: IdPath, device: DeviceDep, session: SessionDep) -> AlertPublic:
    """One alert of this device's site."""
    return AlertPublic(**alert_service.alert_public(_own_alert(session, device, session.get(Alert, alert_id))))


@router.get("/site/alerts", response_model=list[AlertPublic])
def site_alerts(device: DeviceDep, session: SessionDep) -> list[AlertPublic]:
    """Active alerts of this device's site, biggest danger first."""
    alerts = alert_service.active_alerts(session, site_id=device.site_id)
    return [AlertPublic(**alert_service.alert_public(alert)) for alert in alerts]
