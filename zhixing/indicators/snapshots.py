"""Nightly snapshots of the indicators (`zhixing indicators snapshot`) and their recomputation
(`zhixing indicators recompute`). The pages read snapshots, so they load fast and a past period shows
the same figures tomorrow as today.

A month, quarter or year is written by every nightly run while it is running and once more after it
ends (then it is `final`); from then on the nightly run leaves it alone. `recompute` replaces a
period's figures on purpose — after a correction of old records — with the operator's reason, and
counts how many figures changed. Both are idempotent: run twice, the second writes the same rows.
Two runs at once: each period is claimed by a row lock on its SnapshotPeriod, so they take turns.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.exceptions import FieldError, ValidationFailed

from . import engine, periods
from .choices import Grain, Level, RunKind
from .models import IndicatorSnapshot, SnapshotPeriod, SnapshotRun
from .periods import Period

BACKFILL_MONTHS = 24  # the first run (and any gap) fills two years of months, quarters and years: the trends


@dataclass
class PeriodResult:
    period: Period
    written: int = 0
    changed: int = 0
    skipped: bool = False
    seconds: float = 0.0


def nightly_periods(as_of: dt.date, existing: set[tuple[str, dt.date]]) -> list[Period]:
    """What a nightly run writes: the running month, quarter and year; the previous ones until they
    are final; and any period of the last BACKFILL_MONTHS months never written."""
    wanted: dict[tuple[str, dt.date], Period] = {}
    for grain in (Grain.MONTH, Grain.QUARTER, Grain.YEAR):
        current = periods.containing(as_of, grain)
        for period in (current, current.previous()):
            wanted[(period.grain, period.start)] = period
    first = periods.add_months(periods.containing(as_of, Grain.MONTH).start, -(BACKFILL_MONTHS - 1))
    for period in periods.periods_since(first, as_of):
        if (period.grain, period.start) not in existing:
            wanted[(period.grain, period.start)] = period
    return sorted(wanted.values(), key=lambda p: (p.start, p.end))


ROW_COLUMNS = ("period_id", "level", "scope_id", "court_id", "team_id", "handler_id", "indicator", "numerator",
               "denominator", "value")


def _rows(result: engine.Tally, period_id: int) -> list[tuple]:
    """The rows of a period as tuples in ROW_COLUMNS order (thousands per period: written with one
    executemany, not as model instances)."""
    rows = []
    for level in (Level.COURT, Level.TEAM, Level.HANDLER):
        for (court_id, scope_id), figures in engine.figures(result, level).items():
            for code, figure in figures.items():
                if not figure.numerator and not figure.denominator:
                    continue  # read back as 0/0: no data
                rows.append((period_id, level, scope_id, court_id, scope_id if level == Level.TEAM else None,
                             scope_id if level == Level.HANDLER else None, code, figure.numerator,
                             figure.denominator, figure.value))
    return rows


def _write(rows: list[tuple]) -> None:
    table = IndicatorSnapshot._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join(['%s'] * len(ROW_COLUMNS))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start:start + 5000])


def _claim(period: Period, as_of: dt.date, run: SnapshotRun) -> SnapshotPeriod:
    """The period's row, locked for this transaction (created if new)."""
    found = SnapshotPeriod.objects.select_for_update().filter(grain=period.grain, start=period.start).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return SnapshotPeriod.objects.create(grain=period.grain, start=period.start, end=period.end, as_of=as_of,
                                                 computed_at=timezone.now(), run=run)
    except IntegrityError:  # another run created it a moment ago: wait for its lock
        return SnapshotPeriod.objects.select_for_update().get(grain=period.grain, start=period.start)


def snapshot_period(period: Period, *, as_of: dt.date, run: SnapshotRun, force: bool) -> PeriodResult:
    """Compute and store one period (all courts, teams and handlers), unless it is final and not forced.

    The figures are computed before the transaction: on SQLite a transaction holds the database's
    write lock, and clerks registering cases must not wait for a scan of every case."""
    started = time.perf_counter()
    outcome = PeriodResult(period)
    if not force and SnapshotPeriod.objects.filter(grain=period.grain, start=period.start, final=True).exists():
        outcome.skipped = True
        return outcome
    result = engine.tally(engine.window_for(period, as_of))
    with transaction.atomic():
        sp = _claim(period, as_of, run)
        if sp.final and not force:  # another run finished it meanwhile
            outcome.skipped = True
            return outcome
        rows = _rows(result, sp.pk)
        kept = IndicatorSnapshot.objects.filter(period=sp)
        before = {(level, scope_id, code): (n, d) for level, scope_id, code, n, d
                  in kept.values_list("level", "scope_id", "indicator", "numerator", "denominator")}
        after = {(r[1], r[2], r[6]): (r[7], r[8]) for r in rows}
        outcome.changed = sum(1 for key in before.keys() | after.keys() if before.get(key) != after.get(key))
        kept.delete()  # derived rows; the run records the change
        _write(rows)
        sp.end, sp.as_of, sp.final = period.end, as_of, period.is_final(as_of)
        sp.computed_at, sp.run = timezone.now(), run
        sp.save(update_fields=["end", "as_of", "final", "computed_at", "run"])
        outcome.written = len(rows)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _run(kind: str, as_of: dt.date, chosen: Iterable[Period], *, force: bool, actor: User | None,
         reason: str) -> tuple[SnapshotRun, list[PeriodResult]]:
    run = SnapshotRun.objects.create(kind=kind, as_of=as_of, started_at=timezone.now(), actor=actor, reason=reason)
    results = [snapshot_period(period, as_of=as_of, run=run, force=force) for period in chosen]
    written = [r for r in results if not r.skipped]
    run.periods = "、".join(r.period.key for r in written)[:2000]
    run.rows = sum(r.written for r in written)
    run.changed = sum(r.changed for r in written)
    run.finished_at = timezone.now()
    run.save(update_fields=["periods", "rows", "changed", "finished_at"])
    return run, results


def snapshot(*, as_of: dt.date | None = None, chosen: list[Period] | None = None,
             actor: User | None = None) -> tuple[SnapshotRun, list[PeriodResult]]:
    """The nightly run: the periods of `nightly_periods`, or those chosen; a final period is skipped."""
    as_of = as_of or periods.today()
    _refuse_ranges(chosen or [])
    if chosen is None:
        existing = set(SnapshotPeriod.objects.values_list("grain", "start"))
        chosen = nightly_periods(as_of, existing)
    return _run(RunKind.NIGHTLY, as_of, chosen, force=False, actor=actor, reason="")


def recompute(*, chosen: list[Period], reason: str, as_of: dt.date | None = None,
              actor: User | None = None) -> tuple[SnapshotRun, list[PeriodResult]]:
    """Replace the figures of the chosen periods, final or not, recording why."""
    errors = []
    if not chosen:
        errors.append(FieldError("period", "请指定要重新计算的期间（如 2026-03、2026Q1、2026）"))
    if not reason.strip():
        errors.append(FieldError("reason", "重新计算须写明理由（已定稿期间的数值将被替换）"))
    if errors:
        raise ValidationFailed(errors)
    _refuse_ranges(chosen)
    return _run(RunKind.RECOMPUTE, as_of or periods.today(), chosen, force=True, actor=actor, reason=reason.strip())


def _refuse_ranges(chosen: list[Period]) -> None:
    ranges = [p.key for p in chosen if not p.snapshotted]
    if ranges:
        raise ValidationFailed([FieldError("period", f"自定义期间（{'、'.join(ranges)}）不保存快照，页面上实时计算")])
