"""Reads of the indicators for the pages, the API, the exports and the big screen.

Visibility is applied once, here, as on the case pages: staff see their own court, a higher court's
supervisor the courts below it (cases.selectors.visible_court_ids); another court or team is a
NotFound. Figures come from the snapshots when the period has one, else are computed live (a free
date range always is); every figure can be opened as the list of rows behind it (`drilldown`),
filtered by the very condition that counted it (facts.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet, Sum

from zhixing.accounts.models import User
from zhixing.cases.exceptions import FieldError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.models import Court, Team

from . import engine, periods
from .choices import Direction, Grain, Level
from .engine import Figure
from .facts import SOURCES, DaysBetween
from .models import IndicatorSnapshot, SnapshotPeriod
from .periods import Period
from .rules import INDICATORS, Indicator, Measure
from .scorecard import Scorecard, scorecard_for

LIVE_NOTE = "该期间尚无快照，数值为实时计算"
RUNNING_NOTE = "期间尚未结束，数值截至 {as_of}，为临时数"

# ---------------------------------------------------------------- scope


@dataclass
class Scope:
    """Whose figures: one court (or, `region`, it and the visible courts below it), one of its teams,
    or one of its handlers."""

    court: Court
    choices: list[Court]
    court_ids: list[int]
    region: bool = False
    team: Team | None = None
    handler: User | None = None

    @property
    def level(self) -> str:
        if self.handler is not None:
            return Level.HANDLER
        return Level.TEAM if self.team is not None else Level.COURT

    @property
    def label(self) -> str:
        if self.handler is not None:
            return f"{self.court.name} · 承办人 {self.handler.display_name}"
        if self.team is not None:
            return f"{self.court.name} · {self.team.name}"
        return f"{self.court.name}（含辖区法院）" if self.region else self.court.name

    @property
    def params(self) -> dict[str, object]:
        """The query parameters that name this scope (for links)."""
        params: dict[str, object] = {"court": self.court.pk}
        if self.region:
            params["region"] = 1
        if self.team is not None:
            params["team"] = self.team.pk
        if self.handler is not None:
            params["handler"] = self.handler.pk
        return params

    @property
    def can_have_region(self) -> bool:
        return len(self.court_ids_below) > 1

    @property
    def court_ids_below(self) -> list[int]:
        return [pk for pk in self.court.descendant_ids() if pk in {c.pk for c in self.choices}]


def scope_for(user: User, *, court_id: int | None = None, team_id: int | None = None,
              handler_id: int | None = None, region: bool = False) -> Scope:
    visible = visible_court_ids(user)
    if visible is not None and not visible:
        raise NotAllowed("您的账号未关联法院，不能查看质效指标")
    courts = Court.objects.order_by("court_code")
    choices = list(courts if visible is None else courts.filter(pk__in=visible))
    wanted = court_id if court_id is not None else user.court_id
    court = next((c for c in choices if c.pk == wanted), None)
    if court is None and court_id is None and choices:
        court = choices[0]
    if court is None:
        raise NotFound("法院不存在")
    scope = Scope(court=court, choices=choices, court_ids=[court.pk])
    if team_id is not None:
        scope.team = Team.objects.filter(pk=team_id, court=court).first()
        if scope.team is None:
            raise NotFound("团队不存在")
    if handler_id is not None:
        scope.handler = User.objects.filter(pk=handler_id, court=court).first()
        if scope.handler is None:
            raise NotFound("承办人不存在")
    if region and scope.team is None and scope.handler is None:
        below = scope.court_ids_below
        if len(below) > 1:
            scope.region, scope.court_ids = True, below
    return scope


def teams_of(scope: Scope) -> list[Team]:
    return list(Team.objects.filter(court=scope.court).order_by("-active", "name"))


def handlers_of(scope: Scope) -> list[User]:
    return list(User.objects.filter(court=scope.court, is_active=True).exclude(role="").order_by("full_name", "pk"))


# ---------------------------------------------------------------- periods


def period_from(text: str | None, *, start: dt.date | None = None, end: dt.date | None = None,
                today: dt.date | None = None) -> Period:
    """The period asked for: a key ('2026Q1'), or a range (start, end), else the running year."""
    if start or end:
        if not (start and end):
            raise ValidationFailed([FieldError("period", "自定义期间须同时填写开始日与结束日")])
        return periods.date_range(start, end)
    if text:
        return periods.parse_period(text)
    return periods.containing(today or periods.today(), Grain.YEAR)


def period_choices(today: dt.date, months: int = 12) -> list[Period]:
    """Recent periods for the period picker: the years, quarters and months up to today."""
    found: list[Period] = []
    for y in (today.year, today.year - 1, today.year - 2):
        found.append(periods.year(y))
    quarter = periods.containing(today, Grain.QUARTER)
    for _ in range(6):
        found.append(quarter)
        quarter = quarter.previous()
    found.extend(reversed(periods.months_back(today, months)))
    return found


# ---------------------------------------------------------------- figures of one scope


@dataclass
class Board:
    scope: Scope
    period: Period
    as_of: dt.date
    figures: dict[str, Figure]
    snapshot: SnapshotPeriod | None
    notes: list[str] = field(default_factory=list)
    _card: Scorecard | None = None

    @property
    def source(self) -> str:
        return "snapshot" if self.snapshot is not None else "live"

    @property
    def scorecard(self) -> Scorecard:
        if self._card is None:
            self._card = scorecard_for(self.scope.court, self.figures)
        return self._card

    def figure(self, code: str) -> Figure:
        return self.figures[code]


def _kept(period: Period) -> SnapshotPeriod | None:
    if not period.snapshotted:
        return None
    return SnapshotPeriod.objects.filter(grain=period.grain, start=period.start).first()


def _figures_from_sums(sums: dict[str, tuple[int, int]], level: str) -> dict[str, Figure]:
    return {code: Figure(indicator, *sums.get(code, (0, 0))) for code, indicator in INDICATORS.items()
            if level in indicator.levels}


def _snapshot_rows(sp: SnapshotPeriod, scope: Scope) -> QuerySet[IndicatorSnapshot]:
    rows = IndicatorSnapshot.objects.filter(period=sp, level=scope.level, court_id__in=scope.court_ids)
    if scope.level == Level.TEAM:
        rows = rows.filter(scope_id=scope.team.pk)
    elif scope.level == Level.HANDLER:
        rows = rows.filter(scope_id=scope.handler.pk)
    return rows


def _live_tally(scope: Scope, period: Period, as_of: dt.date) -> engine.Tally:
    return engine.tally(
        engine.window_for(period, as_of), court_ids=scope.court_ids,
        team_id=scope.team.pk if scope.team else None, handler_id=scope.handler.pk if scope.handler else None,
    )


def board(scope: Scope, period: Period, *, today: dt.date | None = None) -> Board:
    today = today or periods.today()
    sp = _kept(period)
    notes = []
    if sp is not None:
        sums = {row["indicator"]: (row["n"], row["d"]) for row in _snapshot_rows(sp, scope).values("indicator")
                .annotate(n=Sum("numerator"), d=Sum("denominator")).order_by()}
        figures, as_of = _figures_from_sums(sums, scope.level), sp.as_of
    else:
        result = _live_tally(scope, period, today)
        figures, as_of = engine.figures_of(engine.combined(result), scope.level), today
        if period.snapshotted:
            notes.append(LIVE_NOTE)
        if result.zhongben_note and scope.level == Level.COURT:
            notes.append(result.zhongben_note)
    if not period.is_final(as_of):
        notes.append(RUNNING_NOTE.format(as_of=as_of.isoformat()))
    figure = figures.get("termination_quality_rate")
    if figure is not None and not figure.denominator and not any("终本" in n for n in notes):
        notes.append("终本合格率：无抽查数据")
    return Board(scope, period, as_of, figures, sp, notes)


# ---------------------------------------------------------------- breakdown by court, team or handler


@dataclass
class Row:
    """One court, team or handler of a breakdown or ranking."""

    level: str
    scope_id: int
    court_id: int
    name: str
    figures: dict[str, Figure]
    visible: bool = True
    scorecard: Scorecard | None = None

    @property
    def params(self) -> dict[str, object]:
        if self.level == Level.COURT:
            return {"court": self.scope_id}
        return {"court": self.court_id, self.level: self.scope_id}


def _names(level: str, ids: set[int]) -> dict[int, str]:
    if level == Level.COURT:
        return dict(Court.objects.filter(pk__in=ids).values_list("pk", "name"))
    if level == Level.TEAM:
        return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids).only("pk", "full_name", "username")}


def _level_figures(court_ids: list[int], level: str, period: Period, today: dt.date
                   ) -> tuple[dict[tuple[int, int], dict[str, Figure]], SnapshotPeriod | None, dt.date]:
    sp = _kept(period)
    if sp is not None:
        sums: dict[tuple[int, int], dict[str, tuple[int, int]]] = defaultdict(dict)
        rows = IndicatorSnapshot.objects.filter(period=sp, level=level, court_id__in=court_ids)
        for court_id, scope_id, code, n, d in rows.values_list("court_id", "scope_id", "indicator", "numerator",
                                                               "denominator"):
            sums[(court_id, scope_id)][code] = (n, d)
        return {key: _figures_from_sums(s, level) for key, s in sums.items()}, sp, sp.as_of
    result = engine.tally(engine.window_for(period, today), court_ids=court_ids)
    return engine.figures(result, level), None, today


def breakdown(scope: Scope, period: Period, by: str, *, today: dt.date | None = None
              ) -> tuple[list[Row], SnapshotPeriod | None, dt.date]:
    """Each court of a region, or each team or handler of the scope's court, with its figures."""
    today = today or periods.today()
    if by not in Level.values:
        raise ValidationFailed([FieldError("by", "分组应为 court（法院）、team（团队）或 handler（承办人）")])
    court_ids = scope.court_ids if by == Level.COURT else [scope.court.pk]
    found, sp, as_of = _level_figures(court_ids, by, period, today)
    names = _names(by, {scope_id for _court, scope_id in found})
    rows = [Row(by, scope_id, court_id, names.get(scope_id, f"#{scope_id}"), figures)
            for (court_id, scope_id), figures in found.items()]
    if by == Level.COURT:  # courts without a figure still get a row
        listed = {r.scope_id for r in rows}
        empty = _figures_from_sums({}, Level.COURT)
        rows += [Row(by, c.pk, c.pk, c.name, empty) for c in scope.choices if c.pk in court_ids and c.pk not in listed]
    rows.sort(key=lambda r: r.name)
    return rows, sp, as_of


