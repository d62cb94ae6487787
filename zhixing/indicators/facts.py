"""Each fact an indicator counts, defined once as a condition on database rows for a window of dates.

engine.py counts (or sums) every fact of a source in one aggregate query grouped by court, team and
handler; selectors.drilldown filters the same source by the same condition to list the rows behind
a number. One definition, two uses: the list always adds up to the figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F, FilteredRelation, Func, IntegerField, Q, QuerySet
from django.db.models.functions import Coalesce

from zhixing.cases.choices import ClosingType
from zhixing.cases.models import EnforcementCase, NodeRecord

from .choices import ReviewKind, ReviewOutcome
from .models import ConductReview, Disclosure, Petition
from .rules import IMPLEMENTATION_TYPES, MEASURE_NODES, PROCEDURAL_CLOSINGS, PROPERTY_EVIDENCE_NODES

# The statutory period of supervision (close_period: 6 months, pauses and approved extensions counted).
LEGAL_PERIOD_RULE = "close_period"


@dataclass(frozen=True)
class Window:
    """The dates a computation counts: [start, end] and the first filing date of 近三年."""

    start: dt.date
    end: dt.date
    three_year_start: dt.date


class DaysBetween(Func):
    """Calendar days from one date column to another, as an integer, on SQLite and PostgreSQL."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: date − date is an integer
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        return f"({end} - {start})", [*end_params, *start_params]

    def as_sqlite(self, compiler, connection, **extra):
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)", [*end_params, *start_params]


# Cases are tested against other tables with an uncorrelated `id IN (SELECT case_id …)`, not a
# correlated EXISTS: inside an aggregate's FILTER PostgreSQL runs a correlated subquery once per row
# (and once per aggregate naming it), while the IN list is built once (a hashed subplan; SQLite an
# index of its own). The statutory deadline is a LEFT JOIN (one row per case: unique case, rule).
LEGAL_DEADLINE = "legal_deadline"


LEGAL_DUE = "legal_due_on"


def with_legal_deadline(cases: QuerySet) -> QuerySet:
    """The cases with `legal_due_on`: the end of the statutory period — supervision's close_period
    deadline (pauses and extensions applied) where the supervision run has stored one, else the
    case's own close_due. An alias (never selected), so the join stays a LEFT JOIN in lists too."""
    joined = cases.alias(**{LEGAL_DEADLINE: FilteredRelation(
        "deadlines", condition=Q(deadlines__rule_code=LEGAL_PERIOD_RULE))})
    return joined.alias(**{LEGAL_DUE: Coalesce(F(f"{LEGAL_DEADLINE}__due_on"), F("close_due"))})


def legal_due():
    return F(LEGAL_DUE)


def _node_in(codes: tuple[str, ...]) -> Q:
    return Q(pk__in=NodeRecord.objects.filter(node_code__in=codes).values("case_id"))


# ---------------------------------------------------------------- cases (执行实施案件)


def closed(w: Window) -> Q:
    return Q(closed_on__gte=w.start, closed_on__lte=w.end)


def handled(w: Window) -> Q:
    """旧存 + 新收: filed by the end and not closed before the start."""
    return Q(filed_on__lte=w.end) & (Q(closed_on__isnull=True) | Q(closed_on__gte=w.start))


def _actual() -> Q:
    return Q(closing_type=ClosingType.PERFORMED) | Q(performed_amount_fen__gt=0)


def _in_time() -> Q:
    return Q(closed_on__lte=legal_due())


def with_property(w: Window) -> Q:
    """Closed in the window, neither 终本 (no property, seed 004 §三(一)) nor closed on procedure, and
    showing property: performed, money realised, or a property-found or control node."""
    shows_property = _actual() | _node_in(PROPERTY_EVIDENCE_NODES)
    return (closed(w) & ~Q(closing_type=ClosingType.TERMINATE_CURRENT) & ~Q(closing_type__in=PROCEDURAL_CLOSINGS)
            & shows_property)


def filed_3y(w: Window) -> Q:
    return Q(filed_on__gte=w.three_year_start, filed_on__lte=w.end)


