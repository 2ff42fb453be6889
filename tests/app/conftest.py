"""The browser fixtures (one page server and one Chromium per test session)."""

from tests.app.browser import browser, server

__all__ = ["browser", "server"]
