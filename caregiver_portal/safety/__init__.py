"""The safety net beyond the button (issue 16): daily check-in (平安打卡) and silent bands.

Pure rules in :mod:`.checkin_rules` and :mod:`.band_rules`; the sweep the ticker runs in :mod:`.sweep`;
check-ins recorded by :mod:`.checkins`; the device API in :mod:`.api`, the pages in :mod:`.web`.
"""
