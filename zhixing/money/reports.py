"""Reports of case money: balances (daily and monthly, per court, team and case, as of any date) and
the aging of money held — on case accounts (FIFO: what is left is the most recent money in) and in
suspense as 不明款. Read from the ledger's postings with aggregate SQL (GROUP BY, and a window
function for FIFO) that runs the same on SQLite and PostgreSQL; who may read what is decided here,
once, for the pages, the API, the exports and the command alike."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.exceptions import FieldError, NotAllowed, ValidationFailed
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.models import Court, Team

from . import services
from .choices import AccountKind, JournalKind, ReceiptStatus
from .models import Account, Posting, Receipt
from .rules import AGING_BUCKETS, UNIDENTIFIED_ASSIGN

# Who reads the court's money reports: the finance desk and the court's leadership and command centre;
# a higher court's supervisor reads the courts below (read-only); a case team reads its own team's.
COURT_READERS = frozenset({Role.FINANCE, Role.BUREAU_HEAD, Role.PRESIDENT, Role.COMMAND_CENTRE})
TEAM_READERS = frozenset({Role.JUDGE, Role.ASSISTANT})
READERS = COURT_READERS | TEAM_READERS | {Role.SUPERVISOR}

LEVELS = {"court": "法院", "team": "团队", "case": "案件"}
PERIODS = {"day": "日报", "month": "月报"}
UNASSIGNED_TEAM = "未分配团队"


# ---------------------------------------------------------------- who sees what


@dataclass(frozen=True)
class ReportScope:
    """The courts (and, for a case team, the one team) a report covers."""

    court_ids: tuple[int, ...]
    team_id: int | None = None
    team_only: bool = False  # the reader sees only their own team (judges, assistants)

    @property
    def single_court(self) -> int | None:
        return self.court_ids[0] if len(self.court_ids) == 1 else None


def readable_court_ids(user: User) -> list[int] | None:
    """Courts whose money reports `user` reads; None: every court (superuser). The cases' visibility,
    for the readers only."""
    if user.is_superuser or user.role in READERS:
        return visible_court_ids(user)
    return []


def report_scope(user: User, *, court_id: int | None = None, team_id: int | None = None) -> ReportScope:
    """The scope `user` asked for, or NotAllowed with the reason. Without a court: every court the
    user reads (their own, or a supervisor's courts below)."""
    if not (user.is_superuser or user.role in READERS):
        readers = "、".join(Role(r).label for r in sorted(READERS))
        raise NotAllowed(f"您的角色（{user.get_role_display() or '无'}）不能查看案款报表；可由：{readers}")
    readable = readable_court_ids(user)
    if court_id is not None:
        if readable is not None and court_id not in readable:
            raise NotAllowed("只能查看本院及下级法院的案款报表" if user.role == Role.SUPERVISOR else "只能查看本院的案款报表")
        if not Court.objects.filter(pk=court_id).exists():
            raise ValidationFailed([FieldError("court_id", f"没有编号为 {court_id} 的法院")])
        court_ids: tuple[int, ...] = (court_id,)
    elif readable is None:
        court_ids = tuple(Court.objects.order_by("court_code").values_list("pk", flat=True))
    else:
        court_ids = tuple(readable)
    if not user.is_superuser and user.role in TEAM_READERS:
        if not user.team_id:
            raise NotAllowed("您不属于任何执行团队，不能查看团队案款报表")
        if team_id is not None and team_id != user.team_id:
            raise NotAllowed("只能查看本团队的案款报表")
        return ReportScope(court_ids=court_ids, team_id=user.team_id, team_only=True)
    if team_id is not None:
        team = Team.objects.filter(pk=team_id).first()
        if team is None or team.court_id not in court_ids:
            raise ValidationFailed([FieldError("team_id", "所选团队不属于所选法院")])
    return ReportScope(court_ids=court_ids, team_id=team_id)


def period_bounds(period: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """A daily report covers the day; a monthly one the month up to and including the day."""
    if period not in PERIODS:
        raise ValidationFailed([FieldError("period", f"未知报表周期 {period}（可选：day、month）")])
    if as_of > timezone.localdate():
        raise ValidationFailed([FieldError("as_of", f"{as_of} 晚于今天")])
    return (as_of.replace(day=1) if period == "month" else as_of), as_of


def _check_level(level: str, scope: ReportScope) -> str:
    """The level to report at: a case team's member asking for the court gets the team."""
    if level not in LEVELS:
        raise ValidationFailed([FieldError("level", f"未知报表层级 {level}（可选：court、team、case）")])
    if level == "court" and scope.team_only:
        level = "team"
    if level != "court" and scope.single_court is None:
        raise ValidationFailed([FieldError("court_id", "按团队或案件查看时请选择一个法院")])
    return level


def _case_postings(scope: ReportScope):
    """Postings on the case accounts of the scope (the denormalised case id is set only on them)."""
    postings = Posting.objects.filter(court_id__in=scope.court_ids, case_id__isnull=False)
    if scope.team_id is not None:
        postings = postings.filter(case_id__in=EnforcementCase.objects.filter(team_id=scope.team_id).values("pk"))
    return postings


# ---------------------------------------------------------------- balances


# How each kind of journal moves a case account, as the report's columns.
RECEIVED_KINDS = (JournalKind.RECEIPT, JournalKind.ASSIGN)
PAID_KINDS = (JournalKind.PAYOUT, JournalKind.REFUND)

BALANCE_COLUMNS = (
    ("opening_fen", "期初余额"),
    ("received_fen", "本期到账"),
    ("paid_out_fen", "本期发放"),
    ("fees_fen", "结算执行费"),
    ("transfer_in_fen", "划入"),
    ("transfer_out_fen", "划出"),
    ("corrections_fen", "冲正调整"),
    ("closing_fen", "期末余额"),
)


@dataclass
class BalanceRow:
    key: int | None
    label: str
    court_label: str = ""
    team_label: str = ""
    opening_fen: int = 0
    received_fen: int = 0
    paid_out_fen: int = 0
    fees_fen: int = 0
    transfer_in_fen: int = 0
    transfer_out_fen: int = 0
    corrections_fen: int = 0

    @property
    def closing_fen(self) -> int:
        return (self.opening_fen + self.received_fen - self.paid_out_fen - self.fees_fen + self.transfer_in_fen
                - self.transfer_out_fen + self.corrections_fen)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name, _ in BALANCE_COLUMNS)

    def add(self, other: BalanceRow) -> None:
        for name, _ in BALANCE_COLUMNS[:-1]:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "court": self.court_label, "team": self.team_label,
                **{name: getattr(self, name) for name, _ in BALANCE_COLUMNS}}


