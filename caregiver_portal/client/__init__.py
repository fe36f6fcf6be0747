"""Python client of the portal's device API, with a durable local outbox.

Used by the kiosk and the wristband bridge. Imports only ``requests`` and ``tenacity``. Public API:
:class:`PortalClient` (durable writes, direct reads, the senders), :class:`Outbox` with
:class:`OutboxItem`, :class:`DeadLetter` and :class:`Priority` (the stored requests), the errors.
Modules: ``client`` (the facade), ``outbox`` (storage and scheduling), ``delivery`` (the senders),
``verdict`` (what an answer means, pure), ``errors``.
"""

from caregiver_portal.client.client import PortalClient
from caregiver_portal.client.errors import PortalUnavailable, RequestRejected
from caregiver_portal.client.outbox import DeadLetter, Outbox, OutboxItem, Priority

__all__ = ["DeadLetter", "Outbox", "OutboxItem", "PortalClient", "PortalUnavailable", "Priority", "RequestRejected"]
