"""Build the demo province and its cases (`zhixing demo`), chunk by chunk, with bulk inserts.

Same seed and same "today" → the same rows, case numbers and log hashes in any fresh database:
every random choice comes from random.Random(seed) in filing order, timestamps are derived from the
data (never from the clock), and primary keys are assigned here, counted on from the highest id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, transaction

from zhixing.accounts.models import User
from zhixing.cases.choices import SUPERVISION_ACTIONS
from zhixing.cases.models import CaseNumberSequence, EnforcementCase, LogEntry
from zhixing.courts.models import Court, Division, Team
from zhixing.money.models import Account, Journal, MoneySettings, PayoutOrder, Receipt
from zhixing.workdays import calendar

from .casemoney import (
    ACCOUNT_COLUMNS,
    MONEY_TABLES,
    SUB_ACCOUNT_PREFIX,
    Books,
    first_money_ids,
    fresh_money_ids,
    unidentified_receipts,
)
from .cases import CaseGenerator, Chunk
from .province import (
    Province,
    _next_id,
    demo_password_hash,
    first_ids,
    fresh_ids,
    plan_province,
    save_province,
)
from .rows import CASE_COLUMNS, LOG_COLUMNS, TABLES, insert_rows
from .timeline import DemoCalendar, Slot, last_sequences, plan_slots

CHUNK_SIZE = 2000


class DatabaseNotEmpty(Exception):
    pass


@dataclass
class DemoResult:
    courts: int
    users: int
    cases: int
    log_entries: int
    seconds: float
    unloaded_years: list[int]


def database_is_empty() -> bool:
    return not Court.objects.exists() and not EnforcementCase.objects.exists()


def _province_rng(seed: int) -> random.Random:
    # Its own stream, so that the cases of a seed do not change when the staff lists do.
    return random.Random(f"zhixing-demo-province-{seed}")


class DemoPlan:
    """The whole demo for (seed, n, today): the province now, the cases chunk by chunk on demand."""

    def __init__(self, *, seed: int, cases: int, today: dt.date, ids: dict[str, int], password_hash: str,
                 money_ids: dict[str, int] | None = None):
        self.province: Province = plan_province(_province_rng(seed), password_hash=password_hash, first_ids=ids)
        self.seed = seed
        self.rng = random.Random(seed)
        self.calendar = DemoCalendar()
        self.today = today
        self.slots: list[Slot] = plan_slots(self.rng, self.province, cases, today, self.calendar)
        self.books = Books(self.province, money_ids or fresh_money_ids())

    def chunks(self, *, first_case_id: int, chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
        generator = CaseGenerator(self.rng, self.province, self.today, self.calendar, self.books)
        for start in range(0, len(self.slots), chunk_size):
            chunk = Chunk()
            for offset, slot in enumerate(self.slots[start : start + chunk_size]):
                generator.case(slot, first_case_id + start + offset, chunk)
            yield chunk


def build_demo(
    *,
    cases: int,
    seed: int,
    today: dt.date,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> DemoResult:
    """Write the demo province and `cases` cases into an empty database."""
    if not database_is_empty():
        raise DatabaseNotEmpty
    started = time.monotonic()
    calendar.reset_fallback_tracking()
    plan = DemoPlan(seed=seed, cases=cases, today=today, ids=first_ids(), password_hash=demo_password_hash(),
                    money_ids=first_money_ids())
    with transaction.atomic():
        save_province(plan.province)
        _open_books(plan)
    done = log_entries = 0

    def written(chunk: Chunk) -> None:
        nonlocal done, log_entries
        done += len(chunk.cases)
        log_entries += len(chunk.logs)
        if progress:
            progress(done, cases)

    _write_chunks(plan.chunks(first_case_id=_next_id(EnforcementCase), chunk_size=chunk_size), written)
    with transaction.atomic():
        CaseNumberSequence.objects.bulk_create(
            CaseNumberSequence(court_id=court_id, year=year, case_type=case_type, last_value=last)
            for (court_id, year, case_type), last in sorted(last_sequences(plan.slots).items())
        )
        _write_books(plan)
        _reset_id_sequences()
    return DemoResult(
        courts=len(plan.province.courts),
        users=len(plan.province.users),
        cases=done,
        log_entries=log_entries,
        seconds=time.monotonic() - started,
        unloaded_years=sorted(calendar.fallback_years_used()),
    )


def _write_chunks(chunks: Iterator[Chunk], written: Callable[[Chunk], None]) -> None:
    # A writer thread overlapping generation was tried: the GIL makes both halves slower, no gain.
    for chunk in chunks:
        _write_chunk(chunk)
        written(chunk)


def _write_chunk(chunk: Chunk) -> None:
    with transaction.atomic():
        for (model, columns), rows in zip(
            TABLES, (chunk.cases, chunk.bases, chunk.parties, chunk.claims, chunk.nodes, chunk.logs), strict=True
        ):
            insert_rows(model, columns, rows)
        for (model, columns), rows in zip(MONEY_TABLES, chunk.money.tables(), strict=True):
            insert_rows(model, columns, rows)


def _open_books(plan: DemoPlan) -> None:
    """Each court's enforcement account settings and its bank, suspense and fee accounts (the cases'
    postings refer to them)."""
    opened = dt.datetime.combine(plan.today - dt.timedelta(days=3 * 365), dt.time(9), tzinfo=ZoneInfo("Asia/Shanghai"))
    insert_rows(Account, ACCOUNT_COLUMNS, plan.books.ledger_accounts(opened))
    MoneySettings.objects.bulk_create(
        MoneySettings(court_id=staff.court.pk, bank_name="中国工商银行" if staff.spec.city == "杭州市" else "宁波银行",
                      account_name=f"{staff.spec.name}执行款专户", account_number=f"1202{staff.court.pk:04d}09{index:08d}",
                      sub_account_prefix=SUB_ACCOUNT_PREFIX)
        for index, staff in enumerate(plan.province.courts, start=1)
    )


def _write_books(plan: DemoPlan) -> None:
    """After the cases: each court's unidentified money, then the court accounts' balances, which every
    posting of the build adds up to."""
    unidentified = unidentified_receipts(plan.books, plan.province, random.Random(f"zhixing-demo-money-{plan.seed}"),
                                         plan.today)
    for (model, columns), rows in zip(MONEY_TABLES, unidentified.tables(), strict=True):
        insert_rows(model, columns, rows)
    for pk, balance in plan.books.balances.items():
        Account.objects.filter(pk=pk).update(balance_fen=balance)


def _reset_id_sequences() -> None:
    """The builder chose the ids itself; PostgreSQL's sequences must continue after them."""
    statements = connection.ops.sequence_reset_sql(
        no_style(), [Court, Division, Team, User, EnforcementCase, Account, Journal, Receipt, PayoutOrder])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


