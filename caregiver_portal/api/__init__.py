"""HTTP routes: the device API under /api/v1."""
