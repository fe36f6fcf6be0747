"""bleak's real BlueZ backend against BlueZoo: see docs/bluez-testing.md.

A package (unlike most test directories here) so that its ``conftest`` is imported as
``bluez.conftest`` and never takes the plain module name ``conftest`` from another
directory's conftest.
"""
