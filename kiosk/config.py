"""Typed kiosk settings loaded once from a TOML file and passed down.

The file holds flat keys, either at the top level or in a ``[kiosk]`` table::

    portal_url = "http://127.0.0.1:8000"
    token = "kiosk-device-token"          # from `anxin admin create-device`
    site_name = "幸福社区"
    place = "社区中心大厅"
    duty_phone = "010-6512 3456"
    outbox_path = "kiosk-outbox.sqlite3"  # relative paths are relative to this file
    fullscreen = true
    orientation = "landscape"
    width = 1920
    height = 1080

Optional tuning keys are listed in :data:`OPTIONAL_DEFAULTS`.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.errors import ConfigError

logger = logging.getLogger(__name__)

REQUIRED_KEYS = ("portal_url", "token", "site_name", "place", "duty_phone", "outbox_path")
OPTIONAL_DEFAULTS: dict[str, Any] = {
    "fullscreen": False,
    "hide_cursor": None,  # None: hide the cursor exactly when fullscreen
    "orientation": "landscape",
    "width": 1920,
    "height": 1080,
    "screen_dpi": 141.0,  # a 15.6" 1080p panel; used to turn millimetres into pixels
    "idle_timeout_s": 90.0,
    "idle_grace_s": 30.0,
    "volume_level": 4,
    "speech_rate": "正常",
    "poll_interval_s": 2.0,
    "site_poll_interval_s": 5.0,
    "offline_after_s": 8.0,
    "tap_guard_s": 0.6,
    "cache_path": None,  # default: <outbox_path>.site-cache.json
    "identify_residents": True,  # kept for old files: services always ask who is there now
    "timezone": "Asia/Shanghai",
    "nearby_within_s": 30,
    "greeting_wait_s": 1.5,
    "voice": True,
    "voice_models_dir": None,  # default: ./voice_models (the working directory), as `anxin models` uses
    "voice_model_path": None,
    "voice_wav_dir": None,
}
PLACEHOLDER_TOKENS = frozenset({"", "changeme", "change-me", "<token>", "token", "xxx", "todo"})
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{2,24}$")


@dataclass(frozen=True, slots=True)
class KioskConfig:
    """Everything the kiosk needs to run; built once in the entry point."""

    portal_url: str
    """Base URL of the caregiver portal, e.g. ``http://127.0.0.1:8000``."""
    token: str
    """Device bearer token of this kiosk."""
    site_name: str
    """Name of the community site shown in the header, e.g. ``幸福社区``."""
    place: str
    """Where this kiosk stands; sent with every help call, e.g. ``社区中心大厅``."""
    duty_phone: str
    """The centre's duty phone number, shown in large digits when the portal is unreachable."""
    outbox_path: Path
    """SQLite file of the portal client's durable outbox."""
    fullscreen: bool = False
    """Open the window fullscreen (production kiosks)."""
    hide_cursor: bool = False
    """Hide the mouse cursor (touch screens)."""
    orientation: str = "landscape"
    """``landscape`` or ``portrait``; must agree with width and height."""
    width: int = 1920
    """Window width in pixels when not fullscreen."""
    height: int = 1080
    """Window height in pixels when not fullscreen."""
    screen_dpi: float = 141.0
    """Physical pixel density, used to check that touch targets are at least 15 mm."""
    idle_timeout_s: float = 90.0
    """Seconds without a touch before the kiosk warns that it will return home."""
    idle_grace_s: float = 30.0
    """Seconds after the warning has been spoken before the visit ends (at least 30, counted down)."""
    volume_level: int = 4
    """The site's speech volume, 1 (softest) .. 5: every visit starts with it."""
    speech_rate: str = "正常"
    """The site's speaking speed (很慢 / 慢 / 正常 / 快): every visit starts with it."""
    poll_interval_s: float = 2.0
    """How often the help-call status screen asks the portal about the alert."""
    site_poll_interval_s: float = 5.0
    """How often the home screen refreshes the site's active alerts."""
    offline_after_s: float = 8.0
    """A help call still undelivered after this long is shown as 'cannot reach the centre'."""
    tap_guard_s: float = 0.6
    """Taps are ignored this long after a screen change (shaky hands double-tap)."""
    cache_path: Path | None = None
    """JSON file caching site information for offline use."""
    identify_residents: bool = True
    """Obsolete (kept so old files load): the services always ask who is at the kiosk."""
    timezone: str = "Asia/Shanghai"
    """IANA time zone of the site, for activity times in words (本周六上午九点)."""
    nearby_within_s: int = 30
    """A wristband heard within this many seconds may be greeted as the person at the kiosk."""
    greeting_wait_s: float = 1.5
    """How long to wait for the nearby-wristband answer before showing the keypad instead."""
    voice: bool = True
    """Show the push-to-talk microphone button (it explains itself when no model is installed)."""
    voice_models_dir: Path | None = None
    """Where ``anxin models install`` put the speech models (default ``./voice_models``)."""
    voice_model_path: Path | None = None
    """A model directory to load instead of searching ``voice_models_dir``."""
    voice_wav_dir: Path | None = None
    """Take speech from the WAV files in this directory (16 kHz mono, in name order) instead of the
    microphone: for demos and tests."""

    @property
    def site_cache_path(self) -> Path:
        """Where the site-alerts cache lives (``cache_path`` or next to the outbox)."""
        if self.cache_path is not None:
            return self.cache_path
        return self.outbox_path.with_name(self.outbox_path.name + ".site-cache.json")

    @property
    def tzinfo(self) -> ZoneInfo:
        """The site's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def models_dir(self) -> Path:
        """Where to look for speech models."""
        return self.voice_models_dir if self.voice_models_dir is not None else Path.cwd() / "voice_models"

    def data_path(self, suffix: str) -> Path:
        """A kiosk data file next to the outbox, e.g. ``<outbox>.catalog.json``."""
        return self.outbox_path.with_name(f"{self.outbox_path.name}.{suffix}")

    @property
    def active_call_path(self) -> Path:
        """Where the running help call's event id is remembered across restarts."""
        return self.outbox_path.with_name(self.outbox_path.name + ".help-call.json")

    @classmethod
    def from_toml(cls, path: Path) -> KioskConfig:
        """Read and validate a TOML file; raise :class:`ConfigError` with advice if unusable."""
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ConfigError(f"kiosk config file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"kiosk config {path} is not valid TOML: {exc}") from exc
        except OSError as exc:
            raise ConfigError(f"cannot read kiosk config {path}: {exc}") from exc
        table = data.get("kiosk", data)
        if not isinstance(table, Mapping):
            raise ConfigError(f"kiosk config {path}: [kiosk] must be a table")
        return cls.from_mapping(table, base_dir=path.resolve().parent, source=str(path))

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, base_dir: Path, source: str = "<mapping>"
    ) -> KioskConfig:
        """Validate plain values (as parsed from TOML) and build the config."""
        return _build(data, base_dir=base_dir, source=source)


