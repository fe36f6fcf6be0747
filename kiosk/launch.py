"""Starting the kiosk as a program: Kivy's window options and ``run_kiosk`` (``anxin kiosk``)."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

from kiosk.config import KioskConfig, load_config

logger = logging.getLogger("kiosk.app")


def configure_kivy(config: KioskConfig) -> None:
    """Set Kivy's window and input options; must run before ``kivy.core.window`` is imported."""
    from kivy.config import Config

    if "kivy.core.window" in sys.modules:
        logger.warning("kivy.core.window already imported: window settings may not apply")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "fullscreen", "auto" if config.fullscreen else "0")
    Config.set("graphics", "width", str(config.width))
    Config.set("graphics", "height", str(config.height))
    Config.set("graphics", "show_cursor", "0" if config.hide_cursor else "1")


def run_kiosk(config_path: Path) -> None:
    """Load the config, open the kiosk window and block until it is closed (or SIGTERM/SIGINT)."""
    config = load_config(config_path)
    configure_kivy(config)
    from kivy.clock import Clock

    from kiosk.ui.app import KioskApp

    app = KioskApp(config)

    def stop_gracefully(signum: int, _frame: object) -> None:
        logger.info("kiosk: signal %s, stopping", signum)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop_gracefully)
    app.run()
