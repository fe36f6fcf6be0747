"""Community services of the portal: grocery proxy orders (代购), activities (活动), resident profiles
and health trends, the volunteers' time bank (时间银行), ratings and reports, grid workers' visit diary.

Its tables live in :mod:`caregiver_portal.community.models` (migration branch ``community``),
its services in one module per domain, and its device API in :mod:`caregiver_portal.community.api`.
"""

from datetime import timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8), "CST")
"""The community centres' clock: days, weeks, months and reminder texts are in China Standard Time."""