def load_config(path: Path) -> KioskConfig:
    """Load the kiosk configuration from ``path`` (see the module docstring for the format)."""
    return KioskConfig.from_toml(path)


def _build(data: Mapping[str, Any], *, base_dir: Path, source: str) -> KioskConfig:
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_DEFAULTS) - {"kiosk"})
    if unknown:
        logger.warning("kiosk config %s: ignoring unknown keys %s", source, ", ".join(unknown))
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ConfigError(f"kiosk config {source}: missing required keys: {', '.join(missing)}")
    values = {**OPTIONAL_DEFAULTS, **{k: v for k, v in data.items() if k != "kiosk"}}

    portal_url = _text(values, "portal_url", source).rstrip("/")
    if not portal_url.startswith(("http://", "https://")):
        raise ConfigError(f"kiosk config {source}: portal_url must start with http:// or https://")
    token = _text(values, "token", source, allow_empty=True)
    if token.strip().lower() in PLACEHOLDER_TOKENS:
        raise ConfigError(
            f"kiosk config {source}: token is empty or a placeholder; "
            "create one with `anxin admin create-device --kind kiosk`"
        )
    duty_phone = _text(values, "duty_phone", source)
    if not _PHONE_RE.match(duty_phone):
        raise ConfigError(
            f"kiosk config {source}: duty_phone {duty_phone!r} must be digits (spaces, '-' and a "
            "leading '+' allowed), e.g. \"010-6512 3456\""
        )
    fullscreen = _flag(values, "fullscreen", source)
    hide_cursor = fullscreen if values["hide_cursor"] is None else _flag(values, "hide_cursor", source)
    orientation = _text(values, "orientation", source)
    width = _int(values, "width", source, 320, 7680)
    height = _int(values, "height", source, 240, 7680)
    _check_orientation(orientation, width, height, source)
    return KioskConfig(
        portal_url=portal_url,
        token=token,
        site_name=_text(values, "site_name", source),
        place=_text(values, "place", source),
        duty_phone=duty_phone,
        outbox_path=_path(values["outbox_path"], base_dir, "outbox_path", source),
        fullscreen=fullscreen,
        hide_cursor=hide_cursor,
        orientation=orientation,
        width=width,
        height=height,
        screen_dpi=_number(values, "screen_dpi", source, 50, 1000),
        idle_timeout_s=_number(values, "idle_timeout_s", source, 10, 3600),
        idle_grace_s=_number(values, "idle_grace_s", source, 30, 600),
        volume_level=_int(values, "volume_level", source, 1, 5),
        speech_rate=_choice(values, "speech_rate", source, ("很慢", "慢", "正常", "快")),
        poll_interval_s=_number(values, "poll_interval_s", source, 0.2, 60),
        site_poll_interval_s=_number(values, "site_poll_interval_s", source, 0.5, 600),
        offline_after_s=_number(values, "offline_after_s", source, 1, 600),
        tap_guard_s=_number(values, "tap_guard_s", source, 0, 5),
        identify_residents=_flag(values, "identify_residents", source),
        cache_path=_optional_path(values, "cache_path", base_dir, source),
        timezone=_timezone(values, source),
        nearby_within_s=_int(values, "nearby_within_s", source, 1, 3600),
        greeting_wait_s=_number(values, "greeting_wait_s", source, 0, 10),
        voice=_flag(values, "voice", source),
        voice_models_dir=_optional_path(values, "voice_models_dir", base_dir, source),
        voice_model_path=_optional_path(values, "voice_model_path", base_dir, source),
        voice_wav_dir=_optional_path(values, "voice_wav_dir", base_dir, source),
    )


