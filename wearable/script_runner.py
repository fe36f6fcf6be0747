"""Play a rehearsal script (:mod:`wearable.script`) on the simulated bands, at its times from the start of the run.

Each step calls the simulated band's own scripting API (``press_sos()``, ``fall()``,
``set_heart_rate()``, ``go_out_of_range()``...), so what follows — frames, notifications,
readings, the bridge, the portal's rules — is the same as in any other run. A value of None
puts the band back to the baseline it had when the script started.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Sequence

from wearable.script import Step, describe
from wearable.sim_band import BandProfile, SimulatedBand
from wearable.simulator import SimulatedWorld, simulated_address

logger = logging.getLogger(__name__)


def band_of(world: SimulatedWorld, step: Step) -> SimulatedBand:
    """The simulated band a step is for (KeyError when the world has no such band)."""
    return world.band(simulated_address(step.band) if isinstance(step.band, int) else step.band)


def apply_step(world: SimulatedWorld, step: Step, baselines: dict[str, BandProfile]) -> None:
    """Make one band do what the step says; ``baselines`` holds each band's profile as the script found it."""
    band = band_of(world, step)
    base = baselines.setdefault(band.address, dataclasses.replace(band.profile))
    actions: dict[str, Callable[[], None]] = {
        "sos": band.press_sos, "cancel-sos": band.cancel_sos, "fall": band.fall, "cancel-fall": band.cancel_fall,
        "check-in": band.check_in, "silent": band.go_out_of_range, "back": band.come_back,
        "off-wrist": band.take_off, "on-wrist": band.put_on,
        "heart-rate": lambda: band.set_heart_rate(base.resting_hr if step.value is None else step.value),
        "battery": lambda: band.set_battery(step.value if step.value is not None else base.battery),
    }
    if step.action in actions:
        actions[step.action]()
    elif step.action == "spo2":
        band.profile.spo2 = base.spo2 if step.value is None else step.value
    elif step.action == "temperature":
        band.profile.temperature_c = base.temperature_c if step.value is None else step.value
    elif step.action == "battery-drain":
        per_tick = None if step.value is None else step.value * world.reading_interval / 60
        band.profile.battery_drain_per_tick = base.battery_drain_per_tick if per_tick is None else per_tick
    else:
        raise ValueError(f"unknown script action {step.action}")


async def play(world: SimulatedWorld, steps: Sequence[Step], *, clock: Callable[[], float] | None = None) -> None:
    """Carry out ``steps`` at their times (seconds after this call); a failing step is logged, the rest go on."""
    loop = asyncio.get_running_loop()
    now = clock or loop.time
    start = now()
    baselines: dict[str, BandProfile] = {}
    for step in steps:
        delay = start + step.at - now()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            apply_step(world, step, baselines)
        except Exception:  # one wrong step (a band that is not there) must not end the rehearsal
            logger.exception("script step failed: %s", describe(step))
            continue
        logger.info("演练脚本：%s", describe(step))
