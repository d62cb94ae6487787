"""Reconciling the court's enforcement account with its bank: who may see the statements, the
statements and their lines, and the reconciliation report of a period — statement lines the ledger
does not explain, bank movements of the ledger the statement does not show, and the bank's own
closing balance against the ledger's bank account, day by day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.exceptions import FieldError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.models import Court

from . import ledger
from .choices import AccountKind
from .models import Journal, LineStatus, Posting, StatementImport, StatementLine
from .rules import RECORDERS

# The bank statements show every payer and payee of the court: the finance desk, the court's
# leadership and command centre read them; a higher court's supervisor reads the courts below.
STATEMENT_READERS = frozenset({Role.FINANCE, Role.BUREAU_HEAD, Role.PRESIDENT, Role.COMMAND_CENTRE})
MATCHED_STATUSES = tuple(s for s in LineStatus.values if s != LineStatus.UNMATCHED)


def statement_court_ids(user: User) -> list[int] | None:
    """Courts whose statements `user` reads; None: every court. The cases' visibility, for the readers only."""
    if user.is_superuser or user.role in STATEMENT_READERS | {Role.SUPERVISOR}:
        return visible_court_ids(user)
    return []


def readable_courts(user: User) -> list[Court]:
    ids = statement_court_ids(user)
    courts = Court.objects.order_by("court_code")
    return list(courts if ids is None else courts.filter(pk__in=ids))


def statement_court(user: User, court_id: int | None = None, *, write: bool = False) -> Court:
    """The court whose statements `user` reads (or, with `write`, imports): their own by default.
    NotAllowed says why not."""
    if write:
        if not (user.is_superuser or user.role in RECORDERS):
            raise NotAllowed(f"您的角色（{user.get_role_display() or '无'}）不能导入银行对账单；可由：案款管理（财务）")
        if not user.is_superuser and court_id is not None and court_id != user.court_id:
            raise NotAllowed("只能导入本院的银行对账单")
    readable = statement_court_ids(user)
    if readable == []:
        readers = "、".join(Role(r).label for r in sorted(STATEMENT_READERS | {Role.SUPERVISOR}))
        raise NotAllowed(f"您的角色（{user.get_role_display() or '无'}）不能查看银行对账单；可由：{readers}")
    court_id = court_id or user.court_id
    if court_id is None:
        raise ValidationFailed([FieldError("court_id", "请选择法院")])
    if readable is not None and court_id not in readable:
        raise NotAllowed("只能查看本院及下级法院的银行对账单" if user.role == Role.SUPERVISOR else "只能查看本院的银行对账单")
    court = Court.objects.filter(pk=court_id).first()
    if court is None:
        raise ValidationFailed([FieldError("court_id", f"没有编号为 {court_id} 的法院")])
    return court


def statements_for(court: Court) -> QuerySet[StatementImport]:
    return StatementImport.objects.filter(court=court).select_related("imported_by").order_by("-imported_at", "-id")


def statement_get_for_user(*, user: User, pk: int) -> StatementImport:
    """A statement the user may read, or NotFound (also for another court's, so it is not revealed)."""
    statement = StatementImport.objects.select_related("court", "imported_by").filter(pk=pk).first()
    readable = statement_court_ids(user)
    if statement is None or (readable is not None and statement.court_id not in readable):
        raise NotFound("对账单不存在")
    return statement