# ---------------------------------------------------------------- ranking of the courts under an intermediate court


def sort_key(indicator: Indicator | None, row: Row):
    """Best first; rows without a value last."""
    if indicator is None:
        total = row.scorecard.total if row.scorecard else None
        return (total is None, -(total or 0), row.name)
    value = row.figures[indicator.code].value if indicator.code in row.figures else None
    signed = (value or 0) if indicator.direction == Direction.LOWER else -(value or 0)
    return (value is None, signed, row.name)


def ranking(user: User, period: Period, *, court_id: int | None = None, indicator: str = "",
            today: dt.date | None = None) -> tuple[Court, list[Court], list[Row], SnapshotPeriod | None, dt.date]:
    """The basic courts under an intermediate court, best first by `indicator` (or the scorecard
    total). Who may compare: as supervision's side-by-side page (supervision.rebalancing); the
    figures are aggregates, and only the courts the user may see link to their cases."""
    from zhixing.supervision.rebalancing import balancing_court_for

    if indicator and indicator not in INDICATORS:
        raise ValidationFailed([FieldError("indicator", f"未知指标 {indicator}")])
    intermediate, choices = balancing_court_for(user, court_id=court_id)
    courts = list(Court.objects.filter(parent=intermediate).order_by("court_code"))
    found, sp, as_of = _level_figures([c.pk for c in courts], Level.COURT, period, today or periods.today())
    visible = visible_court_ids(user)
    empty = _figures_from_sums({}, Level.COURT)
    rows = []
    for court in courts:
        row = Row(Level.COURT, court.pk, court.pk, court.name, found.get((court.pk, court.pk), empty),
                  visible=visible is None or court.pk in visible)
        row.scorecard = scorecard_for(court, row.figures)
        rows.append(row)
    rows.sort(key=lambda r: sort_key(INDICATORS.get(indicator), r))
    return intermediate, choices, rows, sp, as_of


