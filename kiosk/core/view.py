"""What a screen shows and says, from one set of data: :class:`View`.

A view is a list of :class:`Piece` (texts) and :class:`Choice` (buttons). Its speech is made
from the same pieces and choices — each piece's ``said`` is, unless a flow gives a better
reading, :func:`spoken_form` of its ``text`` (numbers in words) — so the kiosk cannot show one
thing and say another. Entering a screen says the pieces and names the choices;
再听一遍 also names the bottom bar; a change on the same screen says only what changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cn2an

from kiosk.state.cart import yuan_words

MAX_MAIN_CHOICES = 4
"""At most four choices on a screen besides the bottom bar (keys and stars count as one)."""

_SPACES = re.compile(r"\s+")
_MONEY = re.compile(r"(\d+)(?:\.(\d{1,2}))?\s*元")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def spoken_form(text: str) -> str:
    """A shown text as it is said: money as 元角分, numbers in words, ``/`` as 每, ``·`` as a pause, no spaces."""
    text = _TIME.sub(lambda m: f"{int(m.group(1))}点{int(m.group(2))}分" if int(m.group(2)) else
                     f"{int(m.group(1))}点", text)
    text = _MONEY.sub(lambda m: yuan_words(int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))), text)
    text = text.replace("/", "每").replace(" · ", "，").replace("·", "，").replace("\n", "，")
    text = _SPACES.sub("", text)
    return str(cn2an.transform(text, "an2cn")) if any(ch.isdigit() for ch in text) else text


def _sentence(text: str) -> str:
    """``text`` ending with a full stop (unless it already ends with punctuation)."""
    text = text.strip("，、 ")
    return text if not text or text[-1] in "。！？；：…" else text + "。"


@dataclass(frozen=True, slots=True)
class Piece:
    """One text on a screen.

    ``style``: title, body, note, caption (what the kiosk just said or heard), step,
    panel-info / panel-warning / panel-success (a framed status), phone (large digits),
    line (one line of a list). ``said``: how it is read, when not ``spoken_form(text)``
    (a phone number digit by digit).
    """

    id: str
    text: str
    style: str = "body"
    said: str = ""
    quiet: bool = False
    """Not said when only it changed (a countdown ticking); still said with the screen."""

    @property
    def shown(self) -> bool:
        """Whether the piece is on screen (``spoken`` pieces are only said)."""
        return bool(self.text) and self.style != "spoken"

    @property
    def speech(self) -> str:
        """What is said for this piece."""
        return _sentence(self.said or spoken_form(self.text))


@dataclass(frozen=True, slots=True)
class Choice:
    """A button: ``id`` is what the screen emits when it is tapped (with ``arg``).

    ``kind``: button, tile (a picture tile; ``picture`` is the portal's path), card (several
    ``lines``, the first bold), key (a keypad key) or star. ``style``: primary, confirm,
    neutral, emergency. ``said``: how the choice is named in speech.
    """

    id: str
    text: str
    style: str = "primary"
    kind: str = "button"
    arg: str = ""
    lines: tuple[str, ...] = ()
    picture: str | None = None
    said: str = ""
    selected: bool = False
    name: str = ""
    """The widget's id for tests and the harness (default ``id`` or ``id.arg``)."""

    @property
    def widget_id(self) -> str:
        """``home.help``, ``confirm_help.yes``, ``groceries.add.3``."""
        return self.name or (f"{self.id}.{self.arg}" if self.arg else self.id)

    @property
    def shown(self) -> str:
        """The text on the button (a card's lines joined)."""
        return "\n".join(self.lines) if self.lines else self.text

    @property
    def speech(self) -> str:
        """How this choice is named aloud."""
        if self.said:
            return self.said
        if self.lines:
            return "，".join(spoken_form(line) for line in self.lines if line)
        return f"“{spoken_form(self.text)}”"


