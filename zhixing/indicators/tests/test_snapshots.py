"""Snapshots: the nightly run keeps the running periods and fills gaps; a period taken after its end is
final and stays as it was; `recompute` replaces it on purpose, with a reason; runs are idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from zhixing.cases.exceptions import ValidationFailed
from zhixing.indicators import periods, selectors, snapshots
from zhixing.indicators.choices import Grain, Level, RunKind
from zhixing.indicators.models import IndicatorSnapshot, SnapshotPeriod, SnapshotRun
from zhixing.indicators.periods import parse_period

from .support import D, build_case

pytestmark = pytest.mark.django_db


def closure(court, key: str) -> tuple[int, int]:
    row = IndicatorSnapshot.objects.get(period__grain=parse_period(key).grain, period__start=parse_period(key).start,
                                        level=Level.COURT, scope_id=court.pk, indicator="closure_rate")
    return row.numerator, row.denominator


def test_nightly_periods_are_the_running_and_previous_ones_plus_gaps():
    as_of = D(2026, 4, 10)
    everything = {(p.grain, p.start) for p in periods.periods_since(D(2020, 1, 1), as_of)}
    keys = [p.key for p in snapshots.nightly_periods(as_of, everything)]
    assert sorted(keys) == sorted(["2026-04", "2026-03", "2026Q2", "2026Q1", "2026", "2025"])
    # Nothing kept yet: two years of months (2024-05 … 2026-04), their quarters and years
    keys = {p.key for p in snapshots.nightly_periods(as_of, set())}
    assert {"2024-05", "2026-04", "2024Q2", "2026Q2", "2024", "2026"} <= keys
    assert "2024-04" not in keys


def test_a_snapshot_stores_what_the_engine_counts(courts, q1):
    snapshots.snapshot(as_of=D(2026, 6, 15), chosen=[parse_period("2026Q1")])
    assert closure(courts["court"], "2026Q1") == (6, 9)
    team_row = IndicatorSnapshot.objects.get(period__start=D(2026, 1, 1), period__grain=Grain.QUARTER,
                                             level=Level.TEAM, scope_id=q1.team1.pk, indicator="closure_rate")
    assert (team_row.numerator, team_row.denominator, team_row.court_id) == (3, 5, courts["court"].pk)


def test_running_again_the_same_day_writes_the_same_rows(courts, q1):
    period = parse_period("2026-06")
    snapshots.snapshot(as_of=D(2026, 6, 15), chosen=[period])
    first = sorted(IndicatorSnapshot.objects.values_list("level", "scope_id", "indicator", "numerator", "denominator"))
    run, results = snapshots.snapshot(as_of=D(2026, 6, 15), chosen=[period])
    again = sorted(IndicatorSnapshot.objects.values_list("level", "scope_id", "indicator", "numerator", "denominator"))
    assert first == again and results[0].changed == 0 and run.changed == 0


def test_a_final_period_stays_stable_after_a_late_correction(courts, q1):
    q1_period = parse_period("2026Q1")
    snapshots.snapshot(as_of=D(2026, 4, 1), chosen=[q1_period])
    assert SnapshotPeriod.objects.get(grain=Grain.QUARTER, start=D(2026, 1, 1)).final
    # Entered late: a case closed in March
    build_case(courts["court"], filed_on=D(2026, 1, 20), closed_on=D(2026, 3, 20), closing_type="performed",
               performed_fen=1_000_000)
    run, results = snapshots.snapshot(as_of=D(2026, 4, 2), chosen=[q1_period])
    assert results[0].skipped and closure(courts["court"], "2026Q1") == (6, 9)
    # The page still shows the kept figure
    board = selectors.board(selectors.scope_for(courts["court"].staff.first() or _head(courts)), q1_period,
                            today=D(2026, 4, 2))
    assert (board.figure("closure_rate").numerator, board.source) == (6, "snapshot")


def _head(courts):
    from zhixing.accounts.choices import Role
    from zhixing.testing.fixtures import make_user

    return make_user("head2", courts["court"], Role.BUREAU_HEAD)


def test_recompute_replaces_a_final_period_and_records_why(courts, q1, bureau_head):
    q1_period = parse_period("2026Q1")
    snapshots.snapshot(as_of=D(2026, 4, 1), chosen=[q1_period])
    build_case(courts["court"], filed_on=D(2026, 1, 20), closed_on=D(2026, 3, 20), closing_type="performed",
               performed_fen=1_000_000)
    run, results = snapshots.recompute(chosen=[q1_period], reason="补录3月结案", as_of=D(2026, 4, 2), actor=bureau_head)
    assert closure(courts["court"], "2026Q1") == (7, 10)
    assert run.kind == RunKind.RECOMPUTE and run.reason == "补录3月结案" and run.actor == bureau_head
    assert run.changed > 0 and results[0].changed == run.changed


def test_recompute_needs_a_reason_and_a_period():
    with pytest.raises(ValidationFailed) as refused:
        snapshots.recompute(chosen=[], reason=" ")
    assert {e.field for e in refused.value.errors} == {"period", "reason"}


def test_a_free_range_is_never_kept():
    with pytest.raises(ValidationFailed):
        snapshots.snapshot(chosen=[parse_period("2026-01-01~2026-01-31")])


def test_a_running_period_is_rewritten_each_night_until_final(courts, q1):
    march = parse_period("2026-03")
    snapshots.snapshot(as_of=D(2026, 3, 15), chosen=[march])
    assert not SnapshotPeriod.objects.get(grain=Grain.MONTH, start=D(2026, 3, 1)).final
    # open on 03-01 or filed since: c3, c4, c5, c11, c12; closed by 03-15: c4 (03-01)
    assert closure(courts["court"], "2026-03") == (1, 5)
    snapshots.snapshot(as_of=D(2026, 4, 1), chosen=[march])
    kept = SnapshotPeriod.objects.get(grain=Grain.MONTH, start=D(2026, 3, 1))
    assert kept.final and kept.as_of == D(2026, 4, 1)
    assert closure(courts["court"], "2026-03") == (2, 5)  # and c3, closed 03-31


def test_the_command_runs_nightly_and_recompute(courts, q1):
    out = io.StringIO()
    call_command("indicators", "snapshot", "--period", "2026Q1", "--as-of", "2026-06-15", stdout=out)
    assert "2026Q1" in out.getvalue() and closure(courts["court"], "2026Q1") == (6, 9)
    out = io.StringIO()
    call_command("indicators", "snapshot", "--period", "2026Q1", "--as-of", "2026-06-16", stdout=out)
    assert "已定稿，跳过" in out.getvalue()
    with pytest.raises(CommandError, match="理由"):
        call_command("indicators", "recompute", "--period", "2026Q1")
    call_command("indicators", "recompute", "--period", "2026Q1", "--reason", "核对", stdout=io.StringIO())
    assert SnapshotRun.objects.filter(kind=RunKind.RECOMPUTE, reason="核对").exists()


def test_the_command_refuses_a_bad_period(db):
    with pytest.raises(CommandError, match="无法识别期间"):
        call_command("indicators", "snapshot", "--period", "2026-13x")


def test_the_default_nightly_run_backfills_two_years(courts, q1):
    run, results = snapshots.snapshot(as_of=D(2026, 6, 15))
    kept = set(SnapshotPeriod.objects.values_list("grain", flat=True))
    assert kept == {Grain.MONTH, Grain.QUARTER, Grain.YEAR}
    assert SnapshotPeriod.objects.filter(grain=Grain.MONTH).count() == 24
    # the second night only rewrites the running and not-yet-final periods
    run, results = snapshots.snapshot(as_of=D(2026, 6, 16))
    assert sorted(r.period.key for r in results if not r.skipped) == ["2026", "2026-06", "2026Q2"]
