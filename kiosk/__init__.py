"""Anxin kiosk: a large-button touchscreen app for seniors at the community centre.

Importing the package sets ``KIVY_NO_ARGS=1`` (unless already set) so that Kivy never
swallows the ``anxin kiosk ...`` command-line options when it is imported later.
"""

import os

os.environ.setdefault("KIVY_NO_ARGS", "1")
