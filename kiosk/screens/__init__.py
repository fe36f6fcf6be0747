"""One screen per module; screens render state and report taps to :class:`KioskActions`."""
