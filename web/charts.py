"""Charts drawn on the server as inline SVG: no script, no CDN, readable in print and greyscale.

A chart never stands alone: the page shows the same numbers in a table beside it, and the SVG
carries a ``<title>`` and ``<desc>`` (``role="img"``) that say what it shows. Bars are dark on
white with their value written at the end, so nothing depends on colour; a bar that crosses a
threshold (an impact ratio below 0.80) is hatched and labelled, not just coloured.

Only presentation attributes, never ``style``: the content security policy allows no inline
styles.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_HEIGHT = 24
GAP = 8
LABEL_WIDTH = 180
PLOT_WIDTH = 230
VALUE_WIDTH = 130
INK = "#1f2933"
HATCH = "#6b7280"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing to draw (shown as "n/a")
    text: str  # the value as people read it ("0.75", "42%")
    marked: bool = False  # hatched and labelled: e.g. below four-fifths


def bar_chart(
    title: str,
    description: str,
    bars: Sequence[Bar],
    *,
    maximum: float | None = None,
    reference: float | None = None,
    reference_label: str = "",
    marked_label: str = "",
) -> Markup:
    """A horizontal bar chart; ``reference`` draws a dashed line (e.g. at 0.80)."""
    chart_id = f"chart-{next(_ids)}"
    top = max([b.value for b in bars if b.value is not None] + [maximum or 0, reference or 0, 1e-9])
    if maximum is not None:
        top = max(top, maximum)
    legend = 24 if reference is not None or marked_label else 0
    height = legend + len(bars) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
        f'<defs><pattern id="{chart_id}-h" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="3"/></pattern></defs>',
    ]
    if legend:
        x = 0
        if reference is not None:
            parts.append(
                f'<line x1="{x}" y1="10" x2="{x + 24}" y2="10" stroke="{INK}" '
                f'stroke-width="2" stroke-dasharray="4 3"/>'
                f'<text x="{x + 30}" y="15" font-size="14" fill="{INK}">'
                f"{escape(reference_label)}</text>"
            )
            x += 50 + 8 * len(reference_label)
        if marked_label:
            parts.append(
                f'<rect x="{x}" y="3" width="20" height="14" fill="url(#{chart_id}-h)" '
                f'stroke="{INK}"/><text x="{x + 26}" y="15" font-size="14" fill="{INK}">'
                f"{escape(marked_label)}</text>"
            )
    if reference is not None:  # under the bars' values, which carry a white halo
        x = LABEL_WIDTH + reference / top * PLOT_WIDTH
        parts.append(
            f'<line x1="{x:.1f}" y1="{legend}" x2="{x:.1f}" y2="{height}" stroke="{INK}" '
            f'stroke-width="2" stroke-dasharray="4 3"/>'
        )
    for index, bar in enumerate(bars):
        y = legend + GAP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2 + 4
        label = bar.label if len(bar.label) <= 22 else bar.label[:21] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" font-size="14" '
            f'fill="{INK}">{escape(label)}</text>'
        )
        length = 0.0 if bar.value is None else max(0.0, bar.value) / top * PLOT_WIDTH
        fill = f"url(#{chart_id}-h)" if bar.marked else INK
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{fill}" stroke="{INK}"/>'
        )
        text = bar.text + (f" ({marked_label})" if bar.marked and marked_label else "")
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{middle}" font-size="14" '
            f'fill="{INK}" stroke="#fff" stroke-width="4" paint-order="stroke">'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
