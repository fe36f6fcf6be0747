"""The grocery catalog: items with a picture, a unit, synonyms and a usual price; the demo catalog."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import transactional
from caregiver_portal.orders.models import CatalogItem

CATEGORIES = ("蔬菜", "肉蛋", "粮油", "日用", "其他")
UNITS = ("斤", "个", "袋", "棵", "把", "桶", "盒", "提", "块", "瓶", "包")
PICTURE_DIR = "/static/catalog/"


@dataclass(frozen=True)
class ItemSpec:
    """What an admin enters for a catalog item; price in fen."""

    name: str
    category: str
    unit: str
    usual_price_fen: int | None
    synonyms: tuple[str, ...] = ()
    picture: str = ""


# name, category, unit, usual price (fen), synonyms, Twemoji picture (CC-BY 4.0, see static/catalog/LICENSE.txt)
DEMO_CATALOG = (
    ItemSpec("西红柿", "蔬菜", "斤", 400, ("番茄", "洋柿子"), "1f345.svg"),
    ItemSpec("土豆", "蔬菜", "斤", 250, ("马铃薯", "洋芋", "土豆儿"), "1f954.svg"),
    ItemSpec("大白菜", "蔬菜", "棵", 500, ("白菜", "黄芽菜"), "1f96c.svg"),
    ItemSpec("黄瓜", "蔬菜", "斤", 350, ("青瓜",), "1f952.svg"),
    ItemSpec("胡萝卜", "蔬菜", "斤", 300, ("红萝卜",), "1f955.svg"),
    ItemSpec("鸡蛋", "肉蛋", "斤", 550, ("蛋", "土鸡蛋"), "1f95a.svg"),
    ItemSpec("猪肉", "肉蛋", "斤", 1500, ("肉", "五花肉", "瘦肉"), "1f969.svg"),
    ItemSpec("鸡腿", "肉蛋", "斤", 1200, ("鸡肉",), "1f357.svg"),
    ItemSpec("大米", "粮油", "袋", 3500, ("米", "东北大米"), "1f35a.svg"),
    ItemSpec("挂面", "粮油", "把", 600, ("面条", "面"), "1f35c.svg"),
    ItemSpec("食用油", "粮油", "桶", 6000, ("油", "花生油", "菜籽油"), "1fad7.svg"),
    ItemSpec("牛奶", "粮油", "盒", 350, ("纯牛奶", "奶"), "1f95b.svg"),
    ItemSpec("卫生纸", "日用", "提", 2500, ("手纸", "纸巾", "厕纸"), "1f9fb.svg"),
    ItemSpec("肥皂", "日用", "块", 500, ("香皂",), "1f9fc.svg"),
)


def picture_url(item: CatalogItem) -> str | None:
    """Where a browser or kiosk loads the item's picture (None when it has none)."""
    return PICTURE_DIR + item.picture if item.picture else None


def list_items(session: Session, *, site_id: int, include_inactive: bool = False) -> list[CatalogItem]:
    """The site's catalog in display order (category, then sort order, then name)."""
    query = select(CatalogItem).where(CatalogItem.site_id == site_id)
    if not include_inactive:
        query = query.where(CatalogItem.active.is_(True))
    items = list(session.scalars(query))
    return sorted(items, key=lambda i: (_category_rank(i.category), i.sort_order, i.id))


def _category_rank(category: str) -> int:
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def parse_synonyms(text: str) -> tuple[str, ...]:
    """Synonyms typed as "番茄，洋柿子" or "番茄 洋柿子" (any comma, 、 or space separates)."""
    words = [w.strip() for w in re.split(r"[,，、;；\s]+", text)]
    return tuple(dict.fromkeys(w for w in words if w))[:20]


def _validate(spec: ItemSpec) -> None:
    if not spec.name.strip() or len(spec.name) > 50:
        raise InvalidTransition("商品名称不能为空，最多 50 个字")
    if spec.category not in CATEGORIES:
        raise InvalidTransition(f"类别必须是：{'、'.join(CATEGORIES)}")
    if not spec.unit.strip() or len(spec.unit) > 10:
        raise InvalidTransition("请填写单位，例如 斤、袋、个")
    if spec.usual_price_fen is not None and not 0 <= spec.usual_price_fen <= 1_000_000:
        raise InvalidTransition("参考价格不合理")


@transactional
def create_item(*, session: Session, site_id: int, spec: ItemSpec) -> CatalogItem:
    """Add an item to a site's catalog; names are unique per site."""
    _validate(spec)
    if session.scalar(select(CatalogItem).where(CatalogItem.site_id == site_id,
                                                CatalogItem.name == spec.name.strip())) is not None:
        raise InvalidTransition(f"目录里已经有“{spec.name}”")
    item = CatalogItem(site_id=site_id, name=spec.name.strip(), category=spec.category, unit=spec.unit.strip(),
                       usual_price_fen=spec.usual_price_fen, synonyms=list(spec.synonyms), picture=spec.picture,
                       active=True, sort_order=0)
    session.add(item)
    session.flush()
    return item


@transactional
def update_item(*, session: Session, item_id: int, site_id: int | None, spec: ItemSpec, active: bool) -> CatalogItem:
    """Change an item (``site_id`` None: any site)."""
    _validate(spec)
    item = get_item(session, item_id, site_id=site_id)
    clash = session.scalar(select(CatalogItem).where(CatalogItem.site_id == item.site_id,
                                                     CatalogItem.name == spec.name.strip(), CatalogItem.id != item.id))
    if clash is not None:
        raise InvalidTransition(f"目录里已经有“{spec.name}”")
    item.name, item.category, item.unit = spec.name.strip(), spec.category, spec.unit.strip()
    item.usual_price_fen, item.synonyms, item.active = spec.usual_price_fen, list(spec.synonyms), active
    if spec.picture:
        item.picture = spec.picture
    return item


def get_item(session: Session, item_id: int, *, site_id: int | None) -> CatalogItem:
    """One catalog item of ``site_id`` (None: any site), or :class:`NotFound`."""
    item = session.get(CatalogItem, item_id)
    if item is None or (site_id is not None and item.site_id != site_id):
        raise NotFound("找不到这件商品")
    return item


def match_item(items: list[CatalogItem], name: str) -> CatalogItem | None:
    """The item called ``name`` or having it as a synonym (番茄 finds 西红柿)."""
    wanted = name.strip()
    for item in items:
        if item.name == wanted:
            return item
    for item in items:
        if wanted in item.synonyms:
            return item
    return None


def seed_demo_catalog(*, session: Session, site_id: int) -> int:
    """Put the demo catalog (14 everyday items in 蔬菜/肉蛋/粮油/日用) into a site; idempotent.

    Returns how many items were added.
    """
    existing = set(session.scalars(select(CatalogItem.name).where(CatalogItem.site_id == site_id)))
    added = 0
    for order, spec in enumerate(DEMO_CATALOG):
        if spec.name in existing:
            continue
        item = create_item(session=session, site_id=site_id, spec=spec)
        item.sort_order = order
        added += 1
    return added
