"""Text clean-up before intent matching: width, spaces, punctuation, fillers, dialect words."""

from __future__ import annotations

import re
import unicodedata

# Longest first so that e.g. 哎呀 goes before 哎.
FILLERS: tuple[str, ...] = (
    "怎么说呢",
    "就是说",
    "那什么",
    "那啥",
    "那个",
    "这个",
    "然后呢",
    "哎哟喂",
    "哎呀",
    "哎哟",
    "哎",
    "唉",
    "嗯",
    "呃",
    "额",
    "啊",
    "呀",
    "哦",
    "噢",
    "喔",
    "嘛",
    "呗",
    "啦",
    "请",
    "您好",
    "你好",
)

# Dialect and colloquial words -> standard Mandarin.
DIALECT: tuple[tuple[str, str], ...] = (
    ("俺们", "我们"),
    ("咱们", "我们"),
    ("俺", "我"),
    ("咱", "我"),
    ("偶", "我"),
    ("啥子", "什么"),
    ("啥", "什么"),
    ("咋个", "怎么"),
    ("咋", "怎么"),
    ("甭", "不用"),
    ("莫得", "没有"),
    ("不得行", "不行"),
    ("要不得", "不行"),
    ("晓得", "知道"),
    ("今儿个", "今天"),
    ("明儿个", "明天"),
    ("今儿", "今天"),
    ("明儿", "明天"),
    ("后儿个", "后天"),
    ("礼拜天", "星期日"),
    ("礼拜", "星期"),
)

_FILLER_RE = re.compile("|".join(map(re.escape, FILLERS)))
_SPACE_BETWEEN_CJK = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
_DROP = re.compile(r"[^\w.]", re.UNICODE)
_CHINESE_ONLY_FILLER = re.compile(r"^[嗯恩噢哦喔]+$")


def strip_spaces(text: str) -> str:
    """Remove the spaces Vosk puts between Chinese words, keep them between ASCII words."""
    return _SPACE_BETWEEN_CJK.sub("", text.strip())


def is_bare_acknowledgement(text: str) -> bool:
    """True for utterances such as 嗯 / 嗯嗯 / 哦 that mean yes but are otherwise fillers."""
    core = _DROP.sub("", strip_spaces(unicodedata.normalize("NFKC", text)))
    return bool(_CHINESE_ONLY_FILLER.match(core))


def normalise(text: str) -> str:
    """Return a compact, lower-case, filler-free, dialect-normalised form of *text*."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = strip_spaces(text)
    text = _DROP.sub("", text.replace("_", ""))
    text = _FILLER_RE.sub("", text)
    for dialect, standard in DIALECT:
        text = text.replace(dialect, standard)
    return text
