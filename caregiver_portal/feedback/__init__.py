"""Residents' voice (反映问题): problems and suggestions from the kiosk or a grid worker's visit, tracked to a reply
the resident hears at the kiosk; useful suggestions earn time-bank points."""
