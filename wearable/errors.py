"""Errors of the wearable package.

::

    ValueError
     '-- MalformedPayload      bytes that do not follow a characteristic's format

    WearableError
     '-- BandUnavailable       a wristband could not be reached / connected
"""

from __future__ import annotations


class MalformedPayload(ValueError):
    """A notification, read or advertisement payload does not follow its documented format."""


class WearableError(Exception):
    """Base class for operational errors of the BLE bridge."""


class BandUnavailable(WearableError):
    """A wristband could not be connected; the bridge retries with backoff."""
