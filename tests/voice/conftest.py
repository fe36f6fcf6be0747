"""Shared context for the voice tests: a shop catalog, a week of activities, a fixed ``now``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
CATALOG = (
    "鸡蛋",
    "大米",
    "西红柿",
    "土豆",
    "猪肉",
    "牛奶",
    "大白菜",
    "面条",
    "食用油",
    "酱油",
    "醋",
    "盐",
    "白糖",
    "面粉",
    "苹果",
    "香蕉",
    "卫生纸",
    "豆腐",
    "馒头",
    "黄瓜",
    "鸡肉",
    "鱼",
    "小米",
    "红薯",
    "胡萝卜",
    "大葱",
    "生姜",
    "茄子",
    "牙膏",
    "肥皂",
)
ACTIVITIES = (
    {"id": "a1", "title": "太极拳晨练", "starts_at": "2026-11-26T07:30:00+08:00"},
    {"id": "a2", "title": "健康讲座：老年人防跌倒", "starts_at": "2026-11-27T09:30:00+08:00"},
    {"id": "a3", "title": "社区包饺子", "starts_at": "2026-11-28T10:00:00+08:00"},
    {"id": "a4", "title": "书法兴趣班", "starts_at": "2026-12-02T14:00:00+08:00"},
    {"id": "a5", "title": "合唱团排练", "starts_at": "2026-11-29T15:00:00+08:00"},
    {"id": "a6", "title": "免费体检", "starts_at": "2026-12-01T08:30:00+08:00"},
    {"id": "a7", "title": "老电影放映《地道战》", "starts_at": "2026-11-28T19:00:00+08:00"},
    {"id": "a8", "title": "智能手机课堂", "starts_at": "2026-12-03T09:00:00+08:00"},
)


@pytest.fixture
def context() -> dict:
    """Keyword arguments for ``parse`` besides the text."""
    return {"catalog": CATALOG, "activities": ACTIVITIES, "now": NOW}
