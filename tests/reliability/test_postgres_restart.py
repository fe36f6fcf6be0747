"""PostgreSQL restarted under load: the portal reconnects by itself and loses nothing the
devices were told was accepted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LivePortal, free_port, start_portal_process
from tests.reliability.test_nothing_lost import assert_stored_exactly_once, device_clients, drain, send_burst
from tests.support.private_postgres import PrivatePostgres, private_postgres
from tests.support.seeding import seed_for_tests


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres(free_port()) as running:
        yield running


@pytest.fixture
def portal_on_cluster(cluster: PrivatePostgres, tmp_path: Path) -> Iterator[LivePortal]:
    kiosk_token, bridge_token = seed_for_tests(cluster.url)
    url = f"http://127.0.0.1:{free_port()}"
    data_dir = tmp_path / "portal"
    data_dir.mkdir()
    portal = LivePortal(url=url, database_url=cluster.url, data_dir=data_dir, kiosk_token=kiosk_token,
                        bridge_token=bridge_token, process=start_portal_process(url, cluster.url, data_dir))
    yield portal
    portal.stop()


def test_portal_reconnects_after_postgres_restarts_and_loses_nothing(
    cluster: PrivatePostgres, portal_on_cluster: LivePortal, tmp_path: Path
) -> None:
    clients = device_clients(portal_on_cluster, tmp_path)

    def restart_database(n: int) -> None:
        if n == 150:
            cluster.stop("fast")
            cluster.start()
        elif n == 300:
            cluster.stop("immediate")  # a crash: PostgreSQL recovers from its WAL
            cluster.start()

    try:
        sent = send_burst(clients, 450, during=restart_database)
        drain(clients)
    finally:
        for client in clients:
            client.stop()
    assert portal_on_cluster.process.poll() is None  # the portal itself never went down
    assert_stored_exactly_once(portal_on_cluster, sent)
