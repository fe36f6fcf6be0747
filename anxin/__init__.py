"""The ``anxin`` command: runs the portal, the bridge, the kiosk, the demo and admin tasks."""
