"""Wristbands at the portal: the registry (paired with residents, with the decoder each needs), their keys
(encrypted at rest, given only to the site's bridges), the latest state each bridge reports (connected, last
seen, signal, battery, the radio that heard it, suspicious frames) and the bands near a site's kiosks.

Modules: ``models`` (tables ``wristbands``, ``band_keys`` and ``band_status``), ``service`` (status upsert
and nearby query), ``keys`` (sealing keys, enrolment with a key, a site's keys for its bridges),
``schemas`` and ``api`` (device API router), ``web`` (the admin's bands page).
"""
