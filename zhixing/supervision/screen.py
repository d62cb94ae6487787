"""Command centre (执行指挥中心): the court dashboard, the big screen, and balancing new cases across
the basic courts of an intermediate court (统一执行中心, seed 001 case 12).

Every figure is a GROUP BY over the stored deadlines, locks or cases of the chosen court — never a
loop over cases — so a court with 100,000 open cases costs the same handful of queries as a small
one. A 五超 case is a case with a red deadline of a 五超 rule, counted once per class however many
of that class's rules are red (a deposit freeze and a seizure both expired: one 执行措施到期未处置 case).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Case, CharField, Count, Max, Q, QuerySet, Sum, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus
from zhixing.cases.exceptions import NotAllowed, NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.choices import CourtLevel
from zhixing.courts.models import Court, Team

from .digest import LEVEL_NAMES, wuchao_rules
from .models import CaseLock, Deadline, Level, SupervisionRun, UnlockRequest, WarningSnapshot
from .rules import RULES_BY_CODE, WuChao

WUCHAO_OF_RULE: dict[str, str] = {code: kind for kind, codes in wuchao_rules().items() for code in codes}
TREND_DAYS = 30
TOP_JUDGES = 15
SCREEN_REFRESH_MS = 60_000  # the big screen fetches fresh figures every minute, without reloading
NEW_CASE_WINDOW_DAYS = 30
BALANCE_TOLERANCE = Fraction(1, 10)  # per-judge loads within 10% of the average: no transfer suggested
BALANCE_CITATION = "铜仁中院统一执行中心：某法院执行案件数量增速较快的，经审核可在城区法院范围内均衡调配（执行难典型案例 案例12，seed 001）"
NO_TEAM, NO_HANDLER = "未分配团队", "未分配承办人"

# ---------------------------------------------------------------- scope and visibility


@dataclass(frozen=True)
class Scope:
    """What a dashboard shows: one court the user may see, optionally one of its teams."""

    court: Court
    team: Team | None
    choices: list[Court]  # the courts the user may switch between

    def deadlines(self) -> QuerySet[Deadline]:
        rows = Deadline.objects.warned().filter(court_id=self.court.pk)
        return rows.filter(team_id=self.team.pk) if self.team else rows

    def cases(self) -> QuerySet[EnforcementCase]:
        rows = EnforcementCase.objects.filter(court_id=self.court.pk)
        return rows.filter(team_id=self.team.pk) if self.team else rows

    def active_locks(self) -> QuerySet[CaseLock]:
        rows = CaseLock.objects.filter(court_id=self.court.pk, released_on__isnull=True)
        return rows.filter(case__team_id=self.team.pk) if self.team else rows


def scope_for(user: User, *, court_id: int | None = None, team_id: int | None = None) -> Scope:
    """The court (default: the user's own) and team to show, refused as the case pages refuse:
    NotAllowed for an account without a court, NotFound for a court or team the user may not see."""
    visible = visible_court_ids(user)
    if visible is not None and not visible:
        raise NotAllowed("您的账号未关联法院，不能查看指挥中心")
    courts = Court.objects.order_by("court_code")
    choices = list(courts if visible is None else courts.filter(pk__in=visible))
    wanted = user.court_id if court_id is None else court_id
    court = next((c for c in choices if c.pk == wanted), None)
    if court is None and court_id is None and choices:
        court = choices[0]
    if court is None:
        raise NotFound("法院不存在")
    team = None
    if team_id is not None:
        team = Team.objects.filter(pk=team_id, court=court).first()
        if team is None:
            raise NotFound("团队不存在")
    return Scope(court=court, team=team, choices=choices)


# ---------------------------------------------------------------- counts per team and per handler


@dataclass
class GroupRow:
    """One team's (or handler's) figures: cases at their worst warning, 五超 cases by class, load."""

    key: int | None
    name: str
    open_cases: int = 0
    yellow: int = 0
    orange: int = 0
    red: int = 0
    locked: int = 0
    wuchao: dict[str, int] = field(default_factory=dict)
    wuchao_total: int = 0  # distinct cases: a case of two classes counts once here

    @property
    def wuchao_counts(self) -> list[int]:
        return [self.wuchao.get(kind, 0) for kind in WuChao.ORDER]


# by: (column of Deadline and EnforcementCase, path from CaseLock)
GROUPINGS = {"team": ("team_id", "case__team_id"), "handler": ("handler_id", "case__handler_id")}


def _wuchao_class() -> Case:
    return Case(
        *(When(rule_code__in=codes, then=Value(kind)) for kind, codes in wuchao_rules().items() if codes),
        output_field=CharField(),
    )


def wuchao_deadlines(scope: Scope) -> QuerySet[Deadline]:
    """Red deadlines of 五超 rules (only a pending deadline is ever red)."""
    return scope.deadlines().filter(level=Level.RED, rule_code__in=list(WUCHAO_OF_RULE))


def _worst_levels(scope: Scope, column: str) -> list[tuple[int | None, int, int]]:
    """(group, worst level, cases): each case counted once, at its worst warning."""
    if column not in {"team_id", "handler_id", "court_id"}:
        raise ValueError(column)
    where, params = ["level > 0", "court_id = %s"], [scope.court.pk]
    if scope.team:
        where.append("team_id = %s")
        params.append(scope.team.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT {column}, worst, COUNT(*) FROM (
                    SELECT case_id, {column}, MAX(level) AS worst FROM {Deadline._meta.db_table}
                    WHERE {" AND ".join(where)} GROUP BY case_id, {column}) w
                GROUP BY {column}, worst""",
            params,
        )
        return cursor.fetchall()


