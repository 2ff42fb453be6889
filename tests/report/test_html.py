"""The reports are self-contained pages with the expected sections and real images."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

from tests.support import check_png


class Page(HTMLParser):
    """Headings, image sources and every src/href of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.images: list[str] = []
        self.references: list[str] = []
        self._heading: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in {"h1", "h2"}:
            self._heading = []
        if tag == "img":
            self.images.append(values.get("src", ""))
        for name in ("src", "href"):
            if name in values:
                self.references.append(values[name] or "")

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)

    def handle_endtag(self, tag):
        if tag in {"h1", "h2"} and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None


EXPECTED = {
    "run_report": (
        "sqm_sim run: custom",  # the small config of tests/conftest.py
        ["What was run", "Findings", "Key results", "Month by month"],
        2,
    ),
    "compare_report": (
        "sqm_sim experiment: compare",
        [
            "What was run",
            "Findings",
            "Key results with confidence intervals",
            "Comparison of NPV (currency units)",
            "Month by month",
            "Tables",
        ],
        4,
    ),
    "search_report": (
        "sqm_sim experiment: search",
        ["What was run", "Findings", "Cost vs benefit of the portfolios", "Month by month"],
        3,
    ),
}


@pytest.mark.parametrize("report", sorted(EXPECTED))
def test_report_has_sections_and_embedded_images(report, request):
    text = request.getfixturevalue(report)
    title, sections, images = EXPECTED[report]
    page = Page(text)
    assert page.headings[0] == title
    for section in sections:
        assert section in page.headings
    assert len(page.images) >= images
    for source in page.images:
        assert source.startswith("data:image/png;base64,")
        check_png(base64.b64decode(source.split(",", 1)[1]))


@pytest.mark.parametrize("report", sorted(EXPECTED))
def test_report_refers_to_no_file_or_url(report, request):
    text = request.getfixturevalue(report)
    page = Page(text)
    assert page.references == page.images  # the only src/href are the embedded images
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|file:|/|\.)""", text)
    assert "<link" not in text
    assert "@import" not in text


def test_report_says_what_was_run(compare_report, compare_dir):
    for fact in ("none, process_first, balanced", "1-3 (3 replications per cell", "serial"):
        assert fact in compare_report
    assert "pandas" in compare_report  # package versions
