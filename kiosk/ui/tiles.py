"""Large picture tiles and rating stars, built on :class:`kiosk.ui.widgets.BigButton`.

Both draw their shape on top of the flat button (``canvas.after``) in the upper part and keep
the text at the bottom, so the accessibility audit still reads colours and text as usual.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from kivy.graphics import Color, InstructionGroup, Line, Mesh, PopMatrix, PushMatrix, Scale, Translate

from kiosk.runtime.pictures import load_svg
from kiosk.ui import theme as th
from kiosk.ui.a11y import rendered_text_size
from kiosk.ui.widgets import BigButton

STAR_POINTS = 5


class PictureTile(BigButton):
    """A light tile: the item's picture above, its name (and amount) below, in a dark frame."""

    def __init__(self, text: str = "", *, picture: Path | None = None, **kwargs: Any) -> None:
        """``picture``: a cached SVG file, or None for a name-only tile."""
        kwargs.setdefault("style", "tile")
        super().__init__(text, **kwargs)
        self.valign = "bottom"
        self._picture: Path | None = None
        self._group = InstructionGroup()
        self.canvas.after.add(self._group)
        self._svg: Any = None
        self._frame_color = Color(rgba=th.TEXT)
        self._frame = Line(width=3)
        self.canvas.after.add(self._frame_color)
        self.canvas.after.add(self._frame)
        self.bind(pos=self._place, size=self._place, text=self._place)
        self.set_picture(picture)

    def _wrap(self, *_args: Any) -> None:
        self.text_size = (self.width * 0.92, max(self.height - 24, 1))

    def set_picture(self, picture: Path | None) -> None:
        """Show ``picture`` (an SVG file) or none."""
        if picture == self._picture:
            return
        self._picture = picture
        self._group.clear()
        self._svg = None
        if picture is None:
            return
        self._group.add(PushMatrix())
        self._translate = Translate(0, 0)
        self._scale = Scale(1, 1, 1)
        self._group.add(self._translate)
        self._group.add(self._scale)
        self._svg = load_svg(picture)
        if self._svg is not None:
            self._group.add(self._svg)
        self._group.add(PopMatrix())
        self._place()

    @property
    def has_picture(self) -> bool:
        """True when a picture is drawn."""
        return self._svg is not None

    def _place(self, *_args: Any) -> None:
        self._frame.rectangle = (self.x + 2, self.y + 2, max(self.width - 4, 0), max(self.height - 4, 0))
        if self._svg is None:
            return
        text_room = (rendered_text_size(self)[1] if self.text else 0) + 24  # wrapped lines included
        side = max(1.0, min(self.width * 0.7, self.height - text_room - 24))
        natural = max(self._svg.width, self._svg.height, 1)
        self._scale.xyz = (side / natural, side / natural, 1)
        self._translate.xy = (self.x + (self.width - side) / 2, self.y + self.height - side - 16)


def star_points(cx: float, cy: float, outer: float, inner_ratio: float = 0.45) -> list[float]:
    """Flat [x0, y0, x1, y1, …] of a five-pointed star's ten corners, the first at the top."""
    points: list[float] = []
    for i in range(2 * STAR_POINTS):
        radius = outer if i % 2 == 0 else outer * inner_ratio
        angle = math.pi / 2 + i * math.pi / STAR_POINTS
        points += [cx + radius * math.cos(angle), cy + radius * math.sin(angle)]
    return points


class StarButton(BigButton):
    """One of five rating stars: filled when chosen, outlined otherwise (shape, not only colour)."""

    def __init__(self, text: str, *, filled: bool = False, **kwargs: Any) -> None:
        """A star above ``text`` (e.g. ``3 星``)."""
        kwargs.setdefault("role", "key")
        super().__init__(text, **kwargs)
        self.valign = "bottom"
        self.filled = filled
        self._group = InstructionGroup()
        self.canvas.after.add(self._group)
        self.bind(pos=self._draw, size=self._draw)

    def _wrap(self, *_args: Any) -> None:
        self.text_size = (self.width * 0.92, max(self.height - 16, 1))

    def set_filled(self, filled: bool) -> None:
        """Fill or outline the star."""
        self.filled = filled
        self._draw()

    def _draw(self, *_args: Any) -> None:
        self._group.clear()
        room = self.height - self.font_size * 1.4 - 24
        outer = max(4.0, min(self.width * 0.4, room / 2))
        cx, cy = self.center_x, self.y + self.height - 12 - outer
        points = star_points(cx, cy, outer)
        self._group.add(Color(rgba=th.STAR))
        if self.filled:
            vertices = [cx, cy, 0, 0]
            for i in range(0, len(points), 2):
                vertices += [points[i], points[i + 1], 0, 0]
            vertices += [points[0], points[1], 0, 0]
            count = len(vertices) // 4
            self._group.add(Mesh(vertices=vertices, indices=list(range(count)), mode="triangle_fan"))
        else:
            self._group.add(Line(points=points, close=True, width=max(2.0, outer / 12)))
