"""Wristbands at the portal: the registry (paired with residents), the latest state each bridge reports
(connected, last seen, RSSI, battery) and the bands near a site's kiosks.

Modules: ``models`` (tables ``wristbands`` and ``band_status``), ``service`` (upsert and nearby query),
``schemas`` and ``api`` (device API router).
"""
