"""The client's errors.

    PortalUnavailable   the portal could not be reached or cannot serve this now (try later)
    RequestRejected     the portal refused a request for good (4xx)
"""

from __future__ import annotations


class PortalUnavailable(Exception):
    """The portal cannot be reached now; what was stored will be sent later."""


class RequestRejected(Exception):
    """The portal refused a request for good (e.g. 422); in the outbox it becomes a dead letter."""
