"""Events into and actions out of the voice dialog (:mod:`kiosk.voice.dialog`).

Events are what the kiosk heard or saw; actions are what the app must carry out. All are
small frozen dataclasses so dialog tests can compare whole lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .intents import Intent

# -- events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heard:
    """An utterance: raw ``text``, its parsed ``intent``, and ``now`` for day words."""

    text: str
    intent: Intent
    now: datetime | None = None


@dataclass(frozen=True)
class Touched:
    """The person touched the screen: stop talking."""


@dataclass(frozen=True)
class Silence:
    """No answer within the listening window."""


@dataclass(frozen=True)
class ActivitiesChanged:
    """The list of upcoming activities (each with ``id``, ``title``, ``starts_at``)."""

    activities: tuple[Mapping, ...]


@dataclass(frozen=True)
class CartChanged:
    """The cart was changed by touch: ``items`` as ``{"name", "quantity", "unit"}``.

    A spoken order then starts from (and is read back with) what is already in the cart.
    """

    items: tuple[Mapping, ...]


Event = Heard | Touched | Silence | ActivitiesChanged | CartChanged


# -- actions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Speak:
    """Say ``text`` (and show it as a caption)."""

    text: str


@dataclass(frozen=True)
class Show:
    """Switch to ``screen`` (home, order_confirm, activities, emergency, status ...)."""

    screen: str


@dataclass(frozen=True)
class RaiseAlert:
    """Ask the portal for help; ``emergency`` alerts are raised before any question."""

    kind: str
    emergency: bool


@dataclass(frozen=True)
class CancelAlert:
    """Withdraw the emergency alert raised in this dialog (a false alarm)."""


@dataclass(frozen=True)
class SubmitOrder:
    """Send a confirmed grocery order: ``items`` as ``{"name", "quantity", "unit"}``."""

    items: tuple[Mapping, ...]


@dataclass(frozen=True)
class SignUp:
    """Sign up for activity ``activity_id``."""

    activity_id: object


@dataclass(frozen=True)
class CancelSignUp:
    """Withdraw the sign-up for activity ``activity_id``."""

    activity_id: object


@dataclass(frozen=True)
class QueryStatus:
    """Fetch and show the person's requests, orders and sign-ups."""


@dataclass(frozen=True)
class StopSpeaking:
    """Cut the current utterance off."""


@dataclass(frozen=True)
class ChangeVolume:
    """Make speech louder (``"up"``) or quieter (``"down"``)."""

    direction: str


@dataclass(frozen=True)
class ChangeRate:
    """Change the speaking rate by ``delta`` words per minute."""

    delta: int


Action = (
    Speak
    | Show
    | RaiseAlert
    | CancelAlert
    | SubmitOrder
    | SignUp
    | CancelSignUp
    | QueryStatus
    | StopSpeaking
    | ChangeVolume
    | ChangeRate
)
