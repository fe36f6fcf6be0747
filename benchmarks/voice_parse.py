"""Latency of kiosk.voice.intents.parse over a labelled set (only the texts are used).

Usage: .venv/bin/python benchmarks/voice_parse.py [--rounds 20] [--set corpus|train|dev|test|PATH]
       [--rate 10]   (each text first through the recognition-error simulator at that rate)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.voice.intents import parse  # noqa: E402
from tests.voice.asr_errors import corrupt  # noqa: E402
from tests.voice.conftest import ACTIVITIES, CATALOG, NOW  # noqa: E402
from tests.voice.datasets import SETS, load  # noqa: E402


def main() -> None:
    """Print p50 / p95 / p99 / max parse time in milliseconds (wall clock and thread CPU time)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--set", default="corpus")
    parser.add_argument("--rate", type=float, default=0.0, help="simulated recognition errors, percent")
    args = parser.parse_args()
    texts = [example.text for example in load(SETS.get(args.set, Path(args.set)))]
    if args.rate:
        texts = [corrupt(text, args.rate / 100, seed) for seed, text in enumerate(texts)]
    cold = time.perf_counter()
    parse(texts[0], catalog=CATALOG, activities=ACTIVITIES, now=NOW)
    cold = time.perf_counter() - cold
    print(f"set={args.set} rate={args.rate:g} % utterances={len(texts)} calls={len(texts) * args.rounds} "
          f"first_call={cold * 1000:.1f} ms")
    for label, clock in (("wall", time.perf_counter), ("cpu", time.thread_time)):
        samples = []
        for _ in range(args.rounds):
            for text in texts:
                start = clock()
                parse(text, catalog=CATALOG, activities=ACTIVITIES, now=NOW)
                samples.append((clock() - start) * 1000)
        samples.sort()

        def pct(p: float, samples: list[float] = samples) -> float:
            return samples[min(len(samples) - 1, int(len(samples) * p))]

        print(
            f"{label:4} mean={statistics.fmean(samples):.3f} p50={pct(0.5):.3f} p95={pct(0.95):.3f} "
            f"p99={pct(0.99):.3f} max={samples[-1]:.3f} ms"
        )


if __name__ == "__main__":
    main()