@dataclass(frozen=True, slots=True)
class Bar:
    """The bottom bar: 返回首页 (left), the context tool, 说话, 再听一遍 (right)."""

    home: bool = True
    tool: Choice | None = None
    left: Choice | None = None
    """What takes 返回首页's place where there is no 返回首页 (the home screen: 我今天很好)."""
    mic_ready: bool = True
    listening: bool = False
    site: str = ""
    """The header: 安心服务 · 幸福社区 · 社区中心大厅."""
    clock: str = ""
    """The header's clock, in the site's time zone (09:30)."""
    heard: str = ""
    """What the microphone hears, shown in the header while listening (not said back)."""

    @property
    def choices(self) -> tuple[Choice, ...]:
        """The bar's buttons, left to right."""
        mic = Choice("nav.mic", "说完了" if self.listening else ("说话" if self.mic_ready else "语音未安装"),
                     style="confirm" if self.mic_ready else "neutral")
        home = (Choice("nav.home", "返回首页", style="neutral"),) if self.home else ((self.left,) if self.left else ())
        tool = (self.tool,) if self.tool is not None else ()
        return (*home, *tool, mic, Choice("nav.repeat", "再听一遍", style="neutral"))

    @property
    def speech(self) -> str:
        """The bar named aloud (再听一遍 ends with it)."""
        parts = [f"这里是{spoken_form(self.site)}，现在是{spoken_form(self.clock)}"] if self.site else []
        if self.home:
            parts.append("左下角是“返回首页”")
        elif self.left is not None:
            parts.append(f"左下角是{self.left.speech}")
        if self.tool is not None:
            parts.append(f"旁边是{self.tool.speech}")
        parts.append("中间是“说话”，按一下就可以跟我说" if self.mic_ready
                     else "中间的“语音未安装”表示现在不能说话，请用手点")
        parts.append("右下角是“再听一遍”")
        return "，".join(parts) + "。"


@dataclass(frozen=True, slots=True)
class View:
    """Everything one screen shows and says.

    ``pieces`` in reading order; ``choices`` the main buttons (at most four, paging included);
    ``keys`` a keypad or the stars (one control); ``hint`` the sentence that names the choices
    (``可以按：…`` when empty).
    """

    screen: str
    pieces: tuple[Piece, ...] = ()
    choices: tuple[Choice, ...] = ()
    keys: tuple[Choice, ...] = ()
    bar: Bar = field(default_factory=Bar)
    hint: str = ""

    def piece(self, piece_id: str) -> Piece | None:
        """The piece called ``piece_id``."""
        return next((p for p in self.pieces if p.id == piece_id), None)

    @property
    def shown(self) -> tuple[str, ...]:
        """Every visible text: pieces, choices, keys and the bottom bar."""
        controls = (*self.choices, *self.keys, *self.bar.choices)
        header = tuple(t for t in (self.bar.site, self.bar.clock) if t)
        return (header + tuple(p.text for p in self.pieces if p.shown)
                + tuple(c.shown for c in controls if c.shown))

    @property
    def choices_speech(self) -> str:
        """The sentence naming the choices and keys."""
        if not self.choices and not self.keys:
            return ""
        if self.hint:
            return _sentence(self.hint)
        return _sentence("可以按：" + "、".join(c.speech for c in (*self.choices, *self.keys)))

    @property
    def speech(self) -> str:
        """What is said on entering the screen: every piece, then the choices."""
        return "".join(p.speech for p in self.pieces if p.text) + self.choices_speech

    @property
    def full_speech(self) -> str:
        """再听一遍: the screen and the bottom bar."""
        return self.speech + self.bar.speech


def changed_speech(before: View, after: View) -> str:
    """What to say when ``after`` replaces ``before`` on the same screen: only what changed."""
    old = {p.id: p.text for p in before.pieces}
    said = "".join(p.speech for p in after.pieces if p.text and not p.quiet and old.get(p.id) != p.text)
    old_choices = {(c.id, c.arg): c.shown for c in (*before.choices, *before.keys)}
    if set(old_choices) != {(c.id, c.arg) for c in (*after.choices, *after.keys)}:
        return said + after.choices_speech
    changed = [c for c in (*after.choices, *after.keys) if old_choices[(c.id, c.arg)] != c.shown]
    return said + "".join(_sentence(c.speech.strip("“”")) for c in changed)