# ---------------------------------------------------------------- digests (for tests and reproducibility checks)


DIGEST_FIELDS = ("id", "case_number", "status", "stage", "closing_type", "claim_amount_fen", "performed_amount_fen",
                 "filed_on", "closed_on", "archived_on", "handler_id")


def _case_line(number, status, stage, closing_type, claim, performed, filed_on, closed_on, archived_on, handler_id) -> str:
    dates = "|".join(d.isoformat() if d else "" for d in (filed_on, closed_on, archived_on))
    return f"{number}|{status}|{stage}|{closing_type}|{claim}|{performed}|{dates}|{handler_id or ''}"


def plan_digest(*, cases: int, seed: int, today: dt.date) -> str:
    """SHA-256 of what build_demo would write into a fresh database, computed without writing."""
    plan = DemoPlan(seed=seed, cases=cases, today=today, ids=fresh_ids(), password_hash="")
    digest = hashlib.sha256()
    index = {name: CASE_COLUMNS.index(name) for name in DIGEST_FIELDS}
    case_id, entry_hash = LOG_COLUMNS.index("case_id"), LOG_COLUMNS.index("entry_hash")
    for chunk in plan.chunks(first_case_id=1):
        hashes: dict[int, list[str]] = {}
        for entry in chunk.logs:
            hashes.setdefault(entry[case_id], []).append(entry[entry_hash])
        for row in chunk.cases:
            digest.update(_case_line(*(row[index[name]] for name in DIGEST_FIELDS[1:])).encode())
            digest.update(",".join(hashes[row[0]]).encode())
    return digest.hexdigest()


def database_digest() -> str:
    """The same digest, read back from the database (the builder's rows: the demo's supervision runs
    come after it and append their own entries)."""
    digest = hashlib.sha256()
    hashes: dict[int, list[str]] = {}
    entries = LogEntry.objects.exclude(action__in=SUPERVISION_ACTIONS).order_by("case_id", "seq")
    for case_id, entry_hash in entries.values_list("case_id", "entry_hash").iterator():
        hashes.setdefault(case_id, []).append(entry_hash)
    for pk, *values in EnforcementCase.objects.order_by("pk").values_list(*DIGEST_FIELDS).iterator():
        digest.update(_case_line(*values).encode())
        digest.update(",".join(hashes.get(pk, [])).encode())
    return digest.hexdigest()
