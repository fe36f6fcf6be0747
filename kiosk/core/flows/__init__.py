"""The kiosk's flows, one module each: ``TAPS`` (choice id -> step) and ``VIEWS`` (screen -> view).

A step is ``(state, tap) -> (state, steps)``; a view is ``state -> View``. To add a flow, add
a module here and one line in :data:`kiosk.core.handle.FLOWS` (see docs/kiosk.md).
"""
