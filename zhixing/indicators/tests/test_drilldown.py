"""Every number opens onto the rows behind it: the drill-down list of a numerator (or denominator)
has exactly as many rows as the figure counts, or adds up to the figure when it is a sum."""

from __future__ import annotations

import pytest
from django.apps import apps

from zhixing.accounts.choices import Role
from zhixing.cases.exceptions import NotFound, ValidationFailed
from zhixing.indicators import selectors, snapshots
from zhixing.indicators.periods import parse_period
from zhixing.indicators.rules import INDICATOR_LIST
from zhixing.testing.fixtures import make_user

from .support import D, build_case

pytestmark = pytest.mark.django_db
TODAY = D(2026, 6, 15)
DRILLABLE = [i for i in INDICATOR_LIST if i.numerator.source != "zhongben"]  # with its own test below


def scopes(user, q1):
    court = selectors.scope_for(user)
    team = selectors.scope_for(user, team_id=q1.team2.pk)
    handler = selectors.scope_for(user, handler_id=q1.cases["c1"].handler_id)
    return {"court": court, "team": team, "handler": handler}


@pytest.mark.parametrize("indicator", DRILLABLE, ids=lambda i: i.code)
def test_drilldown_lists_add_up_to_the_figure(indicator, bureau_head, q1):
    period = parse_period("2026Q1")
    for name, scope in scopes(bureau_head, q1).items():
        figure = selectors.board(scope, period, today=TODAY).figure(indicator.code)
        for part, expected in (("numerator", figure.numerator), ("denominator", figure.denominator)):
            drill = selectors.drilldown(scope, period, indicator.code, part, as_of=TODAY)
            assert drill.value() == expected, f"{name} {part}"


def test_the_closed_cases_behind_closure_rate_are_the_ones_worked_out(bureau_head, q1):
    scope = selectors.scope_for(bureau_head)
    drill = selectors.drilldown(scope, parse_period("2026Q1"), "closure_rate", "numerator", as_of=TODAY)
    expected = {q1.cases[k].pk for k in ("c1", "c2", "c3", "c4", "c8", "c10")}
    assert set(drill.rows.values_list("pk", flat=True)) == expected


def test_drilldown_equals_the_snapshot_figure(bureau_head, q1):
    period = parse_period("2026Q1")
    snapshots.snapshot(as_of=TODAY, chosen=[period])
    scope = selectors.scope_for(bureau_head)
    board = selectors.board(scope, period, today=TODAY)
    assert board.source == "snapshot"
    for indicator in DRILLABLE:
        figure = board.figure(indicator.code)
        assert selectors.drilldown(scope, period, indicator.code, "numerator", as_of=TODAY).value() == figure.numerator


def test_amount_drilldown_sums_to_the_numerator_in_fen(bureau_head, q1):
    scope = selectors.scope_for(bureau_head)
    drill = selectors.drilldown(scope, parse_period("2026Q1"), "amount_realised_rate", "numerator", as_of=TODAY)
    assert drill.value() == 2_300_000
    assert sum(drill.rows.values_list("performed_amount_fen", flat=True)) == 2_300_000


def test_revoked_acts_list_each_case_once(bureau_head, q1):
    scope = selectors.scope_for(bureau_head)
    drill = selectors.drilldown(scope, parse_period("2026Q1"), "conduct_revoked_rate", "numerator", as_of=TODAY)
    assert list(drill.rows.values_list("pk", flat=True)) == [q1.cases["c10"].pk]


def test_termination_quality_without_the_closing_app_has_no_case_list(bureau_head, q1, monkeypatch):
    from zhixing.indicators import engine

    monkeypatch.setattr(engine, "closing_selectors", lambda: None)
    scope = selectors.scope_for(bureau_head)
    with pytest.raises(NotFound):
        selectors.drilldown(scope, parse_period("2026Q1"), "termination_quality_rate", "numerator")


