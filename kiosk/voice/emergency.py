"""Spoken-emergency detection, run before anything else; tuned for recall. Pure.

Danger is described more often than named: 胸口像压了块石头, 嘴歪了, 血止不住, 抽起来了,
一股煤气味, 老伴叫不醒, 摔了一跤爬不起来. The detector looks for cue words of a few kinds
(:data:`CUES`) in *fuzzy toneless pinyin*, so homophones and southern accents do not hide
them (就命 is 救命, 衰倒 is 摔倒, 流奶 is 牛奶), and tolerates one dropped character in longer
cues (four characters or more) and one inserted character inside them (recogniser errors):

- ``danger``: a cue that alone means an emergency (救命, 喘不上气, 嘴歪, 着火, 叫不醒, 摔倒);
- ``symptom``: a worrying symptom that needs something more (头晕, 肚子疼, 不舒服);
- ``urgent``: urgency (快来人, 赶紧, 出事了, 搞快点), which also makes a symptom an emergency,
  as do ``intense`` (疼得受不了, 要炸了), ``person`` (someone else: 老伴, 孙子, 邻居) or a
  second symptom;
- ``chest`` with ``pain`` is danger (心口绞着疼), as are ``gas`` with ``leak`` (天然气好像漏了)
  and ``poison`` with ``swallow`` (把洗洁精喝了);
  ``body`` with ``pain`` is a symptom (腿肿得好疼);
- ``calm``: what takes the danger away (没摔, 已经好了, 讲座, 电视里, 上个月, 煤气罐).

:func:`danger_score` gives 0..1: about 0.9 for a danger cue heard as written, less when it was
only matched by sound or with a character missing, about 0.5 for a lone symptom (the dialog
then asks "您是要紧急呼叫吗？"), and little when a calm cue explains it away.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .pinyin import fuzzy_options, fuzzy_variants


def _words(*lines: str) -> tuple[str, ...]:
    return tuple(word for line in lines for word in line.split())


CUES: dict[str, tuple[str, ...]] = {
    "danger": _words(
        # calls for help and the emergency number
        "救命 救救 救我 救人 来人啊 快来人 快叫人 急救 救护车 一二零 幺二零 120 叫医生",
        "送医院 送我去医院 我不行了 他不行了 她不行了 伴不行了 要不行了 快不行了 快死了",
        "要死了 撑不住 要命了",
        # falls and not getting up
        "摔倒 跌倒 滑倒 绊倒 栽倒 晕倒 昏倒 摔了一跤 跌了一跤 摔了个跟头 栽了个跟头 跌跤",
        "掼跤 掼了一跤 摔跤了 扑爬 摔下来 掉下来 滚下来 踩空 摔断 骨折 腿断 我摔了 又摔了",
        "他摔了 她摔了 伴摔了 子摔了 人摔了 摔了一下 起不来 爬不起 站不起 扶不起 动不了",
        "躺在地上 倒在地 倒地 倒下 他倒了 她倒了 人倒了 伴倒了 头子倒了 就倒了",
        # heart
        "胸口疼 胸口痛 胸口闷 胸闷 胸口压 心口疼 心口痛 心口闷 心口压 心口头痛 心绞痛",
        "心脏病 心梗 心肌梗 心脏难受 心脏不舒服 心跳得 心跳好快 心跳乱 针扎 压了块石头",
        "速效救心",
        # breathing, choking
        "喘不上 喘不过 喘不了 喘不动 上不来气 气上不来 透不过气 吸不上 没法呼吸 不能呼吸",
        "呼吸困难 呼吸不了 憋得慌 憋气 喘得厉害 哮喘 噎住 噎着 鱼刺卡 卡在嗓子 嗓子卡",
        "喉咙卡 呛着 一口气没上来 嗓子肿 喉咙肿 喉咙发紧",
        # stroke
        "中风 脑梗 脑出血 嘴歪 嘴角歪 脸歪 口歪 说话不清 说不清 说不出话 口齿不清",
        "说话不利索 舌头发硬 半边身子 半边脸 一边手脚 手脚发麻 手脚麻 没知觉 脸耷拉",
        # bleeding
        "流血 出血 吐血 咳血 便血 拉血 血止不住 止不住血 大口子 磕破 割破 割伤 好多血",
        "冒血 鼻血 血流 流不停 一地血 一身血 满手血 满脸血 血一直 血直流 流了好多 切掉 切到手",
        # burns, fire
        "烫伤 烫着 烫了 烧伤 烫起泡 着火 失火 起火 火灾 冒烟 烧起来 着起来 救火 全是烟",
        "烟雾报警 冒火 冒黑烟 烧着了",
        # seizures
        "抽搐 抽风 抽起来 抽过去 抽筋 口吐白沫 翻白眼 癫痫 羊角风 羊癫 癫疯 浑身发抖",
        # gas, poison
        "煤气味 燃气味 天然气味 煤气泄 燃气泄 漏气 漏煤气 煤气漏 燃气漏 天然气漏 煤气中毒",
        "臭鸡蛋味 燃气报警 中毒 吃错药 药吃多 喝了农药 误喝 吞了",
        # fainting, unresponsive
        "晕过去 昏过去 昏迷 不省人事 叫不醒 叫不应 没反应 没气了 没呼吸 不理人 没动静 敲门没人",
        # someone not seen for days (not 好几天没人管: a report about a shared place)
        "好几天没开门 好几天没出门 好几天没见 好几天没看见 好几天没看到 好几天没动静 好几天没出来",
        "好几天没接 好几天没露面 好几天没下楼 几天没见着",
        "没人应 舌头打结",
        # danger from others, trapped
        "有人打我 被关在 开水泼 油溅 撬门 撬我家 闯进 抢劫 被困 困在 掉水里 掉河里 掉到沟",
        "溺水 掉到河 掉进河 掉进水 掉到水 落水 掉井里 掉到井",
        # other acute states
        "低血糖 血糖低 血压高得 血压一下子 高烧 发高烧 说胡话 眼前发黑 眼前一黑 天旋地转",
        "站不住 站不稳 走不稳 遭不住 断了 快倒了 要倒了 倒在",
        # described rather than named: scalds, calls heard, no answer, blue lips, a weak arm, bleeding
        "被开水 被热水 开水烫 热水烫 被油 喊救 呼救 叫不答应 喊不答应 嘴唇发紫 脸发紫 憋紫了",
        "胳膊抬不起 手抬不起 血哗哗 血往外 往外冒血",
    ),
    "symptom": _words(
        "头晕 头昏 头疼 头痛 脑壳昏 脑壳痛 脑壳疼 发昏 晕了 肚子疼 肚子痛 胃疼 胃痛",
        "不舒服 难受 难过煞 没劲 没力气 腿疼 腰疼 恶心 想吐 吐了 发烧 发抖 冷汗 浑身疼",
        "全身疼 疼死 痛死 血压高 手抖 腿麻 拉肚子 上吐下泻 吃不消 摔了 跌了 出不来 喘气",
        "不利索 走不了路 眼冒金星 不得行了 晕得 心慌 不对劲 卡住了 过敏 看不见了 流口水",
        "使不上劲 发慌 出冷汗 冒冷汗 浑身发冷 眼发花 腿发软 起疹子 喘气喘不",
    ),
    "urgent": _words(
        "快来 快点来 赶紧 快快 出事了 不得了 急死了 搞快点 遭了 快点快点 快叫 快打",
        "打一二零 快送",
    ),
    "gas": _words("煤气 燃气 天然气 液化气"),
    "leak": _words("漏 泄 味 臭 报警"),
    "chest": _words("胸口 心口 胸 心脏 左胳膊 后背 心里"),
    "body": _words("头 脑壳 脑袋 肚子 胃 腿 腰 浑身 全身 身上 牙 眼睛 嗓子 喉咙"),
    "pain": _words("疼 痛 闷 压 绞 难受 不舒服 发麻 麻 晕 昏"),
    "poison": _words("农药 洗洁精 消毒液 老鼠药 安眠药 药片 硬币 电池"),
    "swallow": _words("喝 吃 吞 咽 误"),
    "person": _words("老伴 老头 老太 孙子 孙女 邻居 爷爷 奶奶 外婆 外公 我妈 我爸 老汉 他 她"),
    "intense": _words(
        "得厉害 受不了 得要命 得要死 要炸了 打滚 直不起腰 好疼 好痛 疼得 痛得 得很 一直",
    ),
    "calm": _words(
        "没摔 没有摔 没事 没什么事 没大事 已经好了 好多了 不疼了 包扎好 包好了 讲座 知识",
        "宣传 电视里 电视上 新闻 听说 上次 上回 上个月 上礼拜 上周 去年 以前 防跌倒 防摔",
        "防火 怕滑倒 怕摔 打不着火 煤气罐没 没气了换 燃气卡 燃气费 天然气费 煤气费 不用叫 现在好了",
        "今天好了 没事了",
        "别叫 吃着药 在吃药 控制住 演习 演练 培训 开过去 过去一辆",
    ),
}
KIND_ORDER = ("danger", "symptom", "urgent", "gas", "leak", "chest", "body", "pain", "poison", "swallow", "person",
              "intense", "calm")
# Negations right before a cue cancel that cue (没摔倒, 不是着火, 防跌倒).
NEGATIONS: tuple[str, ...] = ("没", "没有", "不是", "别", "防", "不会", "不怕", "怕")
PARTICLES = "也都又还就好很太得了着的是"
"""Said inside a cue without changing it (嘴也歪了, 气都喘不上): skipping one costs nothing."""
SURE, HEARD, EDITED = 1.0, 0.85, 0.75
"""How much a cue counts when its characters are as written / only its sound matches / with a
character dropped or inserted."""


@dataclass(frozen=True)
class Hit:
    """A cue found in the text: its kind, word, span and how well it matched."""

    kind: str
    word: str
    start: int
    end: int
    quality: float


_END = None  # trie key of the cues that end at a node (no syllable is None)


@lru_cache(maxsize=1)
def _trie() -> dict:
    """A trie over fuzzy syllables of every cue, its readings and its forms with an inner character
    dropped (cues of four characters or more); ``_END`` holds (kind, word, edited) of cues ending there."""
    root: dict = {}
    for kind in KIND_ORDER:
        for word in CUES[kind]:
            for variant in fuzzy_variants(word):
                keys = [(variant, False)]
                if len(variant) >= 4:
                    keys += [(variant[:k] + variant[k + 1 :], True) for k in range(1, len(variant) - 1)]
                for key, edited in keys:
                    node = root
                    for syllable in key:
                        node = node.setdefault(syllable, {})
                    node.setdefault(_END, []).append((kind, word, edited))
    return root


def find_cues(text: str) -> list[Hit]:
    """Every cue in *text* (normalised, no spaces), best match per span.

    Each character may be read any of its ways; one inner character of the text may be
    skipped (a character the recogniser inserted, or a particle: 嘴也歪了)."""
    root, options = _trie(), [fuzzy_options(char) for char in text]
    hits: dict[tuple[int, int, str], Hit] = {}
    for start in range(len(text)):
        stack = [(start, root, -1, False)]  # position, trie node, skipped position, the last one skipped
        while stack:
            pos, node, skipped, just_skipped = stack.pop()
            if not just_skipped:
                for kind, word, edited in node.get(_END, ()):
                    _record(hits, text, start, pos, kind, word, edited=edited, skipped=skipped)
            if pos == len(text):
                continue
            for syllable in options[pos]:
                child = node.get(syllable)
                if child is not None:
                    stack.append((pos + 1, child, skipped, False))
            if skipped < 0 and node is not root:
                stack.append((pos + 1, node, pos, True))
    return sorted(hits.values(), key=lambda h: (h.start, h.end))


def _record(hits: dict, text: str, start: int, end: int, kind: str, word: str, *, edited: bool,
            skipped: int) -> None:
    span = text[start:end] if skipped < 0 else text[start:skipped] + text[skipped + 1 : end]
    if span == word and (skipped < 0 or text[skipped] in PARTICLES):
        quality = SURE
    elif _plausible(span, word, kind, edited=edited, inserted=skipped >= 0):
        quality = EDITED if edited or skipped >= 0 else HEARD
    else:
        return
    old = hits.get((start, end, kind))
    if old is None or quality > old.quality:
        hits[(start, end, kind)] = Hit(kind, word, start, end, quality)


def _plausible(span: str, word: str, kind: str, *, edited: bool, inserted: bool) -> bool:
    """Whether a cue matched by sound (or with a character dropped or inserted) counts: not for
    one-character or ``calm`` cues, never both dropped and inserted, and the span must keep one of
    the cue's characters (two when edited) — 搬到 is not 绊倒, 哪些 is not 拉血."""
    if len(word) == 1 or kind == "calm" or (inserted and edited):
        return False
    same = sum(min(span.count(c), word.count(c)) for c in set(word))
    return same >= (2 if edited or inserted else 1)