def _optional_path(values: Mapping[str, Any], key: str, base_dir: Path, source: str) -> Path | None:
    return None if values[key] is None else _path(values[key], base_dir, key, source)


def _timezone(values: Mapping[str, Any], source: str) -> str:
    name = _text(values, "timezone", source)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"kiosk config {source}: timezone {name!r} is unknown; use e.g. \"Asia/Shanghai\"") from exc
    return name


def _check_orientation(orientation: str, width: int, height: int, source: str) -> None:
    if orientation not in ("landscape", "portrait"):
        raise ConfigError(
            f"kiosk config {source}: orientation must be \"landscape\" or \"portrait\", "
            f"not {orientation!r}"
        )
    if orientation == "landscape" and width < height:
        raise ConfigError(f"kiosk config {source}: landscape needs width >= height ({width}x{height})")
    if orientation == "portrait" and width > height:
        raise ConfigError(f"kiosk config {source}: portrait needs height >= width ({width}x{height})")


def _choice(values: Mapping[str, Any], key: str, source: str, choices: tuple[str, ...]) -> str:
    value = _text(values, key, source)
    if value not in choices:
        raise ConfigError(f"kiosk config {source}: {key} must be one of {' / '.join(choices)}, not {value!r}")
    return value


def _text(values: Mapping[str, Any], key: str, source: str, *, allow_empty: bool = False) -> str:
    value = values[key]
    if not isinstance(value, str):
        raise ConfigError(f"kiosk config {source}: {key} must be a string, got {type(value).__name__}")
    value = value.strip()
    if not value and not allow_empty:
        raise ConfigError(f"kiosk config {source}: {key} must not be empty")
    return value


def _flag(values: Mapping[str, Any], key: str, source: str) -> bool:
    value = values[key]
    if not isinstance(value, bool):
        raise ConfigError(f"kiosk config {source}: {key} must be true or false, got {value!r}")
    return value


def _int(values: Mapping[str, Any], key: str, source: str, low: int, high: int) -> int:
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"kiosk config {source}: {key} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"kiosk config {source}: {key} must be between {low} and {high}, got {value}")
    return value


def _number(values: Mapping[str, Any], key: str, source: str, low: float, high: float) -> float:
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"kiosk config {source}: {key} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"kiosk config {source}: {key} must be between {low} and {high}, got {value}")
    return float(value)


def _path(value: Any, base_dir: Path, key: str, source: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"kiosk config {source}: {key} must be a non-empty path string")
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else base_dir / path