@dataclass
class LedgerRow:
    """One of the court's own accounts (bank, suspense, fee, non-cash) at the start and end of the period."""

    court_label: str
    kind: str
    label: str
    opening_fen: int
    closing_fen: int


@dataclass
class BalanceReport:
    level: str
    period: str
    as_of: dt.date
    start: dt.date
    end: dt.date
    scope: ReportScope
    rows: list[BalanceRow]
    total: BalanceRow
    ledger: list[LedgerRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        span = f"{self.as_of:%Y-%m-%d}" if self.period == "day" else f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"
        return f"案款余额{PERIODS[self.period]}（按{LEVELS[self.level]}，{span}）"


def balance_report(*, scope: ReportScope, level: str = "court", period: str = "day",
                   as_of: dt.date | None = None) -> BalanceReport:
    """Opening, received, paid out, fees, transfers, corrections and closing of the money on case
    accounts, per court, team or case. Two GROUP BY queries: balances before the period (postings
    only) and the period's movements by journal kind."""
    as_of = as_of or timezone.localdate()
    start, end = period_bounds(period, as_of)
    level = _check_level(level, scope)
    group = "court_id" if level == "court" else "case_id"
    postings = _case_postings(scope)
    figures: dict[int, BalanceRow] = defaultdict(lambda: BalanceRow(None, ""))
    for row in postings.filter(value_on__lt=start).values(group).annotate(total=Sum("amount_fen")).order_by():
        figures[row[group]].opening_fen = -row["total"]
    moves = (postings.filter(value_on__gte=start, value_on__lte=end).values(group, "journal__kind")
             .annotate(debit=Sum("amount_fen", filter=Q(amount_fen__gt=0)), credit=Sum("amount_fen", filter=Q(amount_fen__lt=0)))
             .order_by())
    for row in moves:
        figure = figures[row[group]]
        debit, credit = row["debit"] or 0, -(row["credit"] or 0)  # both positive
        kind = row["journal__kind"]
        if kind in RECEIVED_KINDS:
            figure.received_fen += credit - debit
        elif kind in PAID_KINDS:
            figure.paid_out_fen += debit - credit
        elif kind == JournalKind.FEE:
            figure.fees_fen += debit - credit
        elif kind == JournalKind.TRANSFER:
            figure.transfer_in_fen += credit
            figure.transfer_out_fen += debit
        else:  # reversals (and anything new): their net effect
            figure.corrections_fen += credit - debit
    if level == "court":
        rows = _court_rows(scope, figures)
    elif level == "team":
        rows = _team_rows(scope, figures)
    else:
        rows = _case_rows(figures)
    total = BalanceRow(None, "合计")
    for row in rows:
        total.add(row)
    ledger = _ledger_rows(scope, start, end) if level == "court" and not scope.team_only else []
    return BalanceReport(level=level, period=period, as_of=as_of, start=start, end=end, scope=scope, rows=rows,
                         total=total, ledger=ledger)


def _court_names(court_ids) -> dict[int, str]:
    return dict(Court.objects.filter(pk__in=court_ids).values_list("pk", "name"))


def _court_rows(scope: ReportScope, figures: dict[int, BalanceRow]) -> list[BalanceRow]:
    names = _court_names(scope.court_ids)
    courts = Court.objects.filter(pk__in=scope.court_ids).order_by("court_code").values_list("pk", flat=True)
    rows = []
    for court_id in courts:
        row = figures.get(court_id) or BalanceRow(None, "")
        row.key, row.label, row.court_label = court_id, names[court_id], names[court_id]
        rows.append(row)
    return rows


def _team_rows(scope: ReportScope, figures: dict[int, BalanceRow]) -> list[BalanceRow]:
    court_id = scope.single_court
    cases = EnforcementCase.objects.filter(court_id=court_id)
    if scope.team_id is not None:
        cases = cases.filter(team_id=scope.team_id)
    team_of = dict(cases.values_list("pk", "team_id"))
    teams = Team.objects.filter(court_id=court_id)
    if scope.team_id is not None:
        teams = teams.filter(pk=scope.team_id)
    by_team: dict[int | None, BalanceRow] = {t.pk: BalanceRow(t.pk, t.name) for t in teams.order_by("name")}
    for case_id, figure in figures.items():
        team_id = team_of.get(case_id)
        row = by_team.get(team_id)
        if row is None:
            row = by_team[team_id] = BalanceRow(team_id, UNASSIGNED_TEAM if team_id is None else str(team_id))
        row.add(figure)
    court_label = _court_names([court_id])[court_id]
    for row in by_team.values():
        row.court_label = court_label
        row.team_label = row.label
    return list(by_team.values())


def _case_rows(figures: dict[int, BalanceRow]) -> list[BalanceRow]:
    """Cases whose money moved or stood: a case never paid anything has no row."""
    ids = [case_id for case_id, row in figures.items() if not row.is_empty]
    details = {}
    for chunk in _chunks(sorted(ids)):
        for pk, number, court, team in (EnforcementCase.objects.filter(pk__in=chunk)
                                        .values_list("pk", "case_number", "court__name", "team__name")):
            details[pk] = (number, court, team or UNASSIGNED_TEAM)
    rows = []
    for case_id in ids:
        row = figures[case_id]
        row.key = case_id
        row.label, row.court_label, row.team_label = details[case_id]
        rows.append(row)
    rows.sort(key=lambda r: r.label)
    return rows


LEDGER_KINDS = ((AccountKind.BANK, "执行款专户（账面银行存款）"), (AccountKind.SUSPENSE, "不明款挂账"),
                (AccountKind.FEE, "执行费（待划转）"), (AccountKind.NONCASH, "非现金清偿（抵销）"))


def _ledger_rows(scope: ReportScope, start: dt.date, end: dt.date) -> list[LedgerRow]:
    """The court's own accounts: the bank account holds exactly what the others say is owed."""
    accounts = {a.pk: a for a in Account.objects.filter(court_id__in=scope.court_ids).exclude(kind=AccountKind.CASE)}
    sums = (Posting.objects.filter(account_id__in=list(accounts), value_on__lte=end).values("account_id")
            .annotate(before=Sum("amount_fen", filter=Q(value_on__lt=start)), through=Sum("amount_fen")).order_by())
    by_account = {row["account_id"]: row for row in sums}
    names = _court_names(scope.court_ids)
    rows = []
    for court_id in sorted(scope.court_ids, key=lambda c: names.get(c, "")):
        for kind, label in LEDGER_KINDS:
            account = next((a for a in accounts.values() if a.court_id == court_id and a.kind == kind), None)
            if account is None:
                continue
            sign = 1 if kind in (AccountKind.BANK, AccountKind.NONCASH) else -1
            row = by_account.get(account.pk, {})
            rows.append(LedgerRow(names[court_id], kind, label, sign * (row.get("before") or 0),
                                  sign * (row.get("through") or 0)))
    return rows


def _chunks(items: list, size: int = 900):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ---------------------------------------------------------------- aging


def bucket_of(days: int) -> int:
    for index, (limit, _label) in enumerate(AGING_BUCKETS):
        if limit is None or days <= limit:
            return index
    return len(AGING_BUCKETS) - 1  # pragma: no cover - the last bucket has no limit


BUCKET_LABELS = tuple(label for _limit, label in AGING_BUCKETS)


@dataclass
class AgingRow:
    key: int | None
    label: str
    court_label: str = ""
    team_label: str = ""
    buckets: list[int] = field(default_factory=lambda: [0] * len(AGING_BUCKETS))
    overdue_fen: int = 0  # past the court's payout deadline
    oldest_on: dt.date | None = None  # the oldest money still held arrived on
    team_id: int | None = None

    @property
    def total_fen(self) -> int:
        return sum(self.buckets)

    def add(self, other: AgingRow) -> None:
        self.buckets = [a + b for a, b in zip(self.buckets, other.buckets, strict=True)]
        self.overdue_fen += other.overdue_fen
        if other.oldest_on and (self.oldest_on is None or other.oldest_on < self.oldest_on):
            self.oldest_on = other.oldest_on

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "court": self.court_label, "team": self.team_label,
                "buckets_fen": list(self.buckets), "total_fen": self.total_fen, "overdue_fen": self.overdue_fen,
                "oldest_on": self.oldest_on}


