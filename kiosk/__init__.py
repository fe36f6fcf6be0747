"""Anxin kiosk: a large-button touchscreen app for seniors at the community centre.

Importing the package sets ``KIVY_NO_ARGS=1`` (unless already set) so that Kivy never
swallows the ``anxin kiosk ...`` command-line options when it is imported later, and
``KIVY_LOG_MODE=MIXED`` so that Kivy logs through its own logger only and leaves the root
logger (set up by ``anxin``: level, one handler) alone; in Kivy's default mode every line
was printed twice and DEBUG lines of other libraries showed without ``--verbose``.
"""

import os

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "MIXED")
