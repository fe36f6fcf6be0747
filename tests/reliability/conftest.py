"""The in-process portal fixtures of tests/portal, for the fault tests that need them."""

from tests.portal.conftest import portal_settings, seeded_portal  # noqa: F401 - fixtures
