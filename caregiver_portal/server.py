"""Run the portal with uvicorn."""

from __future__ import annotations

import gc
import logging

import uvicorn

from caregiver_portal.app import create_app
from caregiver_portal.core.settings import PortalSettings

log = logging.getLogger(__name__)


def serve(settings: PortalSettings, *, host: str, port: int, verbose: bool = False,
          forwarded_allow_ips: str | None = None) -> None:
    """Serve the portal until SIGINT/SIGTERM (uvicorn handles both and shuts down cleanly).

    Quiet unless ``verbose``: no line per request (volunteers' boards poll and stream all day), only
    warnings from uvicorn, and one line saying where the portal is. ``X-Forwarded-For``/``-Proto`` are
    believed only from ``forwarded_allow_ips`` (the reverse proxy; None: uvicorn's default,
    ``$FORWARDED_ALLOW_IPS`` or 127.0.0.1).
    """
    app = create_app(settings)
    freeze_startup_objects()
    config = uvicorn.Config(app, host=host, port=port, log_level="info" if verbose else "warning",
                            access_log=verbose, proxy_headers=True, timeout_graceful_shutdown=5,
                            forwarded_allow_ips=forwarded_allow_ips)
    server = uvicorn.Server(config)
    address = f"http://{host}:{port}"
    shared = "" if settings.public_url == address else f"（志愿者访问 {settings.public_url}）"
    log.info("安心门户正在启动：%s%s", address, shared)
    server.run()


def freeze_startup_objects() -> None:
    """Keep the objects that live as long as the process (modules, routes, mappers: some 200,000) out of
    every later garbage collection (:func:`gc.freeze`).

    A full collection walks every tracked object: about 200 ms here with the portal loaded, during
    which no board gets its events. Frozen objects are never collected, so collect first; what the
    portal allocates afterwards (requests, boards, events) is collected as usual.
    """
    gc.collect()
    gc.freeze()
