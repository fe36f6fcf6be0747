"""Tests for kiosk.voice."""
