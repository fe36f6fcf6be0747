"""What the gathered facts of a site mean for going live, pure: one :class:`Item` per thing to check, in the
order an admin should fix them, each saying what is wrong, why it matters, and where to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

BAND_SILENT_AFTER = timedelta(hours=24)
DEVICE_SILENT_AFTER = timedelta(minutes=10)
EXAMPLES = 10


@dataclass(frozen=True)
class Example:
    """One concrete case behind an item (a resident, a band, a device) and where to fix it."""

    text: str
    link: str = ""


@dataclass(frozen=True)
class Item:
    """One line of the checklist."""

    key: str
    ok: bool
    title: str
    """What is checked, as a statement that is true when ``ok``."""
    problem: str = ""
    """When not ``ok``: what is wrong and why it matters."""
    link: str = ""
    link_text: str = ""
    examples: tuple[Example, ...] = ()
    more: int = 0
    """How many cases are not listed in ``examples``."""


@dataclass(frozen=True)
class Seen:
    """Something that should be heard from regularly: a band worn by a resident, a kiosk, a bridge."""

    text: str
    last_seen_at: datetime | None
    link: str = ""


@dataclass(frozen=True)
class SiteFacts:
    """What the checklist needs to know about one site (gathered by :mod:`.service`)."""

    site_id: int
    channels: int
    residents: int
    grids_nobody_on_call: tuple[Example, ...] = ()
    residents_without_contact: tuple[Example, ...] = ()
    without_contact_count: int = 0
    residents_without_consent: tuple[Example, ...] = ()
    without_consent_count: int = 0
    bands: tuple[Seen, ...] = ()
    devices: tuple[Seen, ...] = field(default_factory=tuple)
    bridges: int = 0


def checklist(facts: SiteFacts, *, now: datetime) -> list[Item]:
    """Every item for one site at ``now``; the site can rely on Anxin when all are ok."""
    return [
        _residents(facts),
        _channels(facts),
        _grids(facts),
        _contacts(facts),
        _consent(facts),
        _bands(facts, now),
        _devices(facts, now),
    ]


def _residents(facts: SiteFacts) -> Item:
    if facts.residents:
        return Item("residents", True, f"已登记 {facts.residents} 位居民")
    return Item("residents", False, "已登记居民", "还没有登记任何居民：手环和自助机都认不出人", "/admin/imports",
                "从表格导入居民")


def _channels(facts: SiteFacts) -> Item:
    if facts.channels:
        return Item("channels", True, f"有 {facts.channels} 个通知渠道（微信/钉钉/飞书群或网址）")
    return Item("channels", False, "有通知渠道", "还没有通知渠道：报警只出现在看板上，没打开看板的人手机上收不到",
                "/admin/channels", "添加通知渠道")


def _grids(facts: SiteFacts) -> Item:
    if not facts.grids_nobody_on_call:
        return Item("grids", True, "每个网格现在都有人值班")
    return Item("grids", False, "每个网格现在都有人值班",
                f"{len(facts.grids_nobody_on_call)} 个网格现在没有人值班：那里的报警会直接扩大到全站，接单会变慢",
                "/admin/roster", "查看值班表", facts.grids_nobody_on_call[:EXAMPLES],
                max(0, len(facts.grids_nobody_on_call) - EXAMPLES))


def _contacts(facts: SiteFacts) -> Item:
    if not facts.without_contact_count:
        return Item("contacts", True, "每位居民都有紧急联系人")
    return Item("contacts", False, "每位居民都有紧急联系人",
                f"{facts.without_contact_count} 位居民没有紧急联系人：180 秒无人接单时没有家人可以通知",
                "/residents?missing=contact", "逐个补上（或导出名单填好后重新导入）",
                facts.residents_without_contact, max(0, facts.without_contact_count - EXAMPLES))


def _consent(facts: SiteFacts) -> Item:
    if not facts.without_consent_count:
        return Item("consent", True, "每位居民的健康数据授权都已登记")
    return Item("consent", False, "每位居民的健康数据授权都已登记",
                f"{facts.without_consent_count} 位居民还没有登记是否同意健康数据授权："
                "没有同意就不保存心率、血氧、体温，健康异常也不会报警",
                "/residents?missing=consent", "逐个登记（或在名单的“健康数据授权”列填 是/否）",
                facts.residents_without_consent, max(0, facts.without_consent_count - EXAMPLES))


def _silent(seen: tuple[Seen, ...], now: datetime, after: timedelta) -> list[Seen]:
    return [s for s in seen if s.last_seen_at is None or now - s.last_seen_at >= after]


def _bands(facts: SiteFacts, now: datetime) -> Item:
    silent = _silent(facts.bands, now, BAND_SILENT_AFTER)
    if not silent:
        return Item("bands", True, f"居民戴的 {len(facts.bands)} 只手环 24 小时内都有信号")
    return Item("bands", False, "居民戴的手环 24 小时内都有信号",
                f"{len(silent)} 只手环超过 24 小时没有信号（没戴、没电，或离网关太远）：按了也可能收不到",
                "/residents", "去居民页面查看手环", _examples(silent, now), max(0, len(silent) - EXAMPLES))


def _devices(facts: SiteFacts, now: datetime) -> Item:
    silent = _silent(facts.devices, now, DEVICE_SILENT_AFTER)
    if not facts.bridges:
        return Item("devices", False, "自助机和手环网关都在线", "还没有手环网关：手环的紧急呼叫传不到门户",
                    "/admin/devices", "添加手环网关", _examples(silent, now))
    if not silent:
        return Item("devices", True, f"{len(facts.devices)} 台自助机和手环网关 10 分钟内都联系过门户")
    return Item("devices", False, "自助机和手环网关都在线",
                f"{len(silent)} 台设备超过 10 分钟没有联系门户（断电、断网或令牌错了）：那里的呼叫现在到不了",
                "/admin/devices", "查看设备", _examples(silent, now), max(0, len(silent) - EXAMPLES))


def _examples(silent: list[Seen], now: datetime) -> tuple[Example, ...]:
    return tuple(Example(f"{s.text}：{_ago(s.last_seen_at, now)}", s.link) for s in silent[:EXAMPLES])


def _ago(seen: datetime | None, now: datetime) -> str:
    if seen is None:
        return "从来没有联系过"
    minutes = int((now - seen).total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} 分钟前"
    hours = minutes // 60
    return f"{hours} 小时前" if hours < 48 else f"{hours // 24} 天前"
