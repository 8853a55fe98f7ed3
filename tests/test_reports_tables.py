"""Accessible tables behind every chart: suppressed cells read "suppressed"."""

from __future__ import annotations

import pandas as pd
import pytest

from lerkit import plots
from lerkit.analysis import outcome_rates
from lerkit.errors import ReportError
from lerkit.reports import SUPPRESSED, result_table


@pytest.fixture(scope="module")
def rates() -> pd.DataFrame:
    return outcome_rates("pilot-default", by="race_ethnicity", intersect="gender")


def test_visible_rows_carry_the_frame_numbers(rates: pd.DataFrame) -> None:
    table = result_table(rates, percent=True).data
    visible = ~rates["suppressed"]
    assert len(table) == len(rates)
    for (_, row), (_, shown) in zip(
        rates[visible].iterrows(), table[visible].iterrows(), strict=True
    ):
        assert shown["Estimate"] == f"{row['estimate'] * 100:.1f}%"
        assert shown["95% interval"] == f"{row['ci_low'] * 100:.1f}% to {row['ci_high'] * 100:.1f}%"
        assert shown["People (n)"] == f"{int(row['n']):,}"
        # group values in the plain words the charts use, from the data dictionary
        assert shown["Race/ethnicity"] == plots.plain_label(row["race_ethnicity"], "race_ethnicity")
        assert shown["Gender"] == plots.plain_label(row["gender"], "gender")


def test_hidden_rows_show_no_number(rates: pd.DataFrame) -> None:
    assert rates["suppressed"].any()
    table = result_table(rates, columns=["k", "gap"]).data
    hidden = table[rates["suppressed"].to_numpy()]
    for column in ("Estimate", "95% interval", "People (n)", "k", "gap"):
        assert set(hidden[column]) == {SUPPRESSED}


def test_caption_states_the_privacy_rule_and_html_is_stable(rates: pd.DataFrame) -> None:
    html = result_table(rates).to_html()
    assert "<caption>Outcome rates: estimates with 95% intervals; cells of fewer than 10" in html
    assert html == result_table(rates).to_html()  # no random element ids


def test_representation_categories_use_their_attributes_labels() -> None:
    from lerkit.analysis import representation

    table = result_table(representation("pilot-default", by=["race_ethnicity", "stars"])).data
    assert "Hispanic or Latino" in set(table["Category"])
    assert "STARs (skilled through alternative routes)" in set(table["Category"])
    assert set(table["Attribute"]) == {"Race/ethnicity", "STARs status"}


def test_missing_columns_are_named(rates: pd.DataFrame) -> None:
    with pytest.raises(ReportError, match="no column 'ci_low'"):
        result_table(rates.drop(columns="ci_low"))
    with pytest.raises(ReportError, match="no column 'nope'"):
        result_table(rates, columns=["nope"])
