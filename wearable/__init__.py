"""Anxin wristband bridge (BLE).

Modules:

- ``gatt`` / ``vendor`` / ``ieee11073``: pure decoders, bytes -> frozen dataclasses
  (docs/wristband-protocol.md); ``uuids``: the UUIDs; ``errors``: MalformedPayload and friends
- ``encode``: pure encoders (what a band sends), used by the simulator and tests
- ``events`` (+ ``messages``, ``sequence``): pure core of the bridge — notifications ->
  alerts / cancellations / readings
- ``config``: ``BridgeSettings``; ``portal``: the slice of PortalClient the bridge calls
- ``bridge``, ``links``, ``forwarder``: the asyncio bridge on bleak's public API
- ``state``: the bridge's durable state file (falls in their cancel window, last iTAG presses)
- ``status``: band status reports to the portal (connected, last seen, RSSI, battery)
- ``simulator``, ``sim_band``, ``sim_backend``: simulated wristbands as a bleak backend
- ``runner``: ``run_bridge()``, the ``anxin bridge`` entry point
"""