def _negated(text: str, hit: Hit) -> bool:
    """没摔倒 / 防跌倒: a negation right before the cue (not before one that says "cannot": 没有站不起来)."""
    before = text[max(0, hit.start - 2) : hit.start]
    return "不" not in hit.word and any(before.endswith(word) for word in NEGATIONS)


def danger_score(text: str) -> float:
    """How likely *text* (normalised) reports an emergency, 0..1."""
    hits = [hit for hit in find_cues(text) if not (hit.kind in ("danger", "symptom") and _negated(text, hit))]
    best = {kind: max((h.quality for h in hits if h.kind == kind), default=0.0) for kind in KIND_ORDER}
    dangers = [h for h in hits if h.kind == "danger"]
    pairs = (("chest", "pain"), ("gas", "leak"), ("poison", "swallow"))
    score = 0.9 * max(best["danger"], *(min(best[a], best[b]) for a, b in pairs))
    symptom = max(best["symptom"], min(best["body"], best["pain"]))
    if symptom:
        boosted = best["urgent"] or best["intense"] or best["person"] or len({h.word for h in hits
                                                                              if h.kind == "symptom"}) > 1
        score = max(score, (0.85 if boosted else 0.5) * symptom)
    if best["urgent"]:
        score = max(score, 0.55 * best["urgent"])
    if len({h.start for h in dangers}) > 1 or (dangers and best["urgent"]):
        score = min(1.0, score + 0.05)
    if best["calm"] and not best["urgent"]:
        score *= 0.3
    return round(score, 3)
