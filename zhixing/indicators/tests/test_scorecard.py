"""Wuhan's scorecard: the tiers at their boundaries, the straight-line score, weighting, indicators
without data, and each court's weights (own, else the higher court's, else the defaults)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhixing.cases.exceptions import NotAllowed, ValidationFailed
from zhixing.indicators import services
from zhixing.indicators.choices import Tier
from zhixing.indicators.engine import Figure
from zhixing.indicators.rules import DEFAULT_LINES, INDICATORS, SCORED_CODES, ScoreLine, tier_for
from zhixing.indicators.scorecard import Scheme, indicator_score, scheme_for, score

pytestmark = pytest.mark.django_db
N = Decimal


@pytest.mark.parametrize(("total", "tier"), [
    ("0", Tier.NOT_MET), ("69.99", Tier.NOT_MET),
    ("70", Tier.MET), ("79.99", Tier.MET),
    ("80", Tier.GOOD), ("89.99", Tier.GOOD), ("90", Tier.GOOD),  # 超过90分 is above 90
    ("90.01", Tier.EXCELLENT), ("100", Tier.EXCELLENT),
])
def test_tiers_at_their_boundaries(total, tier):
    assert tier_for(N(total)) == tier


@pytest.mark.parametrize(("full", "zero", "value", "expected"), [
    ("90", "50", "70", "50.00"),  # halfway up
    ("90", "50", "95", "100.00"),  # better than full marks: capped
    ("90", "50", "40", "0.00"),  # worse than zero: nothing
    ("0", "5", "1", "80.00"),  # lower is better: 1% of 5% lost 20%
    ("0", "5", "6", "0.00"),
    ("180", "365", "330.5", "18.65"),  # (365 − 330.5) ÷ (365 − 180) = 0.18649 → 18.65
])
def test_straight_line_score(full, zero, value, expected):
    assert indicator_score(ScoreLine("x", 10, N(full), N(zero)), N(value)) == N(expected)


def _scheme(weights: dict[str, int] | None = None) -> Scheme:
    lines = {code: ScoreLine(code, (weights or {}).get(code, 10), N("100"), N("0")) for code in SCORED_CODES}
    return Scheme(lines, dict.fromkeys(SCORED_CODES), dict.fromkeys(SCORED_CODES))


def _figures(values: dict[str, tuple[int, int]]) -> dict[str, Figure]:
    return {code: Figure(INDICATORS[code], n, d) for code, (n, d) in values.items()}


def test_weighted_total_and_tier():
    # three indicators with data, each scoring its percentage (full 100, zero 0):
    # 执行公开率 90% × 10, 实际执结率 80% × 30, 法定期限内结案率 60% × 10 → (900 + 2400 + 600) / 50 = 78 → 达标
    card = score(_figures({"disclosure_rate": (9, 10), "actual_closure_rate": (8, 10),
                           "in_time_closure_rate": (6, 10)}), _scheme({"actual_closure_rate": 30}))
    assert card.total == N("78.00") and card.tier == Tier.MET


def test_indicators_without_data_are_left_out_and_named():
    card = score(_figures({"disclosure_rate": (9, 10), "petition_ratio": (0, 0)}), _scheme())
    assert card.total == N("90.00") and card.tier == Tier.GOOD
    assert "信访投诉率（案访比）" in card.left_out and "执行公开率" not in card.left_out


def test_no_data_at_all_has_no_total():
    card = score({}, _scheme())
    assert card.total is None and card.tier == "" and card.tier_label == "无数据"


def test_group_points_add_up_to_the_weighted_scores():
    card = score(_figures({"disclosure_rate": (1, 2), "conduct_revoked_rate": (1, 4)}), _scheme())
    fairness = card.groups[0]
    # 50% of 10 points + 25% of 10 points (full 100, zero 0 here, whatever the direction)
    assert fairness.label == "公正指标" and fairness.points == N("7.50")


def test_the_defaults_cover_the_nine_wuhan_indicators_in_three_groups(courts):
    scheme = scheme_for(courts["court"])
    assert set(scheme.lines) == set(SCORED_CODES) and len(SCORED_CODES) == 9
    assert scheme.source_label == "默认值"
    assert {line.indicator for line in DEFAULT_LINES} == set(SCORED_CODES)


def _lines(weight: int) -> dict[str, dict]:
    return {code: {"weight": weight, "full_at": "100", "zero_at": "0"} for code in SCORED_CODES}


def test_a_basic_court_inherits_its_intermediate_courts_weights_until_it_sets_its_own(courts, bureau_head):
    from zhixing.accounts.choices import Role
    from zhixing.testing.fixtures import make_user

    mid_head = make_user("mid_head", courts["mid"], Role.BUREAU_HEAD)
    services.weights_set(actor=mid_head, court=courts["mid"], lines=_lines(5), reason="中院考核办法")
    inherited = scheme_for(courts["court"])
    assert inherited.lines["disclosure_rate"].weight == 5 and inherited.source_label == courts["mid"].name
    services.weights_set(actor=bureau_head, court=courts["court"], lines=_lines(7), reason="本院办法")
    own = scheme_for(courts["court"])
    assert own.lines["disclosure_rate"].weight == 7 and own.source_label == courts["court"].name
    services.weights_set(actor=bureau_head, court=courts["court"], lines=_lines(8), reason="修订")
    assert scheme_for(courts["court"]).lines["disclosure_rate"].weight == 8  # the latest version


def test_weights_are_set_by_the_courts_leaders_only(courts, judge, supervisor, other_judge, bureau_head):
    with pytest.raises(NotAllowed):
        services.weights_set(actor=judge, court=courts["court"], lines=_lines(5), reason="x")
    with pytest.raises(NotAllowed):
        services.weights_set(actor=supervisor, court=courts["court"], lines=_lines(5), reason="x")
    with pytest.raises(NotAllowed):
        services.weights_set(actor=bureau_head, court=courts["other"], lines=_lines(5), reason="x")


def test_weights_name_the_bad_field(courts, bureau_head):
    lines = _lines(5)
    lines["average_duration_days"]["weight"] = 101
    lines["petition_ratio"]["full_at"] = "abc"
    with pytest.raises(ValidationFailed) as refused:
        services.weights_set(actor=bureau_head, court=courts["court"], lines=lines, reason="")
    fields = {e.field for e in refused.value.errors}
    assert fields == {"average_duration_days.weight", "petition_ratio.full_at", "reason"}


def test_all_weights_zero_is_refused(courts, bureau_head):
    with pytest.raises(ValidationFailed, match="权重合计不能为0"):
        services.weights_set(actor=bureau_head, court=courts["court"], lines=_lines(0), reason="x")
