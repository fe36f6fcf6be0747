"""Small text helpers shared by the view models."""

from __future__ import annotations

import re

_DIGIT_NAMES = dict(zip("0123456789", "零一二三四五六七八九", strict=True))


def spoken_phone(number: str) -> str:
    """Spell a phone number digit by digit for speech, e.g. ``010-65`` -> ``零 一 零，六 五``.

    Read as a whole number ("一千零十") a phone number is useless; one digit at a time with
    a pause at each separator is how people read numbers aloud. ``1`` is read 幺 as on the phone.
    """
    groups = [g for g in number.replace("-", " ").split() if g]
    spoken_groups = []
    for group in groups:
        digits = [("幺" if ch == "1" else _DIGIT_NAMES[ch]) for ch in group if ch in _DIGIT_NAMES]
        if digits:
            spoken_groups.append(" ".join(digits))
    return "，".join(spoken_groups)


_BUILDING_RE = re.compile(r"^(.*?(?:号楼|栋|幢|座|楼))")


def public_place(place: str | None) -> str:
    """Keep only the building of a place for a public screen: ``3号楼201`` / ``3号楼 201`` -> ``3号楼``.

    Room numbers identify a person; a building is enough for neighbours to know help is
    under way. Places without a building word (``社区中心大厅``) keep their first word.
    """
    if not place or not place.strip():
        return "地点未知"
    first = place.split()[0]
    match = _BUILDING_RE.match(first)
    return match.group(1) if match else first
