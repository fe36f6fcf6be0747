"""Python client of the portal's device API, with a durable local outbox.

Used by the kiosk and the wristband bridge. Imports only ``requests`` and ``tenacity``.
"""

from caregiver_portal.client.client import PortalClient, PortalUnavailable, RequestRejected
from caregiver_portal.client.outbox import Outbox, OutboxItem

__all__ = ["Outbox", "OutboxItem", "PortalClient", "PortalUnavailable", "RequestRejected"]
