"""The browser fixtures (one page server and one Chromium per test session) are defined
once for the whole suite in ``tests/conftest.py``: two session fixtures of the same name
in two folders would start Playwright twice in one worker, which its sync API refuses."""
