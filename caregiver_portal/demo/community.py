"""Demo data of the community services, on top of :func:`caregiver_portal.demo.seed.seed_demo`."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.service import get_or_create_site
from caregiver_portal.activities.models import Activity
from caregiver_portal.activities.service import ActivitySpec, create_activity
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.demo.seed import DEMO_SITE
from caregiver_portal.orders.catalog import seed_demo_catalog
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.service import set_gender
from caregiver_portal.timebank.service import seed_demo_rewards

# resident code -> (gender, birth year), matching caregiver_portal.demo.seed.DEMO_RESIDENTS
DEMO_PROFILES = {"0201": ("female", 1952), "0502": ("male", 1949), "1101": ("female", 1941),
                 "1302": ("male", 1955), "2403": ("female", 1947), "2104": ("male", 1944)}
# title, category, days ahead, local start, hours, place, capacity, description
DEMO_ACTIVITIES = (
    ("社区义诊", "义诊", 2, time(9, 0), 3, "社区服务中心一楼大厅", 20,
     "市第三医院的医生来社区义诊：量血压、测血糖、用药咨询。请带上医保卡和正在吃的药。"),
    ("健康讲座：冬季防跌倒", "讲座", 3, time(14, 30), 1.5, "社区服务中心二楼活动室", 30,
     "康复科医生讲冬季防跌倒的要点，现场教几个简单的平衡练习。"),
    ("书法班", "兴趣班", 5, time(9, 30), 2, "老年活动室", 3,
     "毛笔字入门，笔墨纸由社区准备。名额少，报满后可以候补。"),
)


def seed_demo_community(*, session: Session, now: datetime, site_name: str = DEMO_SITE) -> None:
    """Seed the demo site's grocery catalog, time-bank rewards, resident genders and three activities (idempotent).

    Call it after ``seed_demo`` in the same transaction.
    """
    site = get_or_create_site(session=session, name=site_name)
    seed_demo_catalog(session=session, site_id=site.id)
    seed_demo_rewards(session=session, site_id=site.id)
    for code, (gender, birth_year) in DEMO_PROFILES.items():
        resident = session.scalar(select(Resident).where(Resident.resident_code == code))
        if resident is not None:
            set_gender(session=session, resident_id=resident.id, gender=gender, birth_year=birth_year)
    have = set(session.scalars(select(Activity.title).where(Activity.site_id == site.id, Activity.ends_at > now)))
    today = now.astimezone(CHINA_TIME).date()
    for title, category, days, start, hours, place, capacity, description in DEMO_ACTIVITIES:
        if title in have:
            continue
        starts_at = datetime.combine(today + timedelta(days=days), start, tzinfo=CHINA_TIME)
        create_activity(session=session, site_id=site.id, user=None, now=now, spec=ActivitySpec(
            title=title, category=category, description=description, place=place, starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours), capacity=capacity))
    session.flush()
