"""bleak's real BlueZ backend against BlueZoo and a virtual wristband — no hardware."""

from .bluez_sim import HERE, PERIPHERAL_ADDRESS, BluezSim, Child

SCENARIO_TIMEOUT_S = 30.0


def test_plain_bleak_finds_band_reads_battery_and_gets_notifications_and_sos(bluez: BluezSim, wristband: Child) -> None:
    result = bluez.run_script(HERE / "scenario_plain_bleak.py", timeout=SCENARIO_TIMEOUT_S)

    assert result == {
        "found": True,
        "address": PERIPHERAL_ADDRESS,
        "name": "Anxin Band",
        "battery": 87,
        "heart_rates": [72, 72, 72],
        "sos": {"kind": "sos", "sequence": 1, "pressed": 1},
        "confirmed": [1],
        "disconnected": True,
    }, bluez.logs()


def test_scanner_sees_sos_mirrored_in_advertisement_service_data(bluez: BluezSim, wristband: Child) -> None:
    result = bluez.run_script(HERE / "scenario_adv_mirror.py", timeout=SCENARIO_TIMEOUT_S)

    assert result == {"before": {}, "after": {"kind": "sos", "sequence": 1, "pressed": 1}}, bluez.logs()
