"""Pure screen state and view models: plain functions over frozen dataclasses, no Kivy, no I/O."""
