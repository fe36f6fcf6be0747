"""``anxin kiosk`` in a process of its own, as on a headless kiosk box (offscreen window, no sound card)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kiosk_env(tmp_path: Path) -> dict[str, str]:
    """The environment ``anxin kiosk`` gets on a headless box: no display, Kivy's home in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "KIVY_NO_ARGS")}
    env.update(KIVY_HOME=str(tmp_path / "kivy-home"), KIVY_NO_FILELOG="1", SDL_AUDIODRIVER="dummy")
    return env


@contextmanager
def anxin_kiosk(config: Path, log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """``anxin kiosk --config <config>`` in its own process, output in ``log``; SIGKILLed if left running."""
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "anxin", "kiosk", "--config", str(config)],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=15)


def log_text(log: Path) -> str:
    """What a kiosk process wrote so far."""
    return log.read_text(encoding="utf-8", errors="replace")


def while_running(process: subprocess.Popen[bytes], log: Path, predicate: Callable[[], object]) -> Callable[[], object]:
    """``predicate`` for ``wait_until`` that fails at once (with the log) if the kiosk process died."""

    def check() -> object:
        assert process.poll() is None, f"kiosk exited with {process.returncode}:\n{log_text(log)[-4000:]}"
        return predicate()

    return check
