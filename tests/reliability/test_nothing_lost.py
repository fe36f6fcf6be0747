"""Nothing lost, nothing doubled: bursts of device events while the portal is SIGKILLed and
restarted, while the network drops, and while a device process is SIGKILLed between
"stored locally" and "sent". Afterwards every event is stored exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select

from caregiver_portal.alerts.models import Alert, AlertEvent
from caregiver_portal.client import AlertCreate, PortalClient, ReadingIn
from caregiver_portal.health.models import Reading, ReadingBatch
from tests.conftest import ROOT, LivePortal, wait_until
from tests.support.proxy import FlakyLink
from tests.support.seeding import TEST_WRISTBANDS, create_test_devices

DEVICES = 10
BURST = 1000


@dataclass
class Sent:
    """What the devices were asked to send."""

    alert_ids: set[str] = field(default_factory=set)
    batch_ids: set[str] = field(default_factory=set)


def device_clients(portal: LivePortal, tmp_path: Path, base_url: str | None = None) -> list[PortalClient]:
    """Five bridges and five kiosks, each with its own token and durable outbox."""
    tokens = create_test_devices(portal.database_url, count=DEVICES // 2, kind="bridge")
    tokens += create_test_devices(portal.database_url, count=DEVICES // 2, kind="kiosk")
    # 15 s per request: a loaded machine answers slowly (2 s never drained under stress-ng); a killed portal
    # refuses at once
    clients = [PortalClient(base_url or portal.url, token, tmp_path / f"device-{i}.sqlite3", timeout_s=15,
                            max_backoff_s=0.5) for i, token in enumerate(tokens)]
    for client in clients:
        client.start()
    return clients


def send_burst(clients: list[PortalClient], count: int, *, during: Callable[[int], None]) -> Sent:
    """``count`` events round-robin: bridges send SOS and reading batches, kiosks help calls."""
    sent = Sent()
    for n in range(count):
        during(n)
        device = n % len(clients)
        client = clients[device]
        band = TEST_WRISTBANDS[n % len(TEST_WRISTBANDS)]
        if device >= len(clients) // 2:
            sent.alert_ids.add(client.raise_alert(AlertCreate(kind="help", emergency=n % 3 == 0, event_id=f"help-{n}",
                                                              details={"place": f"大厅 {n}"})))
        elif (n // len(clients)) % 10 == 0:
            sent.alert_ids.add(client.raise_alert(AlertCreate(kind="sos", wristband=band, event_id=f"sos-{n}")))
        else:
            sent.batch_ids.add(client.post_readings(
                [ReadingIn(wristband=band, kind="heart_rate", value=60 + n % 40,
                           measured_at=datetime(2026, 11, 25, 6, tzinfo=UTC))], batch_id=f"batch-{n}"))
    return sent


def drain(clients: list[PortalClient], timeout: float = 300) -> None:
    """Wait until every outbox is empty, then stop the senders."""
    wait_until(lambda: all(client.pending_count() == 0 for client in clients), timeout=timeout)
    for client in clients:
        client.close()


def assert_stored_exactly_once(portal: LivePortal, sent: Sent) -> None:
    """Every alert and reading batch is in the database once; the alerts are on the board."""
    engine = create_engine(portal.database_url)
    try:
        with engine.connect() as db:
            stored = db.execute(select(Alert.id, Alert.client_event_id).where(
                Alert.client_event_id.in_(sent.alert_ids))).all()
            batches = list(db.scalars(select(ReadingBatch.batch_id).where(ReadingBatch.batch_id.in_(sent.batch_ids))))
            readings = db.scalar(select(func.count()).select_from(Reading))
    finally:
        engine.dispose()
    assert sorted(event_id for _id, event_id in stored) == sorted(sent.alert_ids)  # none lost, none twice
    assert sorted(batches) == sorted(sent.batch_ids)
    assert readings == len(sent.batch_ids)
    board = requests.get(f"{portal.url}/api/v1/site/alerts", timeout=30,
                         headers={"Authorization": f"Bearer {portal.kiosk_token}"}).json()
    assert {alert_id for alert_id, _event in stored} <= {alert["id"] for alert in board}


FAST_ESCALATION = """
[policies.emergency.open]
repeat_every_s = 4
steps = [
  { after_s = 0, notify = ["grid_volunteers", "grid_worker"], label = "通知本网格" },
  { after_s = 2, notify = ["site_volunteers", "caregivers"], label = "通知全站" },
]
"""


@pytest.fixture
def fast_escalation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Portals started after this escalate emergencies every few seconds (a test-sized ladder)."""
    policy = tmp_path / "escalation.toml"
    policy.write_text(FAST_ESCALATION, encoding="utf-8")
    monkeypatch.setenv("ANXIN_ESCALATION_POLICY", str(policy))


