"""The kiosk's pure core: policies and view models over frozen dataclasses, time passed in.

Nothing here imports Kivy, the portal client, Vosk or pyttsx3, reads a clock or touches a
file: the app feeds in what happened (and when) and carries out what the core decides.
"""
