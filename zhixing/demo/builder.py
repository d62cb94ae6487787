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

from django.core.management.color import no_style
from django.db import connection, transaction

from zhixing.accounts.models import User
from zhixing.cases.choices import SUPERVISION_ACTIONS
from zhixing.cases.models import CaseNumberSequence, EnforcementCase, LogEntry
from zhixing.courts.models import Court, Division, Team
from zhixing.workdays import calendar

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

    def __init__(self, *, seed: int, cases: int, today: dt.date, ids: dict[str, int], password_hash: str):
        self.province: Province = plan_province(_province_rng(seed), password_hash=password_hash, first_ids=ids)
        self.rng = random.Random(seed)
        self.calendar = DemoCalendar()
        self.today = today
        self.slots: list[Slot] = plan_slots(self.rng, self.province, cases, today, self.calendar)

    def chunks(self, *, first_case_id: int, chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
        generator = CaseGenerator(self.rng, self.province, self.today, self.calendar)
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
    plan = DemoPlan(seed=seed, cases=cases, today=today, ids=first_ids(), password_hash=demo_password_hash())
    with transaction.atomic():
        save_province(plan.province)
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


def _reset_id_sequences() -> None:
    """The builder chose the ids itself; PostgreSQL's sequences must continue after them."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Court, Division, Team, User, EnforcementCase])
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
