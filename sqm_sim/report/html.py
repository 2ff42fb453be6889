"""HTML building blocks of the report: the page, tables, figures as embedded PNG images.

Everything is self-contained: CSS inline, images as ``data:image/png;base64,`` URIs, no
link to any file or URL. All text passes through :func:`html.escape`.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # matplotlib is imported only when a figure is drawn
    from matplotlib.figure import Figure

CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #222;
       max-width: 1150px; margin: 0 auto; padding: 1.5em 2em 4em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 2px solid #4c72b0; padding-bottom: 0.2em;
     margin-top: 2em; }
h3 { font-size: 1.05em; margin-top: 1.5em; }
p.lead { color: #555; margin-top: 0; }
.intro { background: #f3f6fb; border-left: 4px solid #4c72b0; padding: 0.6em 1em; }
ul.findings li { margin: 0.35em 0; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.88em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.7em; text-align: left;
         vertical-align: top; }
th { background: #f0f0f0; }
td { overflow-wrap: break-word; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;
         overflow-wrap: normal; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
figure { margin: 1em 0 2em; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; margin-top: 0.3em; }
div.wide { overflow-x: auto; }
footer { margin-top: 3em; color: #777; font-size: 0.85em; }
@media (max-width: 900px) {
  body { padding: 1em 0.8em 3em; }
  table { font-size: 0.78em; }
  th, td { padding: 0.25em 0.35em; }
  td.num { white-space: normal; }
}
"""


def _breakable(name: object) -> str:
    """A name, escaped, that may wrap after each underscore or dot (``difference_ci_low``
    over two lines rather than a column pushed off a narrow screen)."""
    return esc(name).replace("_", "_<wbr>").replace(".", ".<wbr>")


def esc(text: object) -> str:
    """``text`` as HTML-escaped text."""
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Section:
    """One part of the report: a heading and its body (HTML, already escaped)."""

    title: str
    body: str


def paragraph(text: str, css_class: str | None = None) -> str:
    """A paragraph of plain text."""
    attribute = f' class="{esc(css_class)}"' if css_class else ""
    return f"<p{attribute}>{esc(text)}</p>"


def bullet_list(items: Iterable[str], css_class: str | None = None) -> str:
    """An unordered list of plain-text items."""
    attribute = f' class="{esc(css_class)}"' if css_class else ""
    return f"<ul{attribute}>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"


def facts_list(facts: Sequence[tuple[str, str]]) -> str:
    """A definition list of (name, value) pairs."""
    rows = "".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in facts)
    return f'<dl class="facts">{rows}</dl>'


def _is_number(text: str) -> bool:
    """Whether a formatted cell reads as a number: 1,234, -5.6 %, 1.651e-06, or '-'."""
    cleaned = text.replace(",", "").replace("%", "").replace(" ", "")
    try:
        float(cleaned)
    except ValueError:
        return text == "-"
    return cleaned.lower() not in {"nan", "inf", "-inf", "infinity", "-infinity"}


def table_html(table: pd.DataFrame, caption: str | None = None, right: Iterable[str] = ()) -> str:
    """A table of already formatted cells, scrolling sideways if wide; cells that read as
    numbers, and all cells of the ``right`` columns, are right-aligned."""
    aligned = [column in set(right) for column in table.columns]
    head = "".join(f"<th>{_breakable(column)}</th>" for column in table.columns)
    body = []
    for row in table.itertuples(index=False):
        cells = []
        for value, align in zip(row, aligned, strict=True):
            text = str(value)
            number_like = align or _is_number(text)
            css = ' class="num"' if number_like else ""
            cells.append(f"<td{css}>{esc(text) if number_like else _breakable(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    title = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="wide"><table>{title}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def png_data_uri(fig: Figure) -> str:
    """``fig`` as a ``data:image/png;base64,...`` URI."""
    from ..plots.style import FIGURE_DPI

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def figure_html(fig: Figure, caption: str) -> str:
    """``fig`` embedded as a PNG image with a numbered-free caption (also the alt text)."""
    return (
        f'<figure><img src="{png_data_uri(fig)}" alt="{esc(caption)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def page(title: str, subtitle: str, intro: str, sections: Sequence[Section], footer: str) -> str:
    """The whole HTML document."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        paragraph(subtitle, "lead"),
        f'<div class="intro">{paragraph(intro)}</div>',
    ]
    for section in sections:
        parts.append(f"<section><h2>{esc(section.title)}</h2>{section.body}</section>")
    parts.append(f"<footer>{esc(footer)}</footer></body></html>")
    return "\n".join(parts)
