"""Helpers for the browser tests in tests/test_browser.py."""
