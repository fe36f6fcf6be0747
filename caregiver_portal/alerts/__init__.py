"""Alerts: raise (idempotently), accept, resolve, cancel; the timeline every change is written to
(:mod:`.timeline`), the live board fed by it (:mod:`.live`, :mod:`.web`) and the device API (:mod:`.api`)."""