def statement_counts(statement: StatementImport) -> dict[str, int]:
    """Lines of the statement by reconciliation status (now: lines may have been matched since)."""
    rows = statement.lines.values("status").annotate(n=Count("pk")).order_by()
    counts = dict.fromkeys(LineStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def statement_lines(statement: StatementImport, status: str = "") -> QuerySet[StatementLine]:
    lines = statement.lines.select_related("receipt__case", "order__case").order_by("line_no")
    if status == "matched":
        return lines.filter(status__in=MATCHED_STATUSES)
    if status:
        if status not in LineStatus.values:
            raise ValidationFailed([FieldError("status", f"未知对账状态 {status}")])
        lines = lines.filter(status=status)
    return lines


# ---------------------------------------------------------------- the reconciliation report


@dataclass
class Movement:
    """A bank movement of the ledger (a journal touching the bank account) no statement line explains."""

    journal_id: int
    kind: str
    kind_label: str
    value_on: dt.date
    amount_fen: int  # as the bank sees it: money in positive, out negative
    memo: str
    case_number: str
    reference: str
    covered: bool  # a statement covers the day (else it may simply not be imported yet)


@dataclass
class BalanceCheck:
    day: dt.date
    statement_fen: int
    ledger_fen: int

    @property
    def difference_fen(self) -> int:
        return self.statement_fen - self.ledger_fen


@dataclass
class Reconciliation:
    court: Court
    start: dt.date
    end: dt.date
    statement_in_fen: int = 0
    statement_out_fen: int = 0
    ledger_in_fen: int = 0
    ledger_out_fen: int = 0
    line_counts: dict[str, int] = field(default_factory=dict)
    unmatched_lines: list[StatementLine] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    balances: list[BalanceCheck] = field(default_factory=list)
    coverage: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    ledger_closing_fen: int = 0

    @property
    def differences(self) -> list[BalanceCheck]:
        return [b for b in self.balances if b.difference_fen]

    @property
    def closing(self) -> BalanceCheck | None:
        return self.balances[-1] if self.balances else None

    @property
    def in_difference_fen(self) -> int:
        return self.statement_in_fen - self.ledger_in_fen

    @property
    def out_difference_fen(self) -> int:
        return self.statement_out_fen - self.ledger_out_fen

    @property
    def line_count_labels(self) -> list[tuple[str, int]]:
        return [(LineStatus(status).label, n) for status, n in self.line_counts.items() if n]

    @property
    def balanced(self) -> bool:
        return not self.unmatched_lines and not self.movements and not self.differences


def default_period(court: Court) -> tuple[dt.date, dt.date]:
    """The last statement's dates, or this month so far."""
    last = StatementImport.objects.filter(court=court, first_on__isnull=False).order_by("-last_on", "-id").first()
    if last is not None:
        return last.first_on, last.last_on
    today = timezone.localdate()
    return today.replace(day=1), today


def reconciliation_report(*, court: Court, start: dt.date, end: dt.date) -> Reconciliation:
    if end < start:
        raise ValidationFailed([FieldError("end", "截止日期早于起始日期")])
    if (end - start).days > 366:
        raise ValidationFailed([FieldError("end", "对账期间最长一年")])
    report = Reconciliation(court=court, start=start, end=end)
    lines = StatementLine.objects.filter(court=court, value_on__gte=start, value_on__lte=end)
    totals = lines.aggregate(credit=Sum("amount_fen", filter=Q(amount_fen__gt=0)), debit=Sum("amount_fen", filter=Q(amount_fen__lt=0)))
    report.statement_in_fen, report.statement_out_fen = totals["credit"] or 0, -(totals["debit"] or 0)
    report.line_counts = dict.fromkeys(LineStatus.values, 0)
    report.line_counts.update({r["status"]: r["n"] for r in lines.values("status").annotate(n=Count("pk")).order_by()})
    report.unmatched_lines = list(lines.filter(status=LineStatus.UNMATCHED).select_related("statement")
                                  .order_by("value_on", "statement_id", "line_no"))
    report.coverage = _coverage(court, start, end)
    bank = ledger.ledger_account(court.pk, AccountKind.BANK)
    postings = Posting.objects.filter(account=bank, value_on__gte=start, value_on__lte=end)
    moved = postings.aggregate(debit=Sum("amount_fen", filter=Q(amount_fen__gt=0)), credit=Sum("amount_fen", filter=Q(amount_fen__lt=0)))
    report.ledger_in_fen, report.ledger_out_fen = moved["debit"] or 0, -(moved["credit"] or 0)
    report.movements = _unmatched_movements(court, postings, report.coverage)
    report.balances, report.ledger_closing_fen = _balances(court, bank.pk, start, end)
    return report


def _coverage(court: Court, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The days of the period some imported statement covers, as merged intervals."""
    spans = sorted(StatementImport.objects.filter(court=court, first_on__lte=end, last_on__gte=start)
                   .values_list("first_on", "last_on"))
    merged: list[list[dt.date]] = []
    for first, last in spans:
        first, last = max(first, start), min(last, end)
        if merged and first <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(a, b) for a, b in merged]


def _unmatched_movements(court: Court, postings, coverage) -> list[Movement]:
    """Bank postings whose journal no statement line points at. A mistaken journal and its reversal,
    neither on the statement, cancel out and are left out; a reversal of a matched journal is not."""
    matched = StatementLine.objects.filter(court=court, journal__isnull=False).values("journal_id")
    rows = list(postings.exclude(journal_id__in=matched).select_related("journal", "journal__case")
                .order_by("value_on", "journal_id"))
    if not rows:
        return []
    ids = [p.journal_id for p in rows]
    reversed_ids = set(Journal.objects.filter(reverses_id__in=ids).values_list("reverses_id", flat=True))
    originals = {p.journal.reverses_id for p in rows if p.journal.reverses_id}
    matched_originals = set(StatementLine.objects.filter(court=court, journal_id__in=originals).values_list("journal_id", flat=True))
    references = _references([p.journal for p in rows])
    movements = []
    for posting in rows:
        journal = posting.journal
        if journal.pk in reversed_ids:
            continue  # reversed, never on the statement
        if journal.reverses_id and journal.reverses_id not in matched_originals:
            continue  # the reversal of such a journal
        movements.append(Movement(
            journal_id=journal.pk, kind=journal.kind, kind_label=journal.get_kind_display(), value_on=posting.value_on,
            amount_fen=posting.amount_fen, memo=journal.memo, case_number=journal.case.case_number if journal.case else "",
            reference=references.get(journal.pk, ""), covered=any(a <= posting.value_on <= b for a, b in coverage)))
    movements.sort(key=lambda m: not m.covered)  # what a statement should have shown first (stable: by date)
    return movements


def _references(journals: list[Journal]) -> dict[int, str]:
    """The bank reference each journal was booked with (receipt or payment), where there was one."""
    from .models import FeeRemittance, PayoutOrder, Receipt

    ids = [j.pk for j in journals]
    found = dict(Receipt.objects.filter(journal_id__in=ids).exclude(bank_reference="").values_list("journal_id", "bank_reference"))
    found.update(PayoutOrder.objects.filter(journal_id__in=ids).exclude(bank_reference="").values_list("journal_id", "bank_reference"))
    found.update(Receipt.objects.filter(return_journal_id__in=ids).exclude(return_reference="")
                 .values_list("return_journal_id", "return_reference"))
    found.update(FeeRemittance.objects.filter(journal_id__in=ids).values_list("journal_id", "bank_reference"))
    return found


def _balances(court: Court, bank_id: int, start: dt.date, end: dt.date) -> tuple[list[BalanceCheck], int]:
    """Each day of the period for which a statement gives the bank's closing balance, against the
    ledger's bank account as of that day; and the ledger's bank balance at the end of the period."""
    before = Posting.objects.filter(account_id=bank_id, value_on__lt=start).aggregate(s=Sum("amount_fen"))["s"] or 0
    by_day = dict(Posting.objects.filter(account_id=bank_id, value_on__gte=start, value_on__lte=end)
                  .values("value_on").annotate(s=Sum("amount_fen")).order_by().values_list("value_on", "s"))
    statement_closing: dict[dt.date, int] = {}
    imports = (StatementImport.objects.filter(court=court, first_on__lte=end, last_on__gte=start,
                                              closing_balance_fen__isnull=False).order_by("imported_at", "id"))
    for statement in imports:  # a later import of the same day speaks last
        for day, fen in (statement.report or {}).get("closing_by_day", {}).items():
            day = dt.date.fromisoformat(day)
            if start <= day <= end:
                statement_closing[day] = fen
    checks = []
    running = before
    day = start
    while day <= end:
        running += by_day.get(day, 0)
        if day in statement_closing:
            checks.append(BalanceCheck(day, statement_closing[day], running))
        day += dt.timedelta(days=1)
    return checks, running
