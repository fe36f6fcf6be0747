"""Polls the site's active alerts for the home-screen strip and caches them for offline use.

Only the fields the public strip shows are kept (kind, emergency flag, state and the coarse
place), both in memory and in the JSON cache on disk.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.runtime.portal import KioskPortal, is_unreachable
from kiosk.runtime.workers import PollingWorker, UiCall, kivy_ui_call
from kiosk.state.site_alerts import active_alerts
from kiosk.state.text import public_place

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SiteAlertsResult:
    """The last known alert list (None: never known) and whether the portal answered."""

    alerts: tuple[Mapping[str, Any], ...] | None
    reachable: bool | None
    """True / False: result of the last poll; None: not polled yet (e.g. loaded from cache)."""
    fetched_at: datetime | None


def minimal_alert(alert: Mapping[str, Any]) -> dict[str, Any]:
    """Strip an alert to what the public strip needs (no names, rooms or health values)."""
    return {
        "id": alert.get("id"),
        "kind": alert.get("kind"),
        "kind_label": alert.get("kind_label"),
        "emergency": bool(alert.get("emergency")),
        "state": alert.get("state"),
        "place": public_place(alert.get("place")),
    }


class SiteAlertsFeed:
    """Keeps the home strip fresh from ``client.site_alerts()`` on a worker thread."""

    def __init__(
        self,
        *,
        client: KioskPortal,
        cache_path: Path | None,
        on_update: Callable[[SiteAlertsResult], None],
        interval_s: float = 5.0,
        ui_call: UiCall = kivy_ui_call,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``on_update`` runs on the UI thread after every poll."""
        self._client = client
        self._cache_path = cache_path
        self._now = now
        self.last = load_cache(cache_path)
        self._worker: PollingWorker[SiteAlertsResult] = PollingWorker(
            name="kiosk-site-alerts",
            fetch=self._fetch,
            deliver=on_update,
            interval_s=interval_s,
            ui_call=ui_call,
        )

    def start(self) -> None:
        """Start polling."""
        self._worker.start()

    def refresh(self) -> None:
        """Poll now (e.g. right after a help call was raised)."""
        self._worker.wake()

    def stop(self) -> None:
        """Stop polling."""
        self._worker.stop()

    def _fetch(self) -> SiteAlertsResult:
        try:
            alerts = self._client.site_alerts()
        except Exception as exc:
            if not is_unreachable(exc):
                logger.exception("site alerts: unexpected error")
            self.last = SiteAlertsResult(self.last.alerts, reachable=False, fetched_at=self.last.fetched_at)
            return self.last
        kept = tuple(minimal_alert(a) for a in active_alerts(alerts))
        if self.last.reachable is False:
            self._client.wake()  # back online: send what waits in the outbox now
        self.last = SiteAlertsResult(kept, reachable=True, fetched_at=self._now())
        save_cache(self._cache_path, self.last)
        return self.last


def load_cache(path: Path | None) -> SiteAlertsResult:
    """Read the cached strip (unknown when missing or unreadable; never fatal)."""
    empty = SiteAlertsResult(None, reachable=None, fetched_at=None)
    if path is None or not path.is_file():
        return empty
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        alerts: Sequence[Mapping[str, Any]] = data["alerts"]
        fetched_at = datetime.fromisoformat(data["fetched_at"])
    except (OSError, ValueError, KeyError, TypeError):
        logger.warning("site alerts cache %s is unreadable; ignoring it", path)
        return empty
    return SiteAlertsResult(tuple(alerts), reachable=None, fetched_at=fetched_at)


def save_cache(path: Path | None, result: SiteAlertsResult) -> None:
    """Atomically write the cache (a failure is logged, never raised)."""
    if path is None or result.alerts is None or result.fetched_at is None:
        return
    payload = {"fetched_at": result.fetched_at.isoformat(), "alerts": list(result.alerts)}
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        logger.warning("cannot write site alerts cache %s", path, exc_info=True)
