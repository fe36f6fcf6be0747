"""Every feature's tables, imported in one place so ``Base.metadata`` is complete: Alembic compares and
migrates it, and the resident's data export and erasure (:mod:`caregiver_portal.residents.privacy`) walk it."""

from caregiver_portal.accounts import models as accounts  # noqa: F401
from caregiver_portal.activities import models as activities  # noqa: F401
from caregiver_portal.alerts import models as alerts  # noqa: F401
from caregiver_portal.bands import models as bands  # noqa: F401
from caregiver_portal.core import idempotency  # noqa: F401
from caregiver_portal.core.models import Base
from caregiver_portal.dead_letters import models as dead_letters  # noqa: F401
from caregiver_portal.escalation import models as escalation  # noqa: F401
from caregiver_portal.feedback import models as feedback  # noqa: F401
from caregiver_portal.health import models as health  # noqa: F401
from caregiver_portal.imports import models as imports  # noqa: F401
from caregiver_portal.notifications import models as notifications  # noqa: F401
from caregiver_portal.offers import models as offers  # noqa: F401
from caregiver_portal.orders import models as orders  # noqa: F401
from caregiver_portal.phone import models as phone  # noqa: F401
from caregiver_portal.queue import models as queue  # noqa: F401
from caregiver_portal.ratings import models as ratings  # noqa: F401
from caregiver_portal.residents import models as residents  # noqa: F401
from caregiver_portal.reviews import models as reviews  # noqa: F401
from caregiver_portal.roll_calls import models as roll_calls  # noqa: F401
from caregiver_portal.roster import models as roster  # noqa: F401
from caregiver_portal.safety import models as safety  # noqa: F401
from caregiver_portal.settlement import models as settlement  # noqa: F401
from caregiver_portal.timebank import models as timebank  # noqa: F401
from caregiver_portal.visits import models as visits  # noqa: F401

metadata = Base.metadata
"""The schema of the whole portal."""
