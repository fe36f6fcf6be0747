"""Errors of the caregiver portal.

    PortalError
     ├── ConfigurationError   settings refused at start
     ├── NotFound             a referenced row does not exist (HTTP 404)
     ├── Forbidden            the actor may not do this (HTTP 403)
     └── InvalidTransition    e.g. accepting an alert that is already resolved (HTTP 409)
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
