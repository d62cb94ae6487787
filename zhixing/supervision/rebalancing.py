"""An intermediate court's basic courts side by side, and a suggested rebalancing of new cases
between them (统一执行中心, seed 001 case 12). The plan itself is a pure function of the loads."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Q
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus
from zhixing.cases.exceptions import NotAllowed, NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.choices import CourtLevel
from zhixing.courts.models import Court

from .dashboard import WUCHAO_OF_RULE, wuchao_class
from .models import CaseLock, Deadline, Level
from .rules import WuChao

NEW_CASE_WINDOW_DAYS = 30
BALANCE_TOLERANCE = Fraction(1, 10)  # per-judge loads within 10% of the average: no transfer suggested
BALANCE_CITATION = "铜仁中院统一执行中心：某法院执行案件数量增速较快的，经审核可在城区法院范围内均衡调配（执行难典型案例 案例12，seed 001）"


# ---------------------------------------------------------------- basic courts side by side


def balancing_court_for(user: User, *, court_id: int | None = None) -> tuple[Court, list[Court]]:
    """The intermediate court whose basic courts are compared: any member of an intermediate court
    sees its own; a higher court's supervisor (or an administrator) picks one it oversees."""
    candidates = Court.objects.filter(level=CourtLevel.INTERMEDIATE).order_by("court_code")
    visible = visible_court_ids(user)
    if visible is not None:
        own_is_intermediate = user.court_id is not None and user.court.level == CourtLevel.INTERMEDIATE
        candidates = candidates.filter(pk__in=[user.court_id] if own_is_intermediate else visible)
    choices = list(candidates)
    if not choices:
        raise NotAllowed("辖区法院对比与案件均衡调配仅供中级人民法院及其上级法院使用")
    if court_id is None:
        return choices[0], choices
    court = next((c for c in choices if c.pk == court_id), None)
    if court is None:
        raise NotFound("法院不存在")
    return court, choices


@dataclass
class CourtRow:
    court: Court
    open_cases: int = 0
    new_recent: int = 0  # filed in the last 30 days
    new_previous: int = 0  # filed in the 30 days before
    judges: int = 0
    red: int = 0
    locked: int = 0
    wuchao: dict[str, int] = field(default_factory=dict)

    @property
    def growth_percent(self) -> int | None:
        if not self.new_previous:
            return None
        return round((self.new_recent - self.new_previous) * 100 / self.new_previous)

    @property
    def open_per_judge(self) -> float | None:
        return round(self.open_cases / self.judges, 1) if self.judges else None

    @property
    def wuchao_counts(self) -> list[int]:
        return [self.wuchao.get(kind, 0) for kind in WuChao.ORDER]


def courts_side_by_side(intermediate: Court, *, today: dt.date | None = None) -> list[CourtRow]:
    """The basic courts under `intermediate`, one GROUP BY court_id per figure."""
    today = today or timezone.localdate()
    courts = list(Court.objects.filter(parent=intermediate, level=CourtLevel.BASIC).order_by("court_code"))
    rows = {c.pk: CourtRow(court=c) for c in courts}
    ids = list(rows)
    cases = EnforcementCase.objects.filter(court_id__in=ids)
    for r in cases.filter(status=CaseStatus.OPEN).values("court_id").annotate(n=Count("id")).order_by():
        rows[r["court_id"]].open_cases = r["n"]
    recent_from = today - dt.timedelta(days=NEW_CASE_WINDOW_DAYS - 1)
    previous_from = recent_from - dt.timedelta(days=NEW_CASE_WINDOW_DAYS)
    filings = (
        cases.filter(filed_on__gte=previous_from, filed_on__lte=today)
        .values("court_id")
        .annotate(
            recent=Count("id", filter=Q(filed_on__gte=recent_from)),
            previous=Count("id", filter=Q(filed_on__lt=recent_from)),
        )
    )
    for r in filings.order_by():
        rows[r["court_id"]].new_recent, rows[r["court_id"]].new_previous = r["recent"], r["previous"]
    judges = User.objects.filter(court_id__in=ids, role=Role.JUDGE, is_active=True)
    for r in judges.values("court_id").annotate(n=Count("id")).order_by():
        rows[r["court_id"]].judges = r["n"]
    red = Deadline.objects.warned().filter(court_id__in=ids, level=Level.RED)
    for r in red.values("court_id").annotate(n=Count("case_id", distinct=True)).order_by():
        rows[r["court_id"]].red = r["n"]
    locks = CaseLock.objects.filter(court_id__in=ids, released_on__isnull=True)
    for r in locks.values("court_id").annotate(n=Count("id")).order_by():
        rows[r["court_id"]].locked = r["n"]
    by_class = (
        red.filter(rule_code__in=list(WUCHAO_OF_RULE))
        .annotate(wuchao=wuchao_class())
        .values("court_id", "wuchao")
    )
    for r in by_class.annotate(n=Count("case_id", distinct=True)).order_by():
        rows[r["court_id"]].wuchao[r["wuchao"]] = r["n"]
    return [rows[c.pk] for c in courts]


