"""Offline voice for the kiosk: intent parsing, dialog, speech in (Vosk) and out (pyttsx3).

The pure parts (``intents``, ``dialog``, ``prompts``) import no audio library; ``recognizer``
and ``speaker`` import vosk / pyttsx3 lazily so screens and tests can avoid them.
"""
