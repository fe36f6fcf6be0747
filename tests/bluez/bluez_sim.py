"""A private system bus with BlueZoo on it: start, wait until ready, tear down.

Everything here runs as child processes, each in its own session (process group), so
teardown kills whole groups and leaves nothing behind:

- ``dbus-daemon`` with a generated ``<type>system</type>`` config listening on a unix
  socket in a short temporary directory;
- ``bluezoo`` (GPL; used as a tool process, never imported) with two adapters;
- any helper process started by :meth:`BluezSim.spawn` (the virtual wristband, a bleak
  scenario script).

This module imports dbus-fast only (for readiness checks), never bleak: bleak must see
``DBUS_SYSTEM_BUS_ADDRESS`` before it is imported, so the bleak side always runs in a
child process started with :meth:`BluezSim.env`.
"""

import asyncio
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
BLUEZOO = Path(sys.executable).with_name("bluezoo")
"""BlueZoo's console script in the virtual environment running the tests."""
CENTRAL_ADDRESS = "F0:A0:00:00:00:01"
"""hci0: the bridge's adapter (the central)."""
PERIPHERAL_ADDRESS = "F0:A0:00:00:00:02"
"""hci1: the virtual wristband's adapter (the peripheral); bleak sees the band at this address."""
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*" eavesdrop="true"/>
  </policy>
</busconfig>
"""


StartBand = Callable[..., "Child"]
"""The ``start_band`` fixture: start the virtual wristband with extra options, return it."""


class SimError(RuntimeError):
    """A simulator process failed to start, died, or a wait timed out."""


@dataclass
class Child:
    """A child process running in its own process group, its output in a log file."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        """The last lines this process wrote to stderr (and stdout unless piped)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if it lingers, reap the leader."""
        for sig, wait_s in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, STOP_TIMEOUT_S)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=wait_s)
                break
            except subprocess.TimeoutExpired:
                continue
        _kill_group_leftovers(self.proc.pid)


def _kill_group_leftovers(pgid: int) -> None:
    """SIGKILL whatever is still in the group (grandchildren outliving their parent)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.02) -> None:
    """Poll ``predicate`` until it is true; raise :class:`SimError` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SimError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@dataclass
class BluezSim:
    """A running private system bus with BlueZoo; use :func:`running_bluez` to get one."""

    bus_address: str
    log_dir: Path
    adapters: tuple[str, ...]
    children: list[Child] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a child process that must talk to this bus (and only this bus)."""
        env = dict(os.environ)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        env.update(DBUS_SYSTEM_BUS_ADDRESS=self.bus_address, PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        env.update(extra)
        return env

    def spawn(self, name: str, argv: list[str], *, stdout_pipe: bool = False) -> Child:
        """Start a helper process on this bus in its own process group; stopped at teardown."""
        log_path = self.log_dir / f"{name}.log"
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                argv,
                env=self.env(),
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if stdout_pipe else log,
                stderr=log,
                start_new_session=True,
            )
        child = Child(name, proc, log_path)
        self.children.append(child)
        return child

    def run_script(self, script: Path, *args: str, timeout: float) -> dict:
        """Run a Python scenario script on this bus; return the JSON object it prints last.

        The script reports its findings as one JSON line on stdout; anything else it
        says goes to its log. A non-zero exit or a timeout raises :class:`SimError`
        with the log tail of the script and of every other child.
        """
        child = self.spawn(script.stem, [sys.executable, str(script), *args], stdout_pipe=True)
        try:
            out, _ = child.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            child.stop()
            raise SimError(f"{script.name} timed out after {timeout:.0f} s\n{self.logs()}") from exc
        finally:
            child.stop()
        if child.proc.returncode != 0:
            raise SimError(f"{script.name} exited with {child.proc.returncode}\n{self.logs()}")
        lines = out.decode().strip().splitlines()
        if not lines:
            raise SimError(f"{script.name} printed no result\n{self.logs()}")
        return json.loads(lines[-1])

    def logs(self) -> str:
        """Log tails of every child, for assertion messages."""
        return "\n".join(f"--- {c.name} ---\n{c.log_tail()}" for c in self.children)

    def check_alive(self) -> None:
        """Raise :class:`SimError` if the bus or BlueZoo has died."""
        for child in self.children:
            if child.name in ("dbus-daemon", "bluezoo") and child.proc.poll() is not None:
                raise SimError(f"{child.name} exited with {child.proc.returncode}\n{self.logs()}")