CASE_FACTS: dict[str, Callable[[Window], Q]] = {
    "closed": closed,
    "handled": handled,
    "closed_performed": lambda w: closed(w) & Q(closing_type=ClosingType.PERFORMED),
    "closed_actual": lambda w: closed(w) & _actual(),
    "closed_partial": lambda w: closed(w) & ~Q(closing_type=ClosingType.PERFORMED) & Q(performed_amount_fen__gt=0),
    "closed_in_time": lambda w: closed(w) & _in_time(),
    "with_property": with_property,
    "with_property_performed": lambda w: with_property(w) & Q(closing_type=ClosingType.PERFORMED),
    "with_property_actual_in_time": lambda w: with_property(w) & _actual() & _in_time(),
    "closed_measured": lambda w: closed(w) & _node_in(MEASURE_NODES),
    "closed_disclosed": lambda w: closed(w) & Q(pk__in=Disclosure.objects.values("case_id")),
}

# 近三年 reaches cases that closed long before the period: a pass of its own, over two narrow columns.
CASE_3Y_FACTS: dict[str, Callable[[Window], Q]] = {
    "filed_3y": filed_3y,
    "filed_3y_closed": lambda w: filed_3y(w) & Q(closed_on__isnull=False, closed_on__lte=w.end),
}

# ---------------------------------------------------------------- petitions and reviews

PETITION_FACTS: dict[str, Callable[[Window], Q]] = {
    "handled": lambda w: Q(received_on__lte=w.end) & (Q(closed_on__isnull=True) | Q(closed_on__gte=w.start)),
    "closed": lambda w: Q(closed_on__gte=w.start, closed_on__lte=w.end),
    "received": lambda w: Q(received_on__gte=w.start, received_on__lte=w.end),
}

REVIEW_FACTS: dict[str, Callable[[Window], Q]] = {
    "revoked": lambda w: Q(decided_on__gte=w.start, decided_on__lte=w.end,
                           kind__in=[ReviewKind.OBJECTION, ReviewKind.REVIEW, ReviewKind.SUPERVISION],
                           outcome__in=[ReviewOutcome.REVOKED, ReviewOutcome.CHANGED]),
    "compensated": lambda w: Q(decided_on__gte=w.start, decided_on__lte=w.end, kind=ReviewKind.STATE_COMPENSATION,
                               outcome=ReviewOutcome.COMPENSATED),
}

# ---------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """Rows that facts are counted on, how they reach a court, team and handler, and what is counted:
    rows, or (`distinct`) distinct values of a column — a review source counts cases, not decisions."""

    name: str
    facts: dict[str, Callable[[Window], Q]]
    team_path: str
    handler_path: str
    distinct: str = ""
    totals: dict[str, object] = field(default_factory=dict)

    def rows(self) -> QuerySet:
        if self.name in ("cases", "cases_3y"):
            return EnforcementCase.objects.filter(case_type__in=IMPLEMENTATION_TYPES)
        if self.name == "petitions":
            return Petition.objects.all()
        return ConductReview.objects.all()

    def base(self, w: Window) -> QuerySet:
        """The rows any fact of the window can count: a pre-filter every fact of the source implies."""
        rows = self.rows()
        if self.name == "cases":
            return with_legal_deadline(rows).filter(handled(w))
        if self.name == "cases_3y":
            return rows.filter(filed_3y(w))
        return rows

    def scoped(self, rows: QuerySet, *, court_ids: list[int] | None, team_id: int | None = None,
               handler_id: int | None = None) -> QuerySet:
        if court_ids is not None:
            rows = rows.filter(court_id__in=court_ids)
        if team_id is not None:
            rows = rows.filter(**{self.team_path: team_id})
        if handler_id is not None:
            rows = rows.filter(**{self.handler_path: handler_id})
        return rows


SOURCES: dict[str, Source] = {
    "cases": Source("cases", CASE_FACTS, "team_id", "handler_id", totals={
        "claim_amount_fen": F("claim_amount_fen"),
        "performed_amount_fen": F("performed_amount_fen"),
        "days": DaysBetween("filed_on", "closed_on"),
    }),
    "cases_3y": Source("cases_3y", CASE_3Y_FACTS, "team_id", "handler_id"),
    "petitions": Source("petitions", PETITION_FACTS, "case__team_id", "case__handler_id"),
    "reviews": Source("reviews", REVIEW_FACTS, "case__team_id", "case__handler_id", distinct="case_id"),
}