@dataclass
class UnidentifiedRow:
    receipt_id: int
    court_label: str
    received_on: dt.date
    amount_fen: int
    payer_name: str
    payer_account: str
    sub_account_number: str
    bank_reference: str
    assign_due: dt.date | None
    days_waiting: int
    bucket: int
    overdue: bool

    @property
    def bucket_label(self) -> str:
        return BUCKET_LABELS[self.bucket]


@dataclass
class AgingReport:
    level: str
    as_of: dt.date
    scope: ReportScope
    rows: list[AgingRow]
    total: AgingRow
    overdue_through: dict[int, dt.date | None]  # per court: money that arrived by this day is past its payout deadline
    unidentified: list[UnidentifiedRow]
    unidentified_buckets: list[int]
    unidentified_overdue_fen: int

    @property
    def title(self) -> str:
        return f"案款账龄（按{LEVELS[self.level]}，截至 {self.as_of:%Y-%m-%d}）"

    @property
    def unidentified_total_fen(self) -> int:
        return sum(self.unidentified_buckets)


# Money on a case account is attributed to its most recent credits (FIFO: what came first went first).
# `held`: each account's balance as of the day; `credits`: its credits newest first with a running
# total; each credit keeps the part of the balance not already covered by newer ones.
FIFO_SQL = """
WITH held AS (
    SELECT account_id, -SUM(amount_fen) AS balance
    FROM {posting}
    WHERE court_id IN ({courts}) AND case_id IS NOT NULL AND value_on <= %s{team}
    GROUP BY account_id
    HAVING SUM(amount_fen) < 0
),
credits AS (
    SELECT p.account_id, p.court_id, p.value_on, -p.amount_fen AS credit, h.balance,
           SUM(-p.amount_fen) OVER (PARTITION BY p.account_id ORDER BY p.value_on DESC, p.id DESC
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS through
    FROM {posting} p JOIN held h ON h.account_id = p.account_id
    WHERE p.amount_fen < 0 AND p.value_on <= %s
)
SELECT account_id, court_id, value_on,
       SUM(CASE WHEN through <= balance THEN credit ELSE balance - (through - credit) END)
FROM credits
WHERE through - credit < balance
GROUP BY account_id, court_id, value_on
"""


