"""Periods: keys as typed, their first and last days, the 近三年 window, and refusals naming the field."""

from __future__ import annotations

import pytest

from zhixing.cases.exceptions import ValidationFailed
from zhixing.indicators.choices import Grain
from zhixing.indicators.periods import add_months, containing, months_back, parse_period, periods_since

from .support import D


@pytest.mark.parametrize(("text", "grain", "start", "end"), [
    ("2026", Grain.YEAR, D(2026, 1, 1), D(2026, 12, 31)),
    ("2026年", Grain.YEAR, D(2026, 1, 1), D(2026, 12, 31)),
    ("2026-02", Grain.MONTH, D(2026, 2, 1), D(2026, 2, 28)),
    ("2028-02", Grain.MONTH, D(2028, 2, 1), D(2028, 2, 29)),  # leap year
    ("2026年3月", Grain.MONTH, D(2026, 3, 1), D(2026, 3, 31)),
    ("2026Q1", Grain.QUARTER, D(2026, 1, 1), D(2026, 3, 31)),
    ("2026-q4", Grain.QUARTER, D(2026, 10, 1), D(2026, 12, 31)),
    ("2026年第二季度", Grain.QUARTER, D(2026, 4, 1), D(2026, 6, 30)),
    ("2026-01-05~2026-02-10", Grain.RANGE, D(2026, 1, 5), D(2026, 2, 10)),
    ("2026-01-05至2026-01-05", Grain.RANGE, D(2026, 1, 5), D(2026, 1, 5)),
])
def test_keys_parse_to_their_first_and_last_days(text, grain, start, end):
    period = parse_period(text)
    assert (period.grain, period.start, period.end) == (grain, start, end)


@pytest.mark.parametrize("text", ["2026-13", "2026Q5", "2026-02-10~2026-01-05", "yesterday", "2026-02-30~2026-03-01"])
def test_bad_keys_are_refused_naming_the_field(text):
    with pytest.raises(ValidationFailed) as refused:
        parse_period(text)
    assert refused.value.errors[0].field == "period"


def test_keys_and_labels_round_trip():
    for text in ("2026", "2026Q3", "2026-07", "2026-01-05~2026-02-10"):
        assert parse_period(parse_period(text).key).key == parse_period(text).key
    assert parse_period("2026Q3").label == "2026年第三季度"


def test_a_running_period_ends_today_for_the_count():
    q2 = parse_period("2026Q2")
    assert q2.effective_end(D(2026, 5, 10)) == D(2026, 5, 10) and not q2.is_final(D(2026, 6, 30))
    assert q2.is_final(D(2026, 7, 1)) and q2.effective_end(D(2026, 7, 1)) == D(2026, 6, 30)


def test_three_years_back_from_the_end_month_end_rule():
    # 2028-02-29 − 36 months = 2025-02-28 (no 29th: 民法典 Art. 202) + 1 day
    assert parse_period("2028-02").three_year_start(D(2028, 6, 1)) == D(2025, 3, 1)
    assert parse_period("2026").three_year_start(D(2027, 1, 1)) == D(2024, 1, 1)


def test_previous_periods():
    assert parse_period("2026Q1").previous().key == "2025Q4"
    assert parse_period("2026-01").previous().key == "2025-12"
    assert parse_period("2026").previous().key == "2025"
    assert parse_period("2026-01-11~2026-01-20").previous().key == "2026-01-01~2026-01-10"


def test_months_back_and_periods_since():
    assert [p.key for p in months_back(D(2026, 2, 14), 3)] == ["2025-12", "2026-01", "2026-02"]
    keys = [p.key for p in periods_since(D(2025, 11, 20), D(2026, 1, 3))]
    assert keys == ["2025-11", "2025-12", "2026-01", "2025Q4", "2026Q1", "2025", "2026"]
    assert containing(D(2026, 8, 31), Grain.QUARTER).key == "2026Q3"
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
