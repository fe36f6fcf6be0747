"""Python SDK of the portal's device API, with a durable local outbox: used by the kiosk and the wristband bridge.

Every device path is a typed call of :class:`PortalClient`: the safety paths in ``calls`` (alerts, check-ins,
readings, wristbands), the community paths in ``community`` (catalog, orders, activities, residents, roll calls,
ratings, 反映问题, time bank). Request bodies are the API's own pydantic models, re-exported here (one definition, in
the feature's ``schemas`` module, which imports neither FastAPI nor SQLAlchemy); answers are the JSON of the
response models the calls name. Other modules: ``client`` (the outbox, its senders and the direct requests),
``outbox`` (storage and scheduling), ``delivery`` (the senders), ``verdict`` (what an answer means, pure),
``errors``. Imports ``requests``, ``tenacity``, ``pydantic`` and those schema modules only.
"""

from caregiver_portal.activities.schemas import SignupCancel, SignupCreate
from caregiver_portal.alerts.schemas import AlertCreate
from caregiver_portal.bands.schemas import BandStatusIn, UnknownBandIn
from caregiver_portal.client.client import PortalClient
from caregiver_portal.client.errors import PortalUnavailable, RequestRejected
from caregiver_portal.client.outbox import DeadLetter, Outbox, OutboxItem, Priority
from caregiver_portal.feedback.schemas import FeedbackCreate
from caregiver_portal.health.schemas import ReadingIn
from caregiver_portal.orders.schemas import OrderCreate, OrderLineIn
from caregiver_portal.ratings.schemas import RatingCreate
from caregiver_portal.roll_calls.schemas import RollCallAnswer
from caregiver_portal.safety.schemas import CheckinCreate
from caregiver_portal.timebank.schemas import RedemptionCreate

__all__ = ["AlertCreate", "BandStatusIn", "CheckinCreate", "DeadLetter", "FeedbackCreate", "OrderCreate",
           "OrderLineIn", "Outbox", "OutboxItem", "PortalClient", "PortalUnavailable", "Priority", "RatingCreate",
           "ReadingIn", "RedemptionCreate", "RequestRejected", "RollCallAnswer", "SignupCancel", "SignupCreate",
           "UnknownBandIn"]
