"""Wuhan's weighted scorecard (seed 004 §三(三)): nine indicators in three groups (公正、效率、效果),
each scoring on a straight line between its zero and full marks, weighted, added up to a total out
of 100 and placed in a tier (不达标 < 70 ≤ 达标 < 80 ≤ 良好 ≤ 90 < 优秀).

An indicator without data in the period (no closed cases, no petitions …) is not scored: the total is
taken over the weights of the indicators that have data, and the card says which were left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from zhixing.courts.models import Court

from .choices import Direction, Group, Tier
from .engine import Figure
from .models import ScorecardWeight
from .rules import DEFAULT_LINES, INDICATORS, SCORECARD_GROUPS, SCORED_CODES, Indicator, ScoreLine, tier_for

HUNDRED = Decimal(100)
PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Scheme:
    """The score lines in force for a court, and where each came from (the court, a higher court, or
    the defaults) with when it was set."""

    lines: dict[str, ScoreLine]
    set_by_court: dict[str, Court | None]  # None: the defaults of rules.py
    set_at: dict[str, object]

    @property
    def source_label(self) -> str:
        names = {court.name if court else "默认值" for court in self.set_by_court.values()}
        return "、".join(sorted(names))

    @property
    def total_weight(self) -> int:
        return sum(line.weight for line in self.lines.values())


def _chain(court: Court) -> list[Court]:
    chain, seen = [], set()
    while court is not None and court.pk not in seen:
        chain.append(court)
        seen.add(court.pk)
        court = court.parent
    return chain


def scheme_for(court: Court) -> Scheme:
    """Each indicator's latest line set by the court, else by the nearest higher court, else the default."""
    chain = _chain(court)
    latest: dict[tuple[int, str], ScorecardWeight] = {}
    rows = ScorecardWeight.objects.filter(court_id__in=[c.pk for c in chain]).order_by("-set_at", "-id")
    for row in rows:
        latest.setdefault((row.court_id, row.indicator), row)
    lines, by_court, at = {}, {}, {}
    for default in DEFAULT_LINES:
        code = default.indicator
        found = next((latest[(c.pk, code)] for c in chain if (c.pk, code) in latest), None)
        if found is None:
            lines[code], by_court[code], at[code] = default, None, None
        else:
            lines[code] = ScoreLine(code, found.weight, found.full_at, found.zero_at)
            by_court[code] = next(c for c in chain if c.pk == found.court_id)
            at[code] = found.set_at
    return Scheme(lines, by_court, at)


def indicator_score(line: ScoreLine, value: Decimal) -> Decimal:
    """0–100 on the straight line from zero_at (0) to full_at (100), clamped: works for either direction."""
    share = (value - line.zero_at) / (line.full_at - line.zero_at)
    return (max(Decimal(0), min(Decimal(1), share)) * HUNDRED).quantize(PLACES, ROUND_HALF_UP)


@dataclass
class ScoreItem:
    indicator: Indicator
    line: ScoreLine
    figure: Figure | None
    score: Decimal | None  # 0–100; None: no data, not scored

    @property
    def points(self) -> Decimal | None:
        if self.score is None:
            return None
        return (self.score * self.line.weight / HUNDRED).quantize(PLACES, ROUND_HALF_UP)

    @property
    def direction_label(self) -> str:
        return Direction(self.indicator.direction).label


@dataclass
class ScoreGroup:
    group: str
    items: list[ScoreItem]

    @property
    def label(self) -> str:
        return Group(self.group).label

    @property
    def weight(self) -> int:
        return sum(item.line.weight for item in self.items)

    @property
    def points(self) -> Decimal:
        return sum((item.points for item in self.items if item.points is not None), Decimal(0))


@dataclass
class Scorecard:
    groups: list[ScoreGroup]
    scheme: Scheme
    total: Decimal | None = None
    tier: str = ""
    left_out: list[str] = field(default_factory=list)

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label if self.tier else "无数据"

    @property
    def items(self) -> list[ScoreItem]:
        return [item for group in self.groups for item in group.items]


def score(figures: dict[str, Figure], scheme: Scheme) -> Scorecard:
    groups, earned, weighed, left_out = [], Decimal(0), 0, []
    for group, codes in SCORECARD_GROUPS:
        items = []
        for code in codes:
            line, figure = scheme.lines[code], figures.get(code)
            value = figure.value if figure is not None else None
            item = ScoreItem(INDICATORS[code], line, figure, None if value is None else indicator_score(line, value))
            if item.score is None:
                left_out.append(item.indicator.name)
            elif line.weight:
                earned += item.score * line.weight
                weighed += line.weight
            items.append(item)
        groups.append(ScoreGroup(group, items))
    card = Scorecard(groups, scheme, left_out=left_out)
    if weighed:
        card.total = (earned / weighed).quantize(PLACES, ROUND_HALF_UP)
        card.tier = tier_for(card.total)
    return card


def scorecard_for(court: Court, figures: dict[str, Figure]) -> Scorecard:
    return score({code: figures[code] for code in SCORED_CODES if code in figures}, scheme_for(court))
