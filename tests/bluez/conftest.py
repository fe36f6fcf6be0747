"""Fixtures for the real-BlueZ-backend tests: a private system bus, BlueZoo, a virtual band.

Every fixture here is function-scoped: each test gets a fresh bus and BlueZoo, because
BlueZoo reports a device once per adapter and never again (see docs/bluez-testing.md).
"""

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .band_control import BUS_NAME as BAND_BUS_NAME
from .bluez_sim import (
    CENTRAL_ADDRESS,
    HERE,
    PERIPHERAL_ADDRESS,
    START_TIMEOUT_S,
    BluezSim,
    Child,
    SimError,
    StartBand,
    name_has_owner,
    running_bluez,
    wait_until,
)


@pytest.fixture
def band_address() -> str:
    """Bluetooth address of hci1, hence of the virtual wristband as bleak sees it."""
    return PERIPHERAL_ADDRESS


@pytest.fixture
def bluez(tmp_path: Path, band_address: str) -> Iterator[BluezSim]:
    """A fresh dbus-daemon + BlueZoo (hci0 central, hci1 peripheral) for one test."""
    if sys.platform != "linux" or shutil.which("dbus-daemon") is None:
        pytest.fail("needs Linux and dbus-daemon: run `bash scripts/bootstrap.sh` (Debian package dbus-daemon)")
    with running_bluez(tmp_path / "logs", adapters=(CENTRAL_ADDRESS, band_address)) as sim:
        yield sim


@pytest.fixture
def start_band(bluez: BluezSim, band_address: str) -> StartBand:
    """Start the virtual wristband on hci1 with extra command-line options; wait until ready."""

    def start(*options: str) -> Child:
        argv = [sys.executable, str(HERE / "virtual_wristband.py"), "--adapter", "hci1", "--address", band_address,
                *options]
        child = bluez.spawn("virtual_wristband", argv)

        def ready() -> bool:
            if child.proc.poll() is not None:
                raise SimError(f"virtual wristband exited with {child.proc.returncode}\n{child.log_tail()}")
            return name_has_owner(bluez.bus_address, BAND_BUS_NAME)

        wait_until(ready, START_TIMEOUT_S, "the virtual wristband to register")
        return child

    return start


@pytest.fixture
def wristband(start_band: StartBand) -> Child:
    """The virtual wristband with default settings, advertising on hci1."""
    return start_band()
