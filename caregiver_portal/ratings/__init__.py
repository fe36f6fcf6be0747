"""Residents' ratings of services (1–5 stars) from kiosks, stored once per device event."""
