"""Loudness and speed of speech as levels a senior can read (pure): :class:`SpeechSettings`."""

from __future__ import annotations

from dataclasses import dataclass, replace

VOLUME_LEVELS = 5
RATE_NAMES = ("很慢", "慢", "正常", "快")
RATE_WPM = (100, 120, 140, 170)  # 140 = the voice engineer's DEFAULT_RATE, already slow


@dataclass(frozen=True, slots=True)
class SpeechSettings:
    """Volume and speed chosen on the settings screen (or by voice) during a visit."""

    volume_level: int = 4
    """1 (softest) .. VOLUME_LEVELS (loudest)."""
    rate_index: int = 2
    """Index into RATE_NAMES / RATE_WPM."""

    @property
    def volume(self) -> float:
        """Loudness for the speaker, 0.2 .. 1.0."""
        return self.volume_level / VOLUME_LEVELS

    @property
    def rate_wpm(self) -> int:
        """Speaking speed for the speaker."""
        return RATE_WPM[self.rate_index]

    @property
    def volume_text(self) -> str:
        """E.g. ``音量：4 级（最大 5 级）``."""
        return f"音量：{self.volume_level} 级（最大 {VOLUME_LEVELS} 级）"

    @property
    def rate_text(self) -> str:
        """E.g. ``语速：慢``."""
        return f"语速：{RATE_NAMES[self.rate_index]}"

    @classmethod
    def site_default(cls, volume_level: int, rate_name: str) -> SpeechSettings:
        """The site's settings (from its configuration): where every visit starts."""
        rate = RATE_NAMES.index(rate_name if rate_name in RATE_NAMES else "正常")
        return cls(volume_level=max(1, min(VOLUME_LEVELS, volume_level)), rate_index=rate)

    def louder(self) -> SpeechSettings:
        """One volume level up (stays at the maximum)."""
        return replace(self, volume_level=min(VOLUME_LEVELS, self.volume_level + 1))

    def softer(self) -> SpeechSettings:
        """One volume level down (never silent: the kiosk must be able to speak)."""
        return replace(self, volume_level=max(1, self.volume_level - 1))

    def faster(self) -> SpeechSettings:
        """One speed step up."""
        return replace(self, rate_index=min(len(RATE_WPM) - 1, self.rate_index + 1))

    def slower(self) -> SpeechSettings:
        """One speed step down."""
        return replace(self, rate_index=max(0, self.rate_index - 1))