# ---------------------------------------------------------------- suggested rebalancing (pure)


@dataclass(frozen=True)
class CourtLoad:
    court_id: int
    name: str
    open_cases: int
    expected_new: int  # the next 30 days' new cases, expected to equal the last 30 days'
    judges: int

    @property
    def projected(self) -> int:
        return self.open_cases + self.expected_new


@dataclass(frozen=True)
class Transfer:
    from_id: int
    from_name: str
    to_id: int
    to_name: str
    cases: int

    @property
    def text(self) -> str:
        return f"从 {self.from_name} 向 {self.to_name} 调配 {self.cases} 件新收案件"


@dataclass
class BalancePlan:
    transfers: list[Transfer]
    target_per_judge: Fraction | None  # projected cases per judge once equalised
    before: dict[int, int]  # projected open cases (open + expected new) per court
    after: dict[int, int]  # the same after the suggested transfers
    notes: list[str]
    balanced: bool


def plan_rebalancing(courts: Sequence[CourtLoad], *, tolerance: Fraction = BALANCE_TOLERANCE) -> BalancePlan:
    """Suggest moving expected new cases so that open cases per judge come out even.

    Only new cases move, and only from a court above the average to one below it; amounts are
    whole cases rounded down so that no court is pushed past the average. Nothing is suggested
    when every court is within `tolerance` of the average. A court without judges is left out."""
    notes = [f"{c.name}未配备执行法官，不参与调配" for c in courts if c.judges <= 0]
    staffed = [c for c in courts if c.judges > 0]
    before = {c.court_id: c.projected for c in staffed}
    judges = sum(c.judges for c in staffed)
    if len(staffed) < 2:
        return BalancePlan([], None, before, dict(before), notes, True)
    target = Fraction(sum(before.values()), judges)
    if all(abs(Fraction(c.projected, c.judges) - target) <= tolerance * target for c in staffed):
        return BalancePlan([], target, before, dict(before), notes, True)
    supply: dict[int, int] = {}
    demand: dict[int, int] = {}
    for c in staffed:
        excess = c.projected - target * c.judges
        if excess > 0:
            supply[c.court_id] = min(c.expected_new, math.floor(excess))
            if c.expected_new < math.floor(excess):
                notes.append(f"{c.name}预计新收案件（{c.expected_new} 件）全部调出仍高于平均水平，需其他措施")
        elif excess < 0:
            demand[c.court_id] = math.floor(-excess)
    by_id = {c.court_id: c for c in staffed}
    donors = sorted((k for k, n in supply.items() if n > 0), key=lambda k: (-supply[k], by_id[k].name))
    receivers = sorted((k for k, n in demand.items() if n > 0), key=lambda k: (-demand[k], by_id[k].name))
    after = dict(before)
    transfers: list[Transfer] = []
    i = j = 0
    while i < len(donors) and j < len(receivers):
        giver, taker = donors[i], receivers[j]
        n = min(supply[giver], demand[taker])
        transfers.append(Transfer(giver, by_id[giver].name, taker, by_id[taker].name, n))
        supply[giver] -= n
        demand[taker] -= n
        after[giver] -= n
        after[taker] += n
        i += supply[giver] == 0
        j += demand[taker] == 0
    return BalancePlan(transfers, target, before, after, notes, False)


def balance_for(rows: Sequence[CourtRow]) -> BalancePlan:
    return plan_rebalancing(
        [CourtLoad(r.court.pk, r.court.name, r.open_cases, r.new_recent, r.judges) for r in rows]
    )
