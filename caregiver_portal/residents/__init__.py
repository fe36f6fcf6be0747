"""Residents: the tables, profile and polite greeting, who may see which residents (:mod:`.scope`), their
right to their data (:mod:`.privacy`), the kiosk lookup API and the residents pages."""
