"""House-style figures: palette, titles, axis titles, orientation."""

from __future__ import annotations

import pandas as pd

from lerkit import plots

OKABE_ITO = {
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
}


def counts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "format": pd.array(["ob3", "clr2", "ob3"], dtype="string"),
            "envelope": ["json", "json", "vc-jwt"],
            "credentials": pd.array([3, 1, 2], dtype="Int64"),
        }
    )


def test_palette_is_okabe_ito() -> None:
    assert set(plots.PALETTE) == OKABE_ITO
    assert list(plots.TEMPLATE.layout.colorway) == list(plots.PALETTE)
    assert plots.palette(10)[8] == plots.PALETTE[0]


def test_bar_has_titles_and_template() -> None:
    figure = plots.bar(
        counts(),
        "format",
        "credentials",
        title="T",
        x_title="Format",
        y_title="Credentials (count)",
    )
    assert figure.layout.title.text == "T"
    assert figure.layout.xaxis.title.text == "Format"
    assert figure.layout.yaxis.title.text == "Credentials (count)"
    assert figure.layout.template.layout.colorway == plots.TEMPLATE.layout.colorway
    assert list(figure.data[0].x) == ["ob3", "clr2", "ob3"]
    assert figure.layout.showlegend is False


def test_horizontal_bar_puts_values_on_x() -> None:
    figure = plots.bar(
        counts(),
        "format",
        "credentials",
        title="T",
        x_title="Format",
        y_title="N (count)",
        horizontal=True,
    )
    assert figure.data[0].orientation == "h"
    assert figure.layout.xaxis.title.text == "N (count)"
    assert figure.layout.yaxis.title.text == "Format"
    assert figure.layout.yaxis.autorange == "reversed"


def test_colour_groups_stack() -> None:
    figure = plots.bar(
        counts(),
        "format",
        "credentials",
        title="T",
        x_title="F",
        y_title="N (count)",
        color="envelope",
    )
    assert [trace.name for trace in figure.data] == ["json", "vc-jwt"]
    assert figure.layout.barmode == "stack"
    assert figure.layout.showlegend is True


def test_timeline_uses_a_date_axis() -> None:
    frame = pd.DataFrame(
        {"month": pd.to_datetime(["2024-01-01", "2024-02-01"]), "n": [1, 2], "format": ["a", "b"]}
    )
    figure = plots.timeline(
        frame,
        "month",
        "n",
        title="T",
        x_title="Month (UTC)",
        y_title="N (count)",
        color="format",
        subtitle="1 undated",
    )
    assert figure.layout.xaxis.type == "date"
    assert figure.layout.title.subtitle.text == "1 undated"
    assert len(figure.data) == 2
