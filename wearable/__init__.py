"""Anxin wristband bridge (BLE).

Modules:

- ``gatt`` / ``vendor`` / ``ieee11073``: pure decoders, bytes -> frozen dataclasses
  (docs/wristband-protocol.md); ``uuids``: the UUIDs; ``errors``: MalformedPayload and friends
- ``encode``: pure encoders (what a band sends), used by the simulator and tests
- ``events`` (+ ``messages``, ``sequence``): pure core of the bridge — notifications ->
  alerts / cancellations / readings
- ``config``: ``BridgeSettings``; ``portal``: the slice of PortalClient the bridge calls
- ``bridge``, ``links``, ``forwarder``: the asyncio bridge on bleak's public API
- ``simulator``, ``sim_band``, ``sim_backend``: simulated wristbands as a bleak backend
- ``runner``: ``run_bridge()``, the ``anxin bridge`` entry point
"""