@pytest.mark.skipif(not apps.is_installed("zhixing.closing"), reason="the closing app is not installed")
def test_termination_quality_lists_the_reviewed_sample_of_the_closing_app(courts, bureau_head, q1):
    """Three 终本 cases closed in Q1 sampled: one passed, one failed, one not yet reviewed → 1 / 2."""
    from django.utils import timezone

    from zhixing.closing.models import SampleItem, SampleReview

    court = courts["court"]
    more = [build_case(court, filed_on=D(2025, 6, 1), closed_on=D(2026, 3, 5), closing_type="terminate_current")
            for _ in range(2)]
    review = SampleReview.objects.create(court=court, period_start=D(2026, 1, 1), period_end=D(2026, 3, 31), seed=1,
                                         population=3, size=3, drawn_by=bureau_head, drawn_at=timezone.now())
    for position, (case, verdict) in enumerate(zip([q1.cases["c2"], *more], ["pass", "fail", "pending"], strict=True)):
        SampleItem.objects.create(court=court, review=review, case=case, position=position, closed_on=case.closed_on,
                                  verdict=verdict)
    scope = selectors.scope_for(bureau_head)
    period = parse_period("2026Q1")
    figure = selectors.board(scope, period, today=TODAY).figure("termination_quality_rate")
    assert (figure.numerator, figure.denominator) == (1, 2)
    passed = selectors.drilldown(scope, period, "termination_quality_rate", "numerator", as_of=TODAY)
    reviewed = selectors.drilldown(scope, period, "termination_quality_rate", "denominator", as_of=TODAY)
    assert list(passed.rows.values_list("pk", flat=True)) == [q1.cases["c2"].pk]
    assert reviewed.value() == 2


def test_unknown_indicator_or_part_is_refused_naming_the_field(bureau_head, q1):
    scope = selectors.scope_for(bureau_head)
    with pytest.raises(ValidationFailed) as bad:
        selectors.drilldown(scope, parse_period("2026Q1"), "nope", "numerator")
    assert bad.value.errors[0].field == "indicator"
    with pytest.raises(ValidationFailed) as bad:
        selectors.drilldown(scope, parse_period("2026Q1"), "closure_rate", "both")
    assert bad.value.errors[0].field == "part"


def test_another_courts_staff_cannot_open_this_court(courts, q1, other_judge):
    with pytest.raises(NotFound):
        selectors.scope_for(other_judge, court_id=courts["court"].pk)


def test_a_supervisor_sees_the_region_of_the_courts_below(courts, q1, supervisor):
    scope = selectors.scope_for(supervisor, court_id=courts["mid"].pk, region=True)
    assert set(scope.court_ids) == {courts["mid"].pk, courts["court"].pk, courts["other"].pk}
    board = selectors.board(scope, parse_period("2026Q1"), today=TODAY)
    # 京0108's 6 closed cases and 京0102's x1
    assert board.figure("closure_rate").numerator == 7
    drill = selectors.drilldown(scope, parse_period("2026Q1"), "closure_rate", "numerator", as_of=TODAY)
    assert drill.value() == 7


def test_a_team_of_another_court_is_not_found(courts, q1, bureau_head):
    from zhixing.courts.models import Team

    foreign = Team.objects.create(court=courts["other"], name="外院团队", team_type="fast")
    with pytest.raises(NotFound):
        selectors.scope_for(bureau_head, team_id=foreign.pk)


def test_an_account_without_a_court_is_refused(db):
    from zhixing.accounts.models import User
    from zhixing.cases.exceptions import NotAllowed

    user = User.objects.create_user(username="nocourt", password="x" * 12, role=Role.JUDGE)
    with pytest.raises(NotAllowed):
        selectors.scope_for(user)


def test_a_handler_of_another_court_is_not_found(courts, q1, bureau_head):
    stranger = make_user("stranger", courts["other"], Role.JUDGE)
    with pytest.raises(NotFound):
        selectors.scope_for(bureau_head, handler_id=stranger.pk)