def held_portions(scope: ReportScope, as_of: dt.date) -> list[tuple[int, int, dt.date, int]]:
    """(account, court, arrived on, fen still held) for every case account holding money on `as_of`."""
    courts = ", ".join(["%s"] * len(scope.court_ids))
    params: list = [*scope.court_ids, as_of]
    team = ""
    if scope.team_id is not None:
        team = f" AND case_id IN (SELECT id FROM {EnforcementCase._meta.db_table} WHERE team_id = %s)"
        params.append(scope.team_id)
    params.append(as_of)
    sql = FIFO_SQL.format(posting=Posting._meta.db_table, courts=courts, team=team)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(account_id, court_id, _as_date(day), int(fen)) for account_id, court_id, day, fen in rows]


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def payout_overdue_through(court_id: int, as_of: dt.date) -> dt.date | None:
    """The last arrival day whose payout deadline (the court's rule, services.payout_due) ended before
    `as_of`: money that arrived by then and is still held is late. The deadline only moves forward with
    the arrival day, so a bisection over the past year finds it in a dozen look-ups."""
    due = lru_cache(maxsize=None)(lambda day: services.payout_due(court_id, day))
    low, high = as_of - dt.timedelta(days=366), as_of
    if due(low) >= as_of:
        return None
    while (high - low).days > 1:
        middle = low + dt.timedelta(days=(high - low).days // 2)
        if due(middle) < as_of:
            low = middle
        else:
            high = middle
    return low


def aging_report(*, scope: ReportScope, level: str = "court", as_of: dt.date | None = None) -> AgingReport:
    """How long the money held on case accounts has been there (by AGING_BUCKETS), and how much is
    past the payout deadline; and the unidentified money waiting in suspense against its assign_due."""
    as_of = as_of or timezone.localdate()
    if as_of > timezone.localdate():
        raise ValidationFailed([FieldError("as_of", f"{as_of} 晚于今天")])
    level = _check_level(level, scope)
    portions = held_portions(scope, as_of)
    overdue_through = {court_id: payout_overdue_through(court_id, as_of) for court_id in scope.court_ids}
    by_account: dict[int, AgingRow] = {}
    account_court: dict[int, int] = {}
    for account_id, court_id, arrived_on, fen in portions:
        row = by_account.get(account_id)
        if row is None:
            row = by_account[account_id] = AgingRow(account_id, "")
            account_court[account_id] = court_id
        row.buckets[bucket_of((as_of - arrived_on).days)] += fen
        limit = overdue_through[court_id]
        if limit is not None and arrived_on <= limit:
            row.overdue_fen += fen
        if row.oldest_on is None or arrived_on < row.oldest_on:
            row.oldest_on = arrived_on
    names = _court_names(scope.court_ids)
    if level == "court":
        grouped: dict[int, AgingRow] = {}
        for court_id in Court.objects.filter(pk__in=scope.court_ids).order_by("court_code").values_list("pk", flat=True):
            grouped[court_id] = AgingRow(court_id, names[court_id], court_label=names[court_id])
        for account_id, row in by_account.items():
            grouped[account_court[account_id]].add(row)
        rows = list(grouped.values())
    else:
        rows = _aging_case_rows(by_account, names)
        if level == "team":
            rows = _aging_team_rows(scope, rows)
    total = AgingRow(None, "合计")
    for row in rows:
        total.add(row)
    unidentified = [] if scope.team_only else unidentified_rows(scope, as_of)
    buckets = [0] * len(AGING_BUCKETS)
    for item in unidentified:
        buckets[item.bucket] += item.amount_fen
    return AgingReport(level=level, as_of=as_of, scope=scope, rows=rows, total=total, overdue_through=overdue_through,
                       unidentified=unidentified, unidentified_buckets=buckets,
                       unidentified_overdue_fen=sum(u.amount_fen for u in unidentified if u.overdue))


def _aging_case_rows(by_account: dict[int, AgingRow], names: dict[int, str]) -> list[AgingRow]:
    rows = []
    for chunk in _chunks(sorted(by_account)):
        for account_id, case_id, number, court_id, team_id, team_name in (
                Account.objects.filter(pk__in=chunk)
                .values_list("pk", "case_id", "case__case_number", "court_id", "case__team_id", "case__team__name")):
            row = by_account[account_id]
            row.key, row.label = case_id, number
            row.court_label, row.team_label = names.get(court_id, ""), team_name or UNASSIGNED_TEAM
            row.team_id = team_id
            rows.append(row)
    rows.sort(key=lambda r: (-r.total_fen, r.label))
    return rows


def _aging_team_rows(scope: ReportScope, case_rows: list[AgingRow]) -> list[AgingRow]:
    teams = Team.objects.filter(court_id=scope.single_court)
    if scope.team_id is not None:
        teams = teams.filter(pk=scope.team_id)
    court_label = _court_names([scope.single_court])[scope.single_court]
    grouped: dict[int | None, AgingRow] = {t.pk: AgingRow(t.pk, t.name, court_label, t.name) for t in teams.order_by("name")}
    for row in case_rows:
        team_id = row.team_id
        if team_id not in grouped:
            grouped[team_id] = AgingRow(team_id, row.team_label, court_label, row.team_label)
        grouped[team_id].add(row)
    return list(grouped.values())


def unidentified_rows(scope: ReportScope, as_of: dt.date) -> list[UnidentifiedRow]:
    """不明款 waiting on `as_of`: received by then and not yet assigned to a case (an assignment dated
    later still counts as waiting). A return is not dated on the receipt: returned money is left out."""
    receipts = Receipt.objects.filter(
        Q(status=ReceiptStatus.UNIDENTIFIED) | Q(status=ReceiptStatus.ASSIGNED, assign_journal__value_on__gt=as_of),
        court_id__in=scope.court_ids, received_on__lte=as_of)
    names = _court_names(scope.court_ids)
    rows = []
    for r in receipts.order_by("received_on", "pk"):
        days = (as_of - r.received_on).days
        rows.append(UnidentifiedRow(
            receipt_id=r.pk, court_label=names.get(r.court_id, ""), received_on=r.received_on, amount_fen=r.amount_fen,
            payer_name=r.payer_name, payer_account=r.payer_account, sub_account_number=r.sub_account_number,
            bank_reference=r.bank_reference, assign_due=r.assign_due, days_waiting=days, bucket=bucket_of(days),
            overdue=bool(r.assign_due and r.assign_due < as_of)))
    return rows


UNIDENTIFIED_CITATION = UNIDENTIFIED_ASSIGN.citation