# ---------------------------------------------------------------- trends


@dataclass
class Trend:
    months: list[Period]
    series: dict[str, list[Figure]]  # indicator code → one figure per month
    live_months: list[str]


def trend(scope: Scope, codes: list[str], *, months: int = 12, today: dt.date | None = None) -> Trend:
    """Month by month over the last `months` months, from the snapshots; a month without one is computed live."""
    today = today or periods.today()
    unknown = [c for c in codes if c not in INDICATORS]
    if unknown:
        raise ValidationFailed([FieldError("indicator", f"未知指标 {'、'.join(unknown)}")])
    span = periods.months_back(today, months)
    kept = {sp.start: sp for sp in SnapshotPeriod.objects.filter(grain=Grain.MONTH, start__in=[p.start for p in span])}
    sums: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    if kept:
        rows = IndicatorSnapshot.objects.filter(period__in=kept.values(), level=scope.level,
                                                court_id__in=scope.court_ids, indicator__in=codes)
        if scope.level != Level.COURT:
            rows = rows.filter(scope_id=(scope.team or scope.handler).pk)
        for row in rows.values("period_id", "indicator").annotate(n=Sum("numerator"), d=Sum("denominator")).order_by():
            sums[row["period_id"]][row["indicator"]] = (row["n"], row["d"])
    series: dict[str, list[Figure]] = {code: [] for code in codes}
    live = []
    for month in span:
        sp = kept.get(month.start)
        if sp is not None:
            month_sums = sums.get(sp.pk, {})
            for code in codes:
                series[code].append(Figure(INDICATORS[code], *month_sums.get(code, (0, 0))))
        else:
            live.append(month.key)
            measures = engine.combined(_live_tally(scope, month, today))
            for code in codes:
                indicator = INDICATORS[code]
                series[code].append(Figure(indicator, measures.get(indicator.numerator.key, 0),
                                           measures.get(indicator.denominator.key, 0)))
    return Trend(span, series, live)