def test_burst_survives_portal_sigkilled_and_restarted_twice(
    fast_escalation: None, live_portal: LivePortal, tmp_path: Path
) -> None:
    clients = device_clients(live_portal, tmp_path)
    restarted_at: list[datetime] = []

    def crash_and_restart(n: int) -> None:
        if n in (BURST // 3, 2 * BURST // 3):
            live_portal.kill()
            live_portal.start()
            restarted_at.append(datetime.now(UTC))

    try:
        sent = send_burst(clients, BURST, during=crash_and_restart)
        drain(clients)
    finally:
        for client in clients:
            client.stop()
    assert len(sent.alert_ids) + len(sent.batch_ids) == BURST
    assert_stored_exactly_once(live_portal, sent)
    engine = create_engine(live_portal.database_url)
    with engine.connect() as db:
        emergencies = db.scalar(select(func.count()).select_from(Alert).where(Alert.state == "open",
                                                                               Alert.emergency.is_(True)))
    engine.dispose()
    assert emergencies > 100
    # Every unaccepted emergency keeps escalating after the crashes: no ladder was lost.
    wait_until(lambda: not unescalated_since(live_portal, restarted_at[-1]), timeout=60)


def unescalated_since(portal: LivePortal, since: datetime) -> list[int]:
    """Open emergency alerts with no escalation step after ``since`` (their ladder stopped)."""
    engine = create_engine(portal.database_url)
    try:
        with engine.connect() as db:
            escalated = select(AlertEvent.alert_id).where(AlertEvent.type == "escalated", AlertEvent.at > since)
            return list(db.scalars(select(Alert.id).where(Alert.state == "open", Alert.emergency.is_(True),
                                                          Alert.id.not_in(escalated))))
    finally:
        engine.dispose()


def test_burst_survives_the_network_dropping_and_returning(live_portal: LivePortal, tmp_path: Path) -> None:
    link = FlakyLink("127.0.0.1", int(live_portal.url.rsplit(":", 1)[1]))
    clients = device_clients(live_portal, tmp_path, base_url=link.url)

    def flap(n: int) -> None:
        if n in (100, 500):
            link.cut()
        elif n in (300, 700):
            link.restore()

    try:
        sent = send_burst(clients, BURST, during=flap)
        link.restore()
        drain(clients)
    finally:
        for client in clients:
            client.stop()
        link.close()
    assert_stored_exactly_once(live_portal, sent)


DEVICE_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from caregiver_portal.client import AlertCreate, PortalClient

    url, token, outbox, count = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    client = PortalClient(url, token, outbox)
    client.start()
    for n in range(count):
        client.raise_alert(AlertCreate(kind="help", event_id=f"killed-{n}", details={"place": "大厅"}))
    print("stored", flush=True)
    client.wait_delivered("killed-0", timeout=30)  # the sender is under way…
    os.kill(os.getpid(), signal.SIGKILL)  # …when the power goes: some sent, some not, some in flight
""")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_device_killed_between_storing_and_sending_delivers_the_rest_on_restart(
    live_portal: LivePortal, tmp_path: Path
) -> None:
    outbox = tmp_path / "kiosk-outbox.sqlite3"
    count = 200
    result = subprocess.run([sys.executable, "-c", DEVICE_SCRIPT, live_portal.url, live_portal.kiosk_token,
                             str(outbox), str(count)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGKILL and "stored" in result.stdout
    restarted = PortalClient(live_portal.url, live_portal.kiosk_token, outbox)
    assert restarted.pending_count() < count  # some had gone out before the kill…
    restarted.start()
    drain([restarted])  # …and the rest go out now
    assert_stored_exactly_once(live_portal, Sent(alert_ids={f"killed-{n}" for n in range(count)}))