def _group_names(scope: Scope, by: str, keys: set) -> dict[int, str]:
    """Names of the groups, plus those that have nothing to show yet (an active team, a judge with no warnings)."""
    ids = [k for k in keys if k is not None]
    if by == "team":
        teams = Team.objects.filter(Q(pk__in=ids) | Q(court=scope.court, active=True))
        if scope.team:
            teams = teams.filter(pk=scope.team.pk)
        return dict(teams.values_list("pk", "name"))
    judges = Q(court=scope.court, role=Role.JUDGE, is_active=True)
    if scope.team:
        judges &= Q(team=scope.team)
    return {
        pk: full or username
        for pk, full, username in User.objects.filter(Q(pk__in=ids) | judges).values_list(
            "pk", "full_name", "username"
        )
    }


def group_rows(scope: Scope, by: str) -> list[GroupRow]:
    """Per team (by="team") or per handler (by="handler"): six GROUP BY queries whatever the court's size."""
    column, lock_column = GROUPINGS[by]
    rows: dict[int | None, GroupRow] = {}

    def row(key: int | None) -> GroupRow:
        if key not in rows:
            rows[key] = GroupRow(key=key, name="")
        return rows[key]

    for key, worst, n in _worst_levels(scope, column):
        setattr(row(key), LEVEL_NAMES[worst], n)
    by_class = wuchao_deadlines(scope).annotate(wuchao=_wuchao_class()).values(column, "wuchao")
    for r in by_class.annotate(n=Count("case_id", distinct=True)).order_by():
        row(r[column]).wuchao[r["wuchao"]] = r["n"]
    for r in wuchao_deadlines(scope).values(column).annotate(n=Count("case_id", distinct=True)).order_by():
        row(r[column]).wuchao_total = r["n"]
    for r in scope.cases().filter(status=CaseStatus.OPEN).values(column).annotate(n=Count("id")).order_by():
        row(r[column]).open_cases = r["n"]
    for r in scope.active_locks().values(lock_column).annotate(n=Count("id")).order_by():
        row(r[lock_column]).locked = r["n"]
    names = _group_names(scope, by, set(rows))
    for key in names:
        row(key)
    for key, r in rows.items():
        r.name = names.get(key, "") if key is not None else (NO_TEAM if by == "team" else NO_HANDLER)
    if by == "team":
        return sorted(rows.values(), key=lambda r: (r.key is None, r.name))
    return sorted(
        rows.values(), key=lambda r: (r.key is None, -r.wuchao_total, -r.red, -r.open_cases, r.name)
    )


# ---------------------------------------------------------------- the rest of the dashboard


def warning_trend(scope: Scope) -> dict:
    """Cases at yellow, orange and red per day over the 30 days up to the latest snapshot."""
    snapshots = WarningSnapshot.objects.filter(court_id=scope.court.pk)
    if scope.team:
        snapshots = snapshots.filter(team_id=scope.team.pk)
    end = snapshots.aggregate(end=Max("day"))["end"]
    if end is None:
        return {"days": [], "yellow": [], "orange": [], "red": []}
    start = end - dt.timedelta(days=TREND_DAYS - 1)
    per_day: dict[dt.date, dict[str, int]] = defaultdict(lambda: {"yellow": 0, "orange": 0, "red": 0})
    rows = (
        snapshots.filter(day__gte=start, day__lte=end)
        .values("day")
        .annotate(y=Sum("yellow"), o=Sum("orange"), r=Sum("red"))
    )
    for r in rows.order_by():
        per_day[r["day"]] = {"yellow": r["y"], "orange": r["o"], "red": r["r"]}
    days = [start + dt.timedelta(days=i) for i in range(TREND_DAYS)]
    return {
        "days": days,
        **{
            level: [per_day[d][level] if d in per_day else None for d in days]
            for level in ("yellow", "orange", "red")
        },
    }


