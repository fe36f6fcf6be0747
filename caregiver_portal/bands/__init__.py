"""Wristband status at the portal: the latest state each bridge reports (connected, last seen,
RSSI, battery) and the bands near a site's kiosks.

Modules: ``models`` (table ``band_status``, migration branch ``bands``, revision 0004),
``service`` (upsert and nearby query), ``schemas`` and ``api`` (device API router).
"""
