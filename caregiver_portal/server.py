"""Run the portal with uvicorn."""

from __future__ import annotations

import uvicorn

from caregiver_portal.app import create_app
from caregiver_portal.core.settings import PortalSettings


def serve(settings: PortalSettings, *, host: str, port: int) -> None:
    """Serve the portal until SIGINT/SIGTERM (uvicorn handles both and shuts down cleanly)."""
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True, timeout_graceful_shutdown=5)
