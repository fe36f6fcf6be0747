"""Who is on call: each volunteer's and grid worker's weekly shifts and leave (请假), read by escalation
to choose whom to call, and the roster page that shows each grid's cover."""
