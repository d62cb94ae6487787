"""Computing the indicators set-based: one aggregate query per source (cases, petitions, reviews),
grouped by court, team and handler, whatever the number of cases — never a loop over cases.

`tally(window, …)` returns every measure of every group; `figures(tally, level)` rolls the groups up to
courts, teams or handlers and turns measures into indicator values. 终本合格率 comes from the closing
app's sample review (read defensively: without it the indicator says 无抽查数据).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum

from .choices import Level
from .facts import SOURCES, Window
from .periods import Period
from .rules import INDICATOR_LIST, INDICATORS, Indicator, Measure

logger = logging.getLogger(__name__)

GroupKey = tuple[int, int | None, int | None]  # (court_id, team_id, handler_id)
VALUE_PLACES = Decimal("0.0001")


def window_for(period: Period, as_of: dt.date) -> Window:
    return Window(period.start, period.effective_end(as_of), period.three_year_start(as_of))


def _measures() -> dict[str, list[Measure]]:
    by_source: dict[str, dict[str, Measure]] = defaultdict(dict)
    for indicator in INDICATOR_LIST:
        for measure in (indicator.numerator, indicator.denominator):
            by_source[measure.source][measure.key] = measure
    return {source: list(measures.values()) for source, measures in by_source.items()}


MEASURES = _measures()


def _alias(measure: Measure) -> str:
    return "m_" + measure.key.replace(".", "__")


@dataclass
class Tally:
    """Measure values by group. `zhongben`: (passed, reviewed) per court, or None without sample data."""

    window: Window
    groups: dict[GroupKey, dict[str, int]] = field(default_factory=dict)
    zhongben: dict[int, tuple[int, int]] | None = None
    zhongben_note: str = ""

    def add(self, key: GroupKey, measure_key: str, amount: int) -> None:
        if amount:
            counts = self.groups.setdefault(key, {})
            counts[measure_key] = counts.get(measure_key, 0) + amount


def tally(window: Window, *, court_ids: list[int] | None = None, team_id: int | None = None,
          handler_id: int | None = None) -> Tally:
    """Every measure for the groups in scope (court_ids None: every court): one aggregate query per source."""
    result = Tally(window)
    if connection.vendor == "postgresql":
        with transaction.atomic():
            _roomy_hash_tables()
            _tally_sources(result, window, court_ids, team_id, handler_id)
    else:  # no transaction: on SQLite (BEGIN IMMEDIATE) it would hold the write lock for the scan
        _tally_sources(result, window, court_ids, team_id, handler_id)
    if team_id is None and handler_id is None:
        result.zhongben, result.zhongben_note = zhongben_counts(window, court_ids)
    return result


# A case's nodes and disclosures are tested with `id IN (SELECT case_id …)` (facts.py). PostgreSQL
# hashes that list once only if it fits in work_mem; a million cases' nodes (~500,000 ids, ~20 MB)
# do not fit the default 4 MB, and it then rescans the list for every case: minutes instead of
# seconds (benchmarks/indicators.py). So these queries, and only they, get more room.
WORK_MEM = "64MB"


def _roomy_hash_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")


def _tally_sources(result: Tally, window: Window, court_ids, team_id, handler_id) -> None:
    for name, source in SOURCES.items():
        measures = MEASURES.get(name, [])
        if not measures:
            continue
        aggregates = {}
        for measure in measures:
            condition = source.facts[measure.fact](window)
            if measure.total:
                aggregates[_alias(measure)] = Sum(source.totals[measure.total], filter=condition)
            elif source.distinct:
                aggregates[_alias(measure)] = Count(source.distinct, filter=condition, distinct=True)
            else:
                aggregates[_alias(measure)] = Count("pk", filter=condition)
        rows = source.scoped(source.base(window), court_ids=court_ids, team_id=team_id, handler_id=handler_id)
        keys = ("court_id", source.team_path, source.handler_path)
        grouped = rows.order_by().values(*keys).annotate(**aggregates)
        for row in _fetch(grouped, whole_table=court_ids is None and source.name.startswith("cases")):
            key = (row[keys[0]], row[keys[1]], row[keys[2]])
            for measure in measures:
                result.add(key, measure.key, int(row[_alias(measure)] or 0))


def _fetch(grouped, *, whole_table: bool) -> list[dict]:
    """The grouped rows. Over every court, SQLite is told to read the case table straight through
    (NOT INDEXED): left to itself it walks the (court, team) index for the GROUP BY and then fetches
    each case row out of order, which was half again as slow on a million cases (benchmarks/indicators.py)."""
    if not whole_table or connection.vendor != "sqlite":
        return list(grouped)
    sql, params = grouped.query.sql_with_params()
    table = f'FROM "{grouped.model._meta.db_table}"'
    if sql.count(table) != 1:  # a shape this hint was not written for: leave it to the planner
        return list(grouped)
    with connection.cursor() as cursor:
        cursor.execute(sql.replace(table, f"{table} NOT INDEXED"), params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ---------------------------------------------------------------- 终本合格率 from the closing app


def _pair(answer) -> tuple[int, int] | None:
    """(passed, reviewed) out of the closing app's answer (its PassRate: the rate is over the reviewed
    part of the sample, pending items excluded), or of a plain (passed, reviewed) pair."""
    if answer is None:
        return None
    if isinstance(answer, tuple | list) and len(answer) == 2:
        return int(answer[0]), int(answer[1])
    for passed, reviewed in (("passed", "reviewed"), ("numerator", "denominator"), ("passed", "sampled")):
        if isinstance(answer, dict) and passed in answer and reviewed in answer:
            return int(answer[passed]), int(answer[reviewed])
        if hasattr(answer, passed) and hasattr(answer, reviewed):
            return int(getattr(answer, passed)), int(getattr(answer, reviewed))
    raise TypeError(f"unexpected answer {type(answer).__name__}")


def closing_selectors():
    """The closing app's selectors module, or None where the app is not installed (read defensively:
    it is built alongside this one and a court may run without it)."""
    from django.apps import apps

    if not apps.is_installed("zhixing.closing"):
        return None
    try:
        from zhixing.closing import selectors
    except ImportError:
        return None
    return selectors


def zhongben_counts(window: Window, court_ids: list[int] | None) -> tuple[dict[int, tuple[int, int]] | None, str]:
    """Per court (passed, reviewed) of the 终本 sample review closed in the window, or None and why not."""
    selectors = closing_selectors()
    if selectors is None or not hasattr(selectors, "zhongben_pass_rate"):
        return None, "终本抽查模块未启用：终本合格率无抽查数据"
    counts: dict[int, tuple[int, int]] = {}
    try:
        if hasattr(selectors, "zhongben_pass_rates_by_court"):  # one grouped query
            answers = selectors.zhongben_pass_rates_by_court(court_ids, window.start, window.end)
            pairs = {court_id: _pair(answer) for court_id, answer in answers.items()}
        else:
            from zhixing.courts.models import Court

            ids = list(court_ids) if court_ids is not None else list(Court.objects.values_list("pk", flat=True))
            pairs = {court_id: _pair(selectors.zhongben_pass_rate([court_id], window.start, window.end))
                     for court_id in ids}
        counts = {court_id: pair for court_id, pair in pairs.items() if pair and pair[1]}
    except Exception as exc:  # another app's failure must not take the indicator pages down
        logger.warning("zhongben_pass_rate failed: %s", exc)
        return None, f"终本抽查数据读取失败（{exc}）：终本合格率无抽查数据"
    return counts, "" if counts else "期间内无已评查的终本抽查案件：终本合格率无抽查数据"


def zhongben_case_ids(window: Window, court_ids: list[int], *, passed_only: bool):
    """The cases behind 终本合格率 (passed, or every reviewed one) as a subquery of case ids, read from
    the closing app's sample items exactly as its zhongben_pass_rate counts them (closing date in the
    window; reviewed = not pending); None where the closing app is not installed."""
    if closing_selectors() is None:
        return None
    try:
        from zhixing.closing.choices import Verdict
        from zhixing.closing.models import SampleItem
    except ImportError:
        return None
    items = SampleItem.objects.filter(court_id__in=court_ids, closed_on__gte=window.start, closed_on__lte=window.end)
    items = items.filter(verdict=Verdict.PASS) if passed_only else items.exclude(verdict=Verdict.PENDING)
    return items.values("case_id")


# ---------------------------------------------------------------- roll-up and values


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        return indicator_value(self.indicator, self.numerator, self.denominator)

    @property
    def has_data(self) -> bool:
        return self.denominator > 0


def indicator_value(indicator: Indicator, numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * indicator.scale / Decimal(denominator)).quantize(VALUE_PLACES, ROUND_HALF_UP)


def scope_key(level: str, key: GroupKey) -> tuple[int, int] | None:
    """(court_id, scope_id) a group rolls up into at `level`; None: not counted at that level
    (cases without a team, or without a handler, count for their court only)."""
    court_id, team_id, handler_id = key
    if level == Level.COURT:
        return court_id, court_id
    scope_id = team_id if level == Level.TEAM else handler_id
    return None if scope_id is None else (court_id, scope_id)


def measures_by_scope(result: Tally, level: str) -> dict[tuple[int, int], dict[str, int]]:
    scopes: dict[tuple[int, int], dict[str, int]] = {}
    for key, counts in result.groups.items():
        target = scope_key(level, key)
        if target is None:
            continue
        into = scopes.setdefault(target, {})
        for measure_key, amount in counts.items():
            into[measure_key] = into.get(measure_key, 0) + amount
    if level == Level.COURT and result.zhongben:
        for court_id, (passed, reviewed) in result.zhongben.items():
            into = scopes.setdefault((court_id, court_id), {})
            into["zhongben.passed"], into["zhongben.reviewed"] = passed, reviewed
    return scopes


def figures_of(measures: dict[str, int], level: str, codes: Iterable[str] | None = None) -> dict[str, Figure]:
    """Indicator figures from one scope's measures; indicators not kept at `level` are left out."""
    figures = {}
    for code in codes or INDICATORS:
        indicator = INDICATORS[code]
        if level not in indicator.levels:
            continue
        figures[code] = Figure(indicator, measures.get(indicator.numerator.key, 0),
                               measures.get(indicator.denominator.key, 0))
    return figures


def figures(result: Tally, level: str) -> dict[tuple[int, int], dict[str, Figure]]:
    """{(court_id, scope_id): {indicator code: Figure}} for every scope at `level`."""
    return {scope: figures_of(measures, level) for scope, measures in measures_by_scope(result, level).items()}


def combined(result: Tally, court_ids: Iterable[int] | None = None) -> dict[str, int]:
    """The measures of several courts added up (a region: an intermediate court and those below it)."""
    wanted = None if court_ids is None else set(court_ids)
    total: dict[str, int] = {}
    for (court_id, _scope), measures in measures_by_scope(result, Level.COURT).items():
        if wanted is None or court_id in wanted:
            for measure_key, amount in measures.items():
                total[measure_key] = total.get(measure_key, 0) + amount
    return total
