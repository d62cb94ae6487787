"""Each indicator on the hand-built first quarter of 2026 (conftest.q1), its value worked out here.

Q1 2026 = 2026-01-01 … 2026-03-31, computed on 2026-06-15 (the quarter is over).
Cases of 京0108 that count (执 only; c9 is 执保 and never counts):
  closed in Q1: c1 (01-20 执行完毕), c2 (02-15 终本), c3 (03-31 终结执行, 3,000 of 10,000 yuan),
                c4 (03-01 终结执行, nothing, property found), c8 (02-10 销案), c10 (01-15 执行完毕) → 6
  not closed in Q1: c5 (open), c6 (closed 2025-12-31), c7 (filed 04-01), c11, c12 (open)
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhixing.indicators import engine
from zhixing.indicators.choices import Level
from zhixing.indicators.periods import parse_period
from zhixing.supervision.models import Deadline, DeadlineStatus, RuleVersion

from .support import D, build_case

pytestmark = pytest.mark.django_db
AS_OF = D(2026, 6, 15)


def court_figures(courts, period="2026Q1", as_of=AS_OF, court="court"):
    window = engine.window_for(parse_period(period), as_of)
    court_id = courts[court].pk
    result = engine.tally(window, court_ids=[court_id])
    return engine.figures(result, Level.COURT)[(court_id, court_id)]


def check(figure, numerator, denominator, value):
    assert (figure.numerator, figure.denominator) == (numerator, denominator)
    assert figure.value == (None if value is None else Decimal(value))


def test_closure_rate_counts_carried_over_and_new_cases(courts, q1):
    # 旧存 (filed before 01-01, open on 01-01): c1, c2, c4, c10, c11, c12 — c6 closed 12-31, so not;
    # 新收 (filed in Q1): c3, c5, c8 (c7 was filed 04-01) → 9; closed 6 → 6/9 = 66.6667%
    check(court_figures(courts)["closure_rate"], 6, 9, "66.6667")


def test_performed_rate(courts, q1):
    # 执行完毕: c1, c10 → 2/6
    check(court_figures(courts)["performed_rate"], 2, 6, "33.3333")


def test_actual_closure_rate_includes_partial_performance(courts, q1):
    # c1, c10 performed; c3 terminated with 3,000 yuan realised → 3/6
    check(court_figures(courts)["actual_closure_rate"], 3, 6, "50.0000")


def test_partial_closure_rate(courts, q1):
    check(court_figures(courts)["partial_closure_rate"], 1, 6, "16.6667")


def test_in_time_closure_rate_against_the_six_month_period(courts, q1):
    # c1 filed 2025-10-10, due 2026-04-10, closed 01-20: in time.  c2 due 2025-12-01: late.
    # c3 due 2026-07-05: in time.  c4 due 2025-09-01: late.  c8 due 2026-07-10: in time.  c10: late → 3/6
    check(court_figures(courts)["in_time_closure_rate"], 3, 6, "50.0000")


def test_in_time_uses_supervisions_deadline_with_pauses_and_extensions(courts, q1):
    # c4's period, paused and extended by supervision, now ends 2026-03-15: its 03-01 closing is in time.
    version = RuleVersion.objects.create(rule_code="close_period", version=1, amount=6, unit="months",
                                         citation="test", effective_from=D(2020, 1, 1))
    case = q1.cases["c4"]
    Deadline.objects.create(court=case.court, case=case, rule_code="close_period", rule_version=version,
                            start_on=case.filed_on, due_on=D(2026, 3, 15), met_on=case.closed_on,
                            status=DeadlineStatus.MET)
    check(court_figures(courts)["in_time_closure_rate"], 4, 6, "66.6667")


def test_property_in_time_rate_core_indicator(courts, q1):
    # with property: c1 (performed), c3 (money realised), c4 (property_found node), c10 (performed);
    # not c2 (终本 = no property) nor c8 (销案). Actually closed and in time: c1, c3 → 2/4
    check(court_figures(courts)["property_in_time_rate"], 2, 4, "50.0000")


def test_performed_share_of_cases_with_property(courts, q1):
    # c1 and c10 performed among the 4 with property
    check(court_figures(courts)["performed_of_property_rate"], 2, 4, "50.0000")


def test_amount_realised_rate_in_fen(courts, q1):
    # claims of the 6 closed: 10,000 + 20,000 + 10,000 + 5,000 + 1,000 + 10,000 yuan = 5,600,000 fen;
    # realised: 10,000 + 3,000 + 10,000 yuan = 2,300,000 fen → 41.0714%
    check(court_figures(courts)["amount_realised_rate"], 2_300_000, 5_600_000, "41.0714")


def test_average_duration_in_calendar_days(courts, q1):
    days = [
        (D(2026, 1, 20) - D(2025, 10, 10)).days,  # c1: 102
        (D(2026, 2, 15) - D(2025, 6, 1)).days,  # c2: 259
        (D(2026, 3, 31) - D(2026, 1, 5)).days,  # c3: 85
        (D(2026, 3, 1) - D(2025, 3, 1)).days,  # c4: 365
        (D(2026, 2, 10) - D(2026, 1, 10)).days,  # c8: 31
        (D(2026, 1, 15) - D(2022, 12, 1)).days,  # c10: 1141 (2024 is a leap year)
    ]
    assert days == [102, 259, 85, 365, 31, 1141]
    check(court_figures(courts)["average_duration_days"], 1983, 6, "330.5000")


def test_measure_taken_rate(courts, q1):
    # c10 sealed, c2 restricted from consumption; c4's property_found is no measure → 2/6
    check(court_figures(courts)["measure_taken_rate"], 2, 6, "33.3333")


def test_overall_closure_rate_of_the_last_three_years(courts, q1):
    # window: filed 2023-04-01 … 2026-03-31: c1, c2, c3, c4, c5, c6, c8, c11 (c12 filed 2023-03-31 and
    # c10 filed 2022 are older; c7 filed after) → 8; closed by 03-31: c1, c2, c3, c4, c6, c8 → 6/8
    check(court_figures(courts)["overall_closure_rate_3y"], 6, 8, "75.0000")


def test_petition_closure_rate(courts, q1):
    # to handle: p1 (received 2025-12-20, open on 01-01), p2 (02-01), p3 (03-10); p4 closed in 2025.
    # closed in Q1: p1 only (p3 closed 04-02) → 1/3
    check(court_figures(courts)["petition_closure_rate"], 1, 3, "33.3333")


def test_petition_ratio_is_petitions_per_hundred_closed_cases(courts, q1):
    # received in Q1: p2, p3 → 2 per 6 closed
    check(court_figures(courts)["petition_ratio"], 2, 6, "33.3333")


def test_conduct_revoked_rate_counts_cases_not_decisions(courts, q1):
    # c10: revoked 02-01 and changed 03-01 → one case; c3 upheld; c2's revocation was 2025-12-31 → 1/6
    check(court_figures(courts)["conduct_revoked_rate"], 1, 6, "16.6667")


def test_state_compensation_rate(courts, q1):
    check(court_figures(courts)["state_compensation_rate"], 1, 6, "16.6667")


def test_disclosure_rate(courts, q1):
    # c1 document online, c3 parties told; c5's disclosure is of an open case → 2/6
    check(court_figures(courts)["disclosure_rate"], 2, 6, "33.3333")


def test_termination_quality_without_sample_review_has_no_value(courts, q1):
    figure = court_figures(courts)["termination_quality_rate"]
    assert figure.denominator == 0 and figure.value is None


def test_termination_quality_reads_the_closing_sample_review(courts, q1, monkeypatch):
    """The closing app answers with (passed, reviewed) per court; 17 of 20 reviewed passed → 85%."""
    import types

    calls = []

    def zhongben_pass_rate(court_ids, start, end):
        calls.append((tuple(court_ids), start, end))
        return (17, 20) if list(court_ids) == [courts["court"].pk] else None

    fake = types.SimpleNamespace(zhongben_pass_rate=zhongben_pass_rate)
    monkeypatch.setattr(engine, "closing_selectors", lambda: fake)
    check(court_figures(courts)["termination_quality_rate"], 17, 20, "85.0000")
    assert calls == [((courts["court"].pk,), D(2026, 1, 1), D(2026, 3, 31))]


def test_termination_quality_reads_the_closing_apps_pass_rate_objects(courts, q1, monkeypatch):
    """Its PassRate counts pending items in the sample but the rate only over the reviewed ones."""
    import types

    rate = types.SimpleNamespace(sampled=25, reviewed=20, passed=19)
    fake = types.SimpleNamespace(zhongben_pass_rate=None,
                                 zhongben_pass_rates_by_court=lambda ids, start, end: {courts["court"].pk: rate})
    monkeypatch.setattr(engine, "closing_selectors", lambda: fake)
    check(court_figures(courts)["termination_quality_rate"], 19, 20, "95.0000")


def test_a_failing_closing_app_leaves_the_indicator_without_data(courts, q1, monkeypatch):
    import types

    def broken(court_ids, start, end):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "closing_selectors", lambda: types.SimpleNamespace(zhongben_pass_rate=broken))
    window = engine.window_for(parse_period("2026Q1"), AS_OF)
    result = engine.tally(window, court_ids=[courts["court"].pk])
    assert result.zhongben is None and "读取失败" in result.zhongben_note
    assert court_figures(courts)["termination_quality_rate"].value is None


def test_other_courts_cases_stay_out(courts, q1):
    check(court_figures(courts, court="other")["closure_rate"], 1, 1, "100.0000")


def test_teams_add_up_to_the_court(courts, q1):
    window = engine.window_for(parse_period("2026Q1"), AS_OF)
    result = engine.tally(window, court_ids=[courts["court"].pk])
    teams = engine.figures(result, Level.TEAM)
    court_id = courts["court"].pk
    # 快执一组: closed c1, c2, c8; handled c1, c2, c5, c8, c12.  普执二组: closed c3, c4, c10; handled + c11
    check(teams[(court_id, q1.team1.pk)]["closure_rate"], 3, 5, "60.0000")
    check(teams[(court_id, q1.team2.pk)]["closure_rate"], 3, 4, "75.0000")


def test_a_team_scope_counts_only_its_cases(courts, q1):
    window = engine.window_for(parse_period("2026Q1"), AS_OF)
    result = engine.tally(window, court_ids=[courts["court"].pk], team_id=q1.team2.pk)
    measures = engine.combined(result)
    assert measures["cases.closed"] == 3 and measures["cases.handled"] == 4


# ---------------------------------------------------------------- period boundaries


def test_a_case_closed_on_the_last_day_of_march_counts_in_march_and_q1_not_april(courts, q1):
    march, april = court_figures(courts, "2026-03"), court_figures(courts, "2026-04")
    # March: c3 (03-31) and c4 (03-01) closed; April: nothing closed
    assert march["closure_rate"].numerator == 2
    assert april["closure_rate"].numerator == 0


def test_a_case_closed_on_new_years_eve_belongs_to_the_old_year(courts, q1):
    # c6 closed 2025-12-31: in 2025's figures, not in 2026's
    assert court_figures(courts, "2025")["performed_rate"].numerator == 1
    assert court_figures(courts, "2026")["performed_rate"].numerator == 2  # c1, c10


def test_a_year_adds_up_its_quarters_closings(courts, q1):
    build_case(courts["court"], filed_on=D(2026, 4, 2), closed_on=D(2026, 5, 20), closing_type="performed",
               performed_fen=1_000_000)
    quarters = sum(court_figures(courts, f"2026Q{q}")["closure_rate"].numerator for q in (1, 2))
    assert court_figures(courts, "2026")["closure_rate"].numerator == quarters == 7


def test_a_running_period_counts_up_to_today(courts, q1):
    # On 2026-02-15 Q1 is running: c1, c2 (02-15), c8, c10 are closed so far; c3, c4 later
    assert court_figures(courts, "2026Q1", as_of=D(2026, 2, 15))["closure_rate"].numerator == 4


def test_three_year_window_boundary(courts):
    # Period 2026: the window is 2024-01-01 … 2026-12-31 (36 months back + 1 day)
    build_case(courts["court"], filed_on=D(2023, 12, 31))  # outside
    build_case(courts["court"], filed_on=D(2024, 1, 1))  # inside, open
    build_case(courts["court"], filed_on=D(2024, 1, 2), closed_on=D(2026, 12, 31), closing_type="performed",
               performed_fen=1_000_000)
    check(court_figures(courts, "2026", as_of=D(2027, 1, 10))["overall_closure_rate_3y"], 1, 2, "50.0000")


def test_a_custom_range(courts, q1):
    # 01-15 … 02-15: c10 (01-15), c1 (01-20), c8 (02-10), c2 (02-15)
    assert court_figures(courts, "2026-01-15~2026-02-15")["closure_rate"].numerator == 4


def test_the_all_courts_pass_agrees_with_each_courts_own(courts, q1):
    """Over every court the case table is read straight through (engine._fetch); same figures."""
    window = engine.window_for(parse_period("2026Q1"), AS_OF)
    everything = engine.figures(engine.tally(window), Level.COURT)
    for key in ("court", "other"):
        court_id = courts[key].pk
        own = engine.figures(engine.tally(window, court_ids=[court_id]), Level.COURT)[(court_id, court_id)]
        assert {c: (f.numerator, f.denominator) for c, f in everything[(court_id, court_id)].items()} == \
               {c: (f.numerator, f.denominator) for c, f in own.items()}