# ---------------------------------------------------------------- drill-down: the rows behind a number


@dataclass
class Drill:
    indicator: Indicator
    measure: Measure
    part: str  # numerator / denominator
    kind: str  # cases / petitions
    rows: QuerySet

    @property
    def total_field(self) -> str:
        return self.measure.total

    def value(self) -> int:
        """What the rows add up to: their number, or the sum of the measured column."""
        if self.measure.total:
            return int(self.rows.aggregate(total=Sum(self.measure.total))["total"] or 0)
        return self.rows.count()


PARTS = {"numerator": "分子", "denominator": "分母"}


def drilldown(scope: Scope, period: Period, code: str, part: str, *, as_of: dt.date | None = None) -> Drill:
    """The rows an indicator's numerator (or denominator) counted, for the scope and period."""
    indicator = INDICATORS.get(code)
    if indicator is None:
        raise ValidationFailed([FieldError("indicator", f"未知指标 {code}")])
    if part not in PARTS:
        raise ValidationFailed([FieldError("part", "应为 numerator（分子）或 denominator（分母）")])
    if scope.level not in indicator.levels:
        raise ValidationFailed([FieldError("indicator", f"{indicator.name}只按法院统计")])
    measure = indicator.numerator if part == "numerator" else indicator.denominator
    window = engine.window_for(period, as_of or periods.today())
    if measure.source == "zhongben":
        case_ids = engine.zhongben_case_ids(window, scope.court_ids, passed_only=part == "numerator")
        if case_ids is None:
            raise NotFound("终本抽查模块未启用：终本合格率无抽查数据，没有可列的案件")
        rows = EnforcementCase.objects.filter(pk__in=case_ids).select_related("court", "team", "handler")
        return Drill(indicator, measure, part, "cases", rows.order_by("-closed_on", "-id"))
    source = SOURCES[measure.source]
    rows = source.base(window).filter(source.facts[measure.fact](window))
    rows = source.scoped(rows, court_ids=scope.court_ids, team_id=scope.team.pk if scope.team else None,
                         handler_id=scope.handler.pk if scope.handler else None)
    if measure.source == "petitions":
        rows = rows.select_related("case", "court").order_by("-received_on", "-id")
        return Drill(indicator, measure, part, "petitions", rows)
    if measure.source == "reviews":  # cases, each once, however many decisions it had
        rows = EnforcementCase.objects.filter(pk__in=rows.values("case_id"))
    rows = rows.select_related("court", "team", "handler").order_by("-closed_on", "-filed_on", "-id")
    if measure.total == "days":
        rows = rows.annotate(days=DaysBetween("filed_on", "closed_on"))
    return Drill(indicator, measure, part, "cases", rows)