def locked_cases(scope: Scope, *, limit: int = 100) -> tuple[int, list[dict]]:
    """Active locks: how many, and the latest `limit` with the rules that locked them."""
    locks = scope.active_locks()
    items = list(
        locks.order_by("-locked_on", "-id").values(
            "case_id", "case__case_number", "reason", "locked_on", "sequence", "rule_codes"
        )[:limit]
    )
    for item in items:
        item["case_number"] = item.pop("case__case_number")
        codes = [code for code in item.pop("rule_codes").split(",") if code]
        item["rules"] = "、".join(RULES_BY_CODE[c].name if c in RULES_BY_CODE else c for c in codes)
    count = len(items) if len(items) < limit else locks.count()
    return count, items


def unlock_requests_pending(scope: Scope) -> int:
    rows = UnlockRequest.objects.filter(court_id=scope.court.pk, status=UnlockRequest.Status.PENDING)
    return rows.filter(lock__case__team_id=scope.team.pk).count() if scope.team else rows.count()


def wuchao_ticker(scope: Scope, *, today: dt.date, limit: int = 60) -> list[dict]:
    """The longest-overdue 五超 cases, one line per case and class (实时滚动展示)."""
    rows = (
        wuchao_deadlines(scope)
        .order_by("due_on", "case_id")
        .values(
            "case_id",
            "case__case_number",
            "rule_code",
            "due_on",
            "team__name",
            "handler__full_name",
            "handler__username",
        )
    )
    seen: set[tuple[int, str]] = set()
    out = []
    for r in rows[: limit * len(WuChao.ORDER)]:
        kind = WUCHAO_OF_RULE[r["rule_code"]]
        if (r["case_id"], kind) in seen:
            continue
        seen.add((r["case_id"], kind))
        out.append(
            {
                "case_id": r["case_id"],
                "case_number": r["case__case_number"],
                "wuchao": kind,
                "label": WuChao.LABELS[kind],
                "due_on": r["due_on"],
                "days_overdue": max(0, (today - r["due_on"]).days),
                "team": r["team__name"] or "",
                "handler": r["handler__full_name"] or r["handler__username"] or "",
            }
        )
        if len(out) >= limit:
            break
    return out


def home_wuchao_ticker(user: User, *, limit: int = 30) -> list[dict]:
    """The 五超 ticker of the user's own court, for the home page; empty for an account without one."""
    try:
        scope = scope_for(user)
    except (NotAllowed, NotFound):
        return []
    return wuchao_ticker(scope, today=timezone.localdate(), limit=limit)


def latest_run_day() -> dt.date | None:
    return (
        SupervisionRun.objects.filter(scope="all")
        .order_by("-started_at")
        .values_list("as_of", flat=True)
        .first()
    )


@dataclass
class Dashboard:
    scope: Scope
    today: dt.date
    as_of: dt.date | None
    teams: list[GroupRow]
    handlers: list[GroupRow]
    trend: dict
    locked_count: int
    locked: list[dict]
    unlock_pending: int
    ticker: list[dict]

    @property
    def headline(self) -> dict[str, int]:
        # Each case has one team (or none), so the team rows add up to the court's figures.
        totals = {
            k: sum(getattr(r, k) for r in self.teams)
            for k in ("open_cases", "yellow", "orange", "red", "wuchao_total")
        }
        return {
            "open_cases": totals["open_cases"],
            "yellow": totals["yellow"],
            "orange": totals["orange"],
            "red": totals["red"],
            "wuchao": totals["wuchao_total"],
            "locked": self.locked_count,
            "unlock_pending": self.unlock_pending,
        }

    @property
    def wuchao_by_class(self) -> list[dict]:
        return [
            {
                "key": kind,
                "label": WuChao.LABELS[kind],
                "cases": sum(r.wuchao.get(kind, 0) for r in self.teams),
            }
            for kind in WuChao.ORDER
        ]


def dashboard(
    scope: Scope, *, today: dt.date | None = None, locked_limit: int = 100, ticker_limit: int = 60
) -> Dashboard:
    today = today or timezone.localdate()
    locked_count, locked = locked_cases(scope, limit=locked_limit)
    return Dashboard(
        scope=scope,
        today=today,
        as_of=latest_run_day(),
        teams=group_rows(scope, "team"),
        handlers=group_rows(scope, "handler"),
        trend=warning_trend(scope),
        locked_count=locked_count,
        locked=locked,
        unlock_pending=unlock_requests_pending(scope),
        ticker=wuchao_ticker(scope, today=today, limit=ticker_limit),
    )


