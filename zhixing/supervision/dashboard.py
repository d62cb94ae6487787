"""Command centre figures (执行指挥中心): the court or team dashboard behind the centre page, the
big screen and their API.

Every figure is a GROUP BY over the stored deadlines, locks or cases of the chosen court — never a
loop over cases — so a court with 100,000 open cases costs the same handful of queries as a small
one. A 五超 case is a case with a red deadline of a 五超 rule, counted once per class however many
of that class's rules are red (a deposit freeze and a seizure both expired: one 执行措施到期未处置 case).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, CharField, Count, Max, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus
from zhixing.cases.exceptions import NotAllowed, NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.models import Court, Team

from .digest import LEVEL_NAMES, wuchao_rules
from .models import CaseLock, Deadline, Level, SupervisionRun, UnlockRequest, WarningSnapshot
from .rules import RULES_BY_CODE, WuChao

WUCHAO_OF_RULE: dict[str, str] = {code: kind for kind, codes in wuchao_rules().items() for code in codes}
TREND_DAYS = 30
TOP_JUDGES = 15
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


def wuchao_class() -> Case:
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
    by_class = wuchao_deadlines(scope).annotate(wuchao=wuchao_class()).values(column, "wuchao")
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
