"""The double-entry core: accounts, posting a journal, balances, and the ledger's own check.

Everything that moves money calls `post`, inside the caller's transaction. Accounts are locked in
primary-key order (no deadlocks between two postings touching the same accounts), every journal sums
to zero, and no account may end below zero — checked here with a clear message and again by the
database (`money_account_never_negative`), so a race or a bug cannot overdraw one either."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from zhixing.cases.exceptions import DomainError
from zhixing.cases.models import EnforcementCase
from zhixing.documents.formatting import yuan_text

from .choices import ASSET_KINDS, AccountKind, JournalKind
from .models import Account, Journal, MoneySettings, Posting


class Overdrawn(DomainError):
    code = "overdrawn"
    http_status = 409


# ---------------------------------------------------------------- accounts


def luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_digit(number[:-1]) == number[-1]


def settings_for(court_id: int) -> MoneySettings:
    row = MoneySettings.objects.filter(court_id=court_id).first()
    return row or MoneySettings(court_id=court_id)


def sub_account_number(prefix: str, case_id: int) -> str:
    """一案一账号: the court's prefix, the case's number in ten digits, a Luhn check digit."""
    body = f"{prefix}{case_id:010d}"
    return body + luhn_digit(body)


def case_account(case: EnforcementCase) -> Account:
    """The case's virtual sub-account, opened on first use (its number is known before that)."""
    account = Account.objects.filter(case_id=case.pk).first()
    if account is not None:
        return account
    number = sub_account_number(settings_for(case.court_id).sub_account_prefix, case.pk)
    with transaction.atomic():
        account, _ = Account.objects.get_or_create(
            case_id=case.pk,
            defaults={"court_id": case.court_id, "kind": AccountKind.CASE, "number": number,
                      "name": f"{case.case_number} 案款"},
        )
    return account


LEDGER_NAMES = {
    AccountKind.BANK: "执行款专户",
    AccountKind.SUSPENSE: "不明款",
    AccountKind.FEE: "执行费收入",
    AccountKind.NONCASH: "非现金清偿",
}


def ledger_account(court_id: int, kind: str) -> Account:
    """The court's one account of a ledger kind (bank, suspense, fee, non-cash)."""
    account = Account.objects.filter(court_id=court_id, kind=kind).first()
    if account is not None:
        return account
    with transaction.atomic():
        account, _ = Account.objects.get_or_create(
            court_id=court_id, kind=kind,
            defaults={"number": f"{kind.upper()}-{court_id}", "name": LEDGER_NAMES[kind]},
        )
    return account


def normal_sign(kind: str) -> int:
    return 1 if kind in ASSET_KINDS else -1


# ---------------------------------------------------------------- posting


@dataclass(frozen=True)
class Line:
    account: Account
    debit_fen: int  # positive: debit; negative: credit


def debit(account: Account, amount_fen: int) -> Line:
    return Line(account, amount_fen)


def credit(account: Account, amount_fen: int) -> Line:
    return Line(account, -amount_fen)


def lock_accounts(account_ids) -> dict[int, Account]:
    """Lock the accounts (in pk order) and read their balances under the lock."""
    rows = Account.objects.select_for_update().filter(pk__in=set(account_ids)).order_by("pk")
    return {row.pk: row for row in rows}


def post(*, court_id: int, kind: str, lines: list[Line], value_on: dt.date, actor, memo: str, case=None,
         reason: str = "", reverses: Journal | None = None, key: str | None = None) -> Journal:
    """Post one balanced journal. The caller's transaction covers it (and its business record)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post() must run inside the caller's transaction")
    merged: dict[int, int] = defaultdict(int)
    by_id: dict[int, Account] = {}
    for line in lines:
        merged[line.account.pk] += line.debit_fen
        by_id[line.account.pk] = line.account
    merged = {pk: amount for pk, amount in merged.items() if amount}
    if len(merged) < 2 or sum(merged.values()) != 0:
        raise ValueError(f"unbalanced journal: {dict(merged)}")
    locked = lock_accounts(merged)
    for pk, amount in merged.items():
        account = locked[pk]
        if account.court_id != court_id:
            raise ValueError("a journal posts within one court")
        after = account.balance_fen + normal_sign(account.kind) * amount
        if after < 0:
            raise Overdrawn(f"{account.name}（{account.number}）余额不足：现有 {yuan_text(account.balance_fen)}，"
                            f"本次需 {yuan_text(abs(amount))}（账户余额不得为负）")
    now = timezone.now()
    journal = Journal.objects.create(
        court_id=court_id, kind=kind, case=case, value_on=value_on, posted_at=now, actor=actor,
        actor_name=actor.display_name if actor is not None else "系统", memo=memo[:300], reason=reason[:500],
        reverses=reverses, key=key,
    )
    Posting.objects.bulk_create([
        Posting(journal=journal, account_id=pk, court_id=court_id, case_id=locked[pk].case_id, amount_fen=amount,
                value_on=value_on)
        for pk, amount in sorted(merged.items())
    ])
    for pk, amount in merged.items():
        Account.objects.filter(pk=pk).update(balance_fen=F("balance_fen") + normal_sign(locked[pk].kind) * amount)
    return journal


def reverse(journal: Journal, *, actor, reason: str, value_on: dt.date, key: str | None = None) -> Journal:
    """A journal with every posting negated; the original stays as it was."""
    lines = [Line(p.account, -p.amount_fen) for p in journal.postings.select_related("account")]
    return post(court_id=journal.court_id, kind=JournalKind.REVERSAL, lines=lines, value_on=value_on, actor=actor,
                memo=f"冲正凭证{journal.pk}：{journal.memo}"[:300], case=journal.case, reason=reason, reverses=journal,
                key=key)


# ---------------------------------------------------------------- checks


@dataclass(frozen=True)
class LedgerProblem:
    what: str
    detail: str


def verify(court_id: int | None = None) -> list[LedgerProblem]:
    """Every journal sums to zero; every cached balance equals its postings; the bank holds exactly
    what the other accounts say is owed (per court)."""
    problems: list[LedgerProblem] = []
    postings = Posting.objects.all() if court_id is None else Posting.objects.filter(court_id=court_id)
    for journal_id, total in postings.values("journal_id").annotate(total=Sum("amount_fen")).exclude(total=0).values_list("journal_id", "total"):
        problems.append(LedgerProblem("unbalanced_journal", f"凭证{journal_id} 借贷不平：{total}"))
    sums = dict(postings.values("account_id").annotate(total=Sum("amount_fen")).values_list("account_id", "total"))
    accounts = Account.objects.all() if court_id is None else Account.objects.filter(court_id=court_id)
    per_court: dict[int, int] = defaultdict(int)
    for account in accounts:
        expected = normal_sign(account.kind) * sums.get(account.pk, 0)
        if expected != account.balance_fen:
            problems.append(LedgerProblem("balance_mismatch", f"{account} 余额 {account.balance_fen} ≠ 分录合计 {expected}"))
        if account.balance_fen < 0:
            problems.append(LedgerProblem("negative", f"{account} 余额为负"))
        per_court[account.court_id] += normal_sign(account.kind) * account.balance_fen
    for court, total in per_court.items():
        if total != 0:
            problems.append(LedgerProblem("assets_liabilities", f"法院{court} 资产与负债不等：差 {total}"))
    return problems