def _stacked(rows: Sequence[GroupRow]) -> dict:
    return {
        "categories": [r.name for r in rows],
        "series": [
            {"key": k, "label": WuChao.LABELS[k], "data": [r.wuchao.get(k, 0) for r in rows]}
            for k in WuChao.ORDER
        ],
        "totals": [r.wuchao_total for r in rows],
    }


def screen_data(board: Dashboard) -> dict:
    """What the big screen draws (and the JSON API returns): plain numbers, names and dates."""
    scope = board.scope
    judges = [r for r in board.handlers if r.key is not None and r.wuchao_total][:TOP_JUDGES]
    return {
        "court": {"id": scope.court.pk, "name": scope.court.name},
        "team": {"id": scope.team.pk, "name": scope.team.name} if scope.team else None,
        "as_of": board.as_of,
        "generated_at": timezone.now(),
        "classes": [{"key": k, "label": WuChao.LABELS[k]} for k in WuChao.ORDER],
        "headline": board.headline,
        "wuchao_by_team": _stacked(board.teams),
        "wuchao_by_judge": _stacked(judges),
        "trend": board.trend,
        "locked": {"count": board.locked_count, "items": board.locked},
        "load_by_team": {
            "categories": [r.name for r in board.teams],
            "data": [r.open_cases for r in board.teams],
        },
        "ticker": board.ticker,
    }


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
        .annotate(wuchao=_wuchao_class())
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


# ---------------------------------------------------------------- pages


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise Http404(f"{name} 参数无效")
    return int(value)


def _page_scope(request: HttpRequest) -> Scope:
    try:
        return scope_for(
            request.user, court_id=_int_param(request, "court"), team_id=_int_param(request, "team")
        )
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _chart_json(board: Dashboard) -> dict:
    from .api_screen import ScreenOut  # the page embeds exactly what the API returns

    return ScreenOut.model_validate(screen_data(board)).model_dump(mode="json")


def _shows_courts_link(user: User) -> bool:
    try:
        balancing_court_for(user)
    except NotAllowed:
        return False
    return True


@login_required
@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    scope = _page_scope(request)
    board = dashboard(scope, ticker_limit=50)
    teams = Team.objects.filter(court=scope.court).order_by("-active", "name")
    context = {
        "scope": scope,
        "board": board,
        "teams": teams,
        "classes": [WuChao.LABELS[k] for k in WuChao.ORDER],
        "chart": _chart_json(board),
        "courts_link": _shows_courts_link(request.user),
    }
    return render(request, "supervision/centre.html", context)


@login_required
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    scope = _page_scope(request)
    query = {"court": scope.court.pk} | ({"team": scope.team.pk} if scope.team else {})
    config = {
        "api_url": reverse("api-v1:supervision_screen"),
        "query": query,
        "refresh_ms": SCREEN_REFRESH_MS,
    }
    context = {"scope": scope, "data": _chart_json(dashboard(scope)), "config": config}
    return render(request, "supervision/screen.html", context)


def _per_judge(cases: int | None, judges: int) -> float | None:
    return round(cases / judges, 1) if cases is not None and judges else None


@login_required
@require_GET
def courts(request: HttpRequest) -> HttpResponse:
    try:
        intermediate, choices = balancing_court_for(request.user, court_id=_int_param(request, "court"))
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    rows = courts_side_by_side(intermediate)
    plan = balance_for(rows)
    visible = visible_court_ids(request.user)
    table = [
        {
            "row": r,
            "visible": visible is None or r.court.pk in visible,
            "projected": plan.before.get(r.court.pk),
            "projected_per_judge": _per_judge(plan.before.get(r.court.pk), r.judges),
            "after": plan.after.get(r.court.pk),
            "after_per_judge": _per_judge(plan.after.get(r.court.pk), r.judges),
        }
        for r in rows
    ]
    chart = {
        "courts": [r.court.name for r in rows],
        "recent": [r.new_recent for r in rows],
        "previous": [r.new_previous for r in rows],
        "per_judge": [r.open_per_judge for r in rows],
    }
    context = {
        "intermediate": intermediate,
        "choices": choices,
        "table": table,
        "plan": plan,
        "target": round(float(plan.target_per_judge), 1) if plan.target_per_judge is not None else None,
        "classes": [WuChao.LABELS[k] for k in WuChao.ORDER],
        "window": NEW_CASE_WINDOW_DAYS,
        "tolerance": int(BALANCE_TOLERANCE * 100),
        "citation": BALANCE_CITATION,
        "chart": chart,
    }
    return render(request, "supervision/courts_side_by_side.html", context)


urlpatterns = [
    path("centre/", centre, name="centre"),
    path("screen/", screen, name="screen"),
    path("courts/", courts, name="courts"),
]
