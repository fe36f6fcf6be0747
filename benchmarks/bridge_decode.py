"""Benchmark: decode throughput of wearable.gatt / the bridge's pure event processor.

Also the encrypted frames: an Anxin frame, a BTHome button and a MiBeacon button opened (MIC
verified) through bthome-ble / xiaomi-ble, each a fresh counter.
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
from wearable.events import Advert, EventProcessor, Notification
from wearable.frames import (
    BTHOME_UUID,
    MIBEACON_UUID,
    bthome_button,
    mibeacon_button,
    seal_anxin_event,
    seal_bthome,
    seal_mibeacon,
)
from wearable.keys import Enrolment, Scheme
from wearable.vendor import WristbandEvent, WristbandEventKind, encode_wristband_event

KEY = bytes(range(16))

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
    processor = EventProcessor(enrolments=[Enrolment("F0:00:00:00:00:01", Scheme.HRS)])
    started = time.perf_counter()
    for i in range(n):
        processor.handle(mix[i % len(mix)], float(i))
    elapsed = time.perf_counter() - started
    print(f"{'processor mix':16s} {n / elapsed:12,.0f} notifications/s")


def bench_frames(n: int) -> None:
    """Open authenticated frames through the processor: new counter each time (the worst case)."""
    now = datetime.now(UTC)
    makers: dict[Scheme, tuple[str, Callable[[str, int], bytes]]] = {
        Scheme.ANXIN: (BTHOME_UUID, lambda a, c: seal_anxin_event(
            WristbandEvent(WristbandEventKind.STATUS, c & 0xFFFF, 1_795_000_000 + c, 85, True), address=a, key=KEY,
            counter=c)),
        Scheme.BTHOME: (BTHOME_UUID, lambda a, c: seal_bthome(bthome_button("press", battery=90), address=a, key=KEY,
                                                             counter=c)),
        Scheme.MIBEACON: (MIBEACON_UUID, lambda a, c: seal_mibeacon(mibeacon_button("press"), address=a, key=KEY,
                                                                   counter=c)),
    }
    count = min(n, 20_000)
    for scheme, (uuid, make) in makers.items():
        address = "F0:00:00:00:00:01"
        adverts = [Advert(address, {uuid: make(address, c)}, -60, "adapter", now) for c in range(1, count + 1)]
        processor = EventProcessor(enrolments=[Enrolment(address, scheme, KEY)])
        started = time.perf_counter()
        for i, advert in enumerate(adverts):
            processor.handle(advert, float(i))
        elapsed = time.perf_counter() - started
        assert sum(processor.stats(address).refused.values()) == 0
        print(f"{scheme.value + ' frame':16s} {count / elapsed:12,.0f} frames/s  ({elapsed / count * 1e6:.1f} µs each)")


def main() -> None:
    """Parse arguments and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    bench_decoders(args.n)
    bench_processor(args.n)
    bench_frames(args.n)


if __name__ == "__main__":
    main()
