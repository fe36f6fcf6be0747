"""Grocery synonyms and activity topics; mapping spoken names onto the catalog."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

# Each group lists words for the same thing; the catalog may use any of them.
GROCERY_GROUPS: tuple[tuple[str, ...], ...] = (
    ("西红柿", "番茄", "洋柿子"),
    ("土豆", "马铃薯", "洋芋", "山药蛋"),
    ("鸡蛋", "鸡子儿", "鸡子", "蛋", "土鸡蛋"),
    ("大米", "米", "白米", "稻米"),
    ("面粉", "白面", "灰面", "面"),
    ("面条", "挂面", "面条儿"),
    ("食用油", "油", "花生油", "菜籽油", "菜油", "色拉油", "豆油"),
    ("酱油", "生抽", "老抽"),
    ("醋", "陈醋", "老陈醋", "香醋"),
    ("盐", "食盐"),
    ("白糖", "糖", "砂糖", "白砂糖", "绵白糖"),
    ("牛奶", "奶", "纯奶", "鲜奶"),
    ("酸奶", "酸牛奶"),
    ("豆腐", "老豆腐", "嫩豆腐"),
    ("大白菜", "白菜", "黄芽菜"),
    ("青菜", "小白菜", "油菜", "上海青"),
    ("黄瓜", "青瓜"),
    ("茄子", "落苏"),
    ("猪肉", "肉", "五花肉", "瘦肉"),
    ("鸡肉", "鸡腿", "鸡胸肉"),
    ("鱼", "鲫鱼", "草鱼", "鲤鱼"),
    ("苹果",),
    ("香蕉",),
    ("橘子", "桔子", "橘"),
    ("馒头", "馍", "馍馍", "蒸馍"),
    ("包子",),
    ("面包",),
    ("卫生纸", "手纸", "纸巾", "草纸", "厕纸", "卷纸"),
    ("洗衣粉", "洗衣液"),
    ("肥皂", "香皂", "胰子"),
    ("牙膏",),
    ("萝卜", "白萝卜"),
    ("胡萝卜", "红萝卜"),
    ("大葱", "葱", "小葱"),
    ("生姜", "老姜", "姜"),
    ("大蒜", "蒜", "蒜头"),
    ("玉米", "苞米", "棒子", "苞谷"),
    ("红薯", "地瓜", "山芋", "白薯", "番薯", "红苕"),
    ("小米",),
    ("绿豆",),
    ("红枣", "大枣", "枣"),
    ("方便面", "泡面"),
    ("矿泉水", "水", "纯净水"),
    ("茶叶", "茶"),
    ("香菇", "蘑菇"),
    ("芹菜",),
    ("菠菜",),
    ("韭菜",),
    ("冬瓜",),
    ("南瓜",),
    ("豆浆",),
    ("饺子", "水饺", "速冻饺子"),
    ("汤圆", "元宵"),
)

# Words that contain a one-character alias but are something else (牛肉 is not 猪肉).
NOT_ITEMS: tuple[str, ...] = (
    "牛肉",
    "羊肉",
    "红烧肉",
    "鸭肉",
    "肉松",
    "蛋糕",
    "鸭蛋",
    "鹅蛋",
    "皮蛋",
    "咸蛋",
    "松花蛋",
    "鹌鹑蛋",
    "水果",
    "水管",
    "漏水",
    "热水",
    "开水",
    "水电",
    "水费",
    "喝水",
    "水龙头",
    "米饭",
    "米粉",
    "糯米",
    "厘米",
    "面包",
    "见面",
    "外面",
    "里面",
    "上面",
    "下面",
    "面前",
    "面膜",
    "对面",
    "油条",
    "加油",
    "汽油",
    "香油",
    "麻油",
    "冰糖",
    "红糖",
    "奶粉",
    "奶奶",
    "茶几",
    "鸡精",
    "枣泥",
    "葱油",
    "姜黄",
    "盐水",
    "糖尿病",
    "血糖",
    "蛋白",
    "米线",
    "鱼油",
    "小面",
)

# Activity topics: a title containing any word of a group matches an utterance with any word.
ACTIVITY_TOPICS: tuple[tuple[str, ...], ...] = (
    ("太极", "打拳", "练拳", "太极拳", "晨练", "锻炼", "早锻炼"),
    ("讲座", "听课", "讲课", "知识", "上课", "听讲"),
    ("体检", "检查身体", "量血压", "查身体", "义诊"),
    ("合唱", "唱歌", "歌", "唱"),
    ("饺子", "包饺子", "做饭"),
    ("电影", "看片", "放映", "片子"),
    ("书法", "写字", "毛笔", "练字"),
    ("广场舞", "跳舞", "舞"),
    ("象棋", "下棋", "棋"),
    ("手机", "智能手机", "微信", "视频"),
    ("防诈骗", "诈骗", "骗子", "被骗"),
    ("剪纸", "手工"),
    ("防跌倒", "跌倒", "摔跤"),
)


def _group_target(group: Sequence[str], catalog: Sequence[str]) -> str | None:
    """The catalog name that a synonym group stands for, if any."""
    for name in catalog:
        if name in group:
            return name
    containing = [name for name in catalog if any(len(w) >= 2 and w in name for w in group)]
    return containing[0] if len(containing) == 1 else None


@lru_cache(maxsize=64)
def item_aliases(catalog: tuple[str, ...]) -> dict[str, str | None]:
    """Map every spoken alias to its catalog name; None marks a word that is not a catalog item."""
    aliases: dict[str, str | None] = {name: name for name in catalog if name}
    for group in GROCERY_GROUPS:
        target = _group_target(group, catalog)
        for word in group:
            aliases.setdefault(word, target)
    for word in NOT_ITEMS:
        aliases.setdefault(word, None)
    return aliases


@lru_cache(maxsize=4096)
def topic_words(text: str) -> frozenset[int]:
    """Indices of the activity topics that *text* mentions."""
    return frozenset(i for i, group in enumerate(ACTIVITY_TOPICS) if any(word in text for word in group))
