"""Benchmark: decode throughput of wearable.gatt / the bridge's pure event processor.

Run: ``python benchmarks/bridge_decode.py [--n 200000]``. Prints decodes per second.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from wearable import gatt, uuids
from wearable.encode import encode_heart_rate, encode_plx_continuous, encode_temperature
from wearable.events import EventProcessor, Notification
from wearable.vendor import WristbandEvent, WristbandEventKind, encode_wristband_event

CASES: list[tuple[str, Callable[[bytes], Any], bytes]] = [
    ("heart_rate+rr", gatt.parse_heart_rate_measurement, encode_heart_rate(72, sensor_contact=True,
                                                                           rr_intervals_s=[0.8, 0.82])),
    ("plx_continuous", gatt.parse_plx_continuous, encode_plx_continuous(97, 70)),
    ("temperature", gatt.parse_temperature_measurement, encode_temperature(36.6, location_code=2)),
    ("battery", gatt.parse_battery_level, b"\x55"),
    ("wristband_event", gatt.parse_wristband_event,
     encode_wristband_event(WristbandEvent(WristbandEventKind.SOS, 7, 1_795_000_000, 85, True))),
]


def bench_decoders(n: int) -> None:
    """Time each decoder on a fixed payload."""
    for name, decoder, payload in CASES:
        started = time.perf_counter()
        for _ in range(n):
            decoder(payload)
        elapsed = time.perf_counter() - started
        print(f"{name:16s} {n / elapsed:12,.0f} decodes/s  ({elapsed / n * 1e6:.2f} µs each)")


def bench_processor(n: int) -> None:
    """Time the event processor on a realistic mix (mostly heart rate, some SpO2/temperature)."""
    now = datetime.now(UTC)
    mix = [
        Notification("F0:00:00:00:00:01", uuids.HEART_RATE_MEASUREMENT, CASES[0][2], now),
        Notification("F0:00:00:00:00:01", uuids.HEART_RATE_MEASUREMENT, CASES[0][2], now),
        Notification("F0:00:00:00:00:01", uuids.PLX_CONTINUOUS, CASES[1][2], now),
        Notification("F0:00:00:00:00:01", uuids.TEMPERATURE_MEASUREMENT, CASES[2][2], now),
    ]
    processor = EventProcessor()
    started = time.perf_counter()
    for i in range(n):
        processor.handle(mix[i % len(mix)], float(i))
    elapsed = time.perf_counter() - started
    print(f"{'processor mix':16s} {n / elapsed:12,.0f} notifications/s")


def main() -> None:
    """Parse arguments and run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    bench_decoders(args.n)
    bench_processor(args.n)


if __name__ == "__main__":
    main()
