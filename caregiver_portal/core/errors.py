"""Errors of the caregiver portal.

    PortalError
     ├── ConfigurationError   settings refused at start
     ├── NotFound             a referenced row does not exist (HTTP 404)
     ├── Forbidden            the actor may not do this (HTTP 403)
     ├── InvalidTransition    e.g. accepting an alert that is already resolved (HTTP 409)
     └── IdempotencyConflict  an id already used for a different request (HTTP 409 with both digests)
    StorageUnavailable        the portal's disk cannot take a file now (HTTP 503; not a PortalError, so a
                              page never shows it as a mere form message)
"""


class PortalError(Exception):
    """Base class of the portal's own errors."""


class ConfigurationError(PortalError):
    """The portal's settings are unusable; the message says what to change."""


class NotFound(PortalError):
    """A referenced object does not exist."""


class Forbidden(PortalError):
    """The user or device may not do this."""


class InvalidTransition(PortalError):
    """The requested state change is not allowed from the current state."""


class IdempotencyConflict(PortalError):
    """The id of an idempotent write was used before for a different request: nothing is stored, and the
    answer names both requests' digests so the device can record the conflict."""

    def __init__(self, *, event_id: str, stored_digest: str, request_digest: str) -> None:
        super().__init__("这个编号已经用于另一份不同的内容，没有保存")
        self.event_id, self.stored_digest, self.request_digest = event_id, stored_digest, request_digest

    def body(self) -> dict[str, str]:
        """The ``conflict`` part of the 409 answer."""
        return {"event_id": self.event_id, "stored_digest": self.stored_digest,
                "request_digest": self.request_digest}


class StorageUnavailable(Exception):
    """A file (a receipt photo) could not be written: the disk is full or failing. Nothing was kept."""
