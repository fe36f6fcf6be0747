"""Typed settings of the caregiver portal, built once in the entry point and passed down."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from caregiver_portal.core.errors import ConfigurationError

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev"}


@dataclass(frozen=True)
class PortalSettings:
    """Everything the portal needs to start; validated by :meth:`validate`."""

    database_url: str
    secret_key: str
    public_url: str = "http://127.0.0.1:8000"
    session_max_age_s: int = 8 * 3600
    secure_cookies: bool = False
    password_profile: str = "default"  # "default" (argon2 RFC 9106 low-memory) or "fast" (tests)
    sqlite_busy_timeout_ms: int = 15_000
    database_pool_size: int = 10
    database_max_overflow: int = 20
    """PostgreSQL connections of one instance: up to pool size + overflow (plus 3 listening ones)."""
    event_poll_interval_s: float = 0.5
    tick_interval_s: float = 1.0
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 32 * 1024 * 1024  # spreadsheet uploads; the import answers files over 5 MB itself
    data_dir: Path | None = None  # uploads (e.g. receipt photos) are kept under it
    extra: dict[str, str] = field(default_factory=dict)

    def validate(self) -> PortalSettings:
        """Refuse settings that would make the portal unsafe or unable to start."""
        if self.secret_key in PLACEHOLDER_SECRETS or len(self.secret_key) < 16:
            raise ConfigurationError("secret_key 太短或是占位符：请设置 ANXIN_SECRET_KEY（至少 16 个字符）")
        if not self.database_url:
            raise ConfigurationError("database_url 未设置")
        if self.database_pool_size < 1 or self.database_max_overflow < 0:
            raise ConfigurationError("database pool: size at least 1, overflow at least 0")
        if self.password_profile not in {"default", "fast"}:
            raise ConfigurationError(f"unknown password_profile {self.password_profile!r}")
        return self

    def with_overrides(self, **changes: object) -> PortalSettings:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def sqlite_url(path: Path) -> str:
    """SQLAlchemy URL of an SQLite database file."""
    return f"sqlite:///{path.resolve()}"


def load_or_create_secret(path: Path) -> str:
    """Read the portal's session secret from ``path``, creating it (mode 600) on first start."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


def parse_pool(text: str) -> tuple[int, int]:
    """``"10+20"`` (pool size + overflow) or ``"10"`` (no overflow) as numbers; ValueError when malformed."""
    size, _, overflow = text.partition("+")
    return int(size), int(overflow or 0)


def settings_for_data_dir(data_dir: Path, *, database_url: str | None = None, public_url: str,
                          database_pool: tuple[int, int] = (10, 20)) -> PortalSettings:
    """Settings for a portal keeping its SQLite database and secret in ``data_dir``; behind TLS (an https
    ``public_url``) its cookies are ``Secure``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url = database_url or os.environ.get("ANXIN_DATABASE_URL") or sqlite_url(data_dir / "anxin.sqlite3")
    secret = os.environ.get("ANXIN_SECRET_KEY") or load_or_create_secret(data_dir / "secret_key")
    extra = {}
    if policy_file := os.environ.get("ANXIN_ESCALATION_POLICY"):
        extra["escalation_policy_file"] = policy_file  # see docs/escalation.md, "Configuration"
    return PortalSettings(database_url=url, secret_key=secret, public_url=public_url, data_dir=data_dir,
                          secure_cookies=public_url.startswith("https://"), database_pool_size=database_pool[0],
                          database_max_overflow=database_pool[1], extra=extra).validate()
