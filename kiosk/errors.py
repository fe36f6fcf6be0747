"""Errors of the kiosk.

    KioskError
     ├── ConfigError          the kiosk's TOML file is missing, unreadable or invalid
     ├── FontNotFound         no Simplified-Chinese font is installed or vendored
     └── CancelNotAvailable   the portal client offers no way to cancel a help call
"""


class KioskError(Exception):
    """Base class of the kiosk's own errors."""


class ConfigError(KioskError):
    """The kiosk configuration is unusable; the message says what to change."""


class FontNotFound(KioskError):
    """No font with Simplified-Chinese glyphs was found; the message lists where we looked."""


class CancelNotAvailable(KioskError):
    """The portal client offers no ``cancel_alert``, so a help call cannot be withdrawn here."""

