"""Anxin's shared assets (the design card's top-level ``assets/``): fonts, sounds, pictures.

Installed as package data next to this module, so the portal and the kiosk find them the same
way in a checkout, an editable install or a wheel (never through ``Path(__file__).parent.parent``
of some other package)::

    assets.path("fonts", "NotoSansSC-Regular.otf")
    assets.path("pictures", "catalog")       # Twemoji SVGs the portal serves as /static/catalog/*
    assets.path("sounds", "alert.wav")       # the volunteers' board alarm, /static/alert.wav

The portal serves ``sounds/`` and ``pictures/`` under ``/static`` (Starlette ``StaticFiles``
``packages=``); the kiosk's font can be replaced by a configured file (``ANXIN_KIOSK_FONT``).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent
"""Where the packaged assets are (this module's folder, wherever the package is installed)."""


def path(*parts: str) -> Path:
    """A file or folder inside the assets folder (it may not exist: callers check)."""
    return ROOT.joinpath(*parts)