def _start_dbus_daemon(sim_dir: Path, log_dir: Path) -> tuple[Child, str]:
    """Start the private system bus; return it and its address once it listens."""
    config = sim_dir / "system-bus.conf"
    config.write_text(BUS_CONFIG.format(socket=sim_dir / "system_bus_socket"))
    log_path = log_dir / "dbus-daemon.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--nosyslog", "--print-address"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
        )
    child = Child("dbus-daemon", proc, log_path)
    address = _read_line(child, START_TIMEOUT_S)
    if not address.startswith("unix:"):
        child.stop()
        raise SimError(f"dbus-daemon did not print an address\n{child.log_tail()}")
    return child, address


def _read_line(child: Child, timeout: float) -> str:
    """Read one line of the child's stdout, giving up after ``timeout`` seconds."""
    assert child.proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(child.proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return child.proc.stdout.readline().decode().strip()


async def _powered_adapters(bus_address: str) -> set[str]:
    """Names of the powered adapters BlueZoo exports (empty while it is not up yet)."""
    bus = await MessageBus(bus_address=bus_address, bus_type=BusType.SYSTEM).connect()
    try:
        reply = await bus.call(
            Message(
                destination="org.bluez",
                path="/",
                interface="org.freedesktop.DBus.ObjectManager",
                member="GetManagedObjects",
            )
        )
    finally:
        bus.disconnect()
    if reply.message_type != MessageType.METHOD_RETURN:
        return set()
    return {
        path.rsplit("/", 1)[-1]
        for path, interfaces in reply.body[0].items()
        if interfaces.get("org.bluez.Adapter1", {}).get("Powered") is not None
        and interfaces["org.bluez.Adapter1"]["Powered"].value
    }


def name_has_owner(bus_address: str, name: str) -> bool:
    """True when ``name`` is owned on the bus at ``bus_address``."""

    async def ask() -> bool:
        bus = await MessageBus(bus_address=bus_address, bus_type=BusType.SYSTEM).connect()
        try:
            reply = await bus.call(
                Message(
                    destination="org.freedesktop.DBus",
                    path="/org/freedesktop/DBus",
                    interface="org.freedesktop.DBus",
                    member="NameHasOwner",
                    signature="s",
                    body=[name],
                )
            )
        finally:
            bus.disconnect()
        return reply.message_type == MessageType.METHOD_RETURN and bool(reply.body[0])

    return asyncio.run(ask())


@contextmanager
def running_bluez(
    log_dir: Path, adapters: tuple[str, ...] = (CENTRAL_ADDRESS, PERIPHERAL_ADDRESS)
) -> Iterator[BluezSim]:
    """Start dbus-daemon and BlueZoo, wait until every adapter is powered, stop all at exit."""
    if shutil.which("dbus-daemon") is None:
        raise SimError("dbus-daemon is not installed (Debian package dbus-daemon)")
    if not BLUEZOO.exists():
        raise SimError(f"{BLUEZOO} is missing: pip install 'anxin[test]' (bluezoo==1.0.2)")
    # A unix socket path must stay under ~108 bytes: pytest's tmp_path can be longer.
    sim_dir = Path(tempfile.mkdtemp(prefix="anxin-bluez-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    bus, address = _start_dbus_daemon(sim_dir, log_dir)
    sim = BluezSim(bus_address=address, log_dir=log_dir, adapters=adapters, children=[bus])
    try:
        argv = [str(BLUEZOO), "--auto-enable", "--scan-interval", "1"]
        for adapter in adapters:
            argv += ["-a", adapter]
        sim.spawn("bluezoo", argv)
        wanted = {f"hci{i}" for i in range(len(adapters))}

        def adapters_up() -> bool:
            sim.check_alive()
            return asyncio.run(_powered_adapters(address)) >= wanted

        wait_until(adapters_up, START_TIMEOUT_S, "BlueZoo adapters to be powered", interval=0.05)
        yield sim
    finally:
        for child in reversed(sim.children):
            child.stop()
        shutil.rmtree(sim_dir, ignore_errors=True)
