"""``python -m anxin`` is the same as the ``anxin`` command."""

from anxin.cli import main

main()
