"""The execution log (执行日志): append-only, hash-chained per case.

An entry's hash covers its content and the previous entry's hash, so an edit anywhere in the chain,
or a deleted entry, breaks every hash after it; `zhixing verify-log` finds such cases.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from zhixing.bulk import insert_rows

from .models import EnforcementCase, LogEntry

GENESIS = "0" * 64


def _canonical_at(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def compute_hash(
    *,
    case_id: int,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    node_code: str,
    summary: str,
    before,
    after,
    reason: str,
    prev_hash: str,
) -> str:
    content = {
        "case": case_id,
        "seq": seq,
        "at": _canonical_at(at),
        "actor": actor_id,
        "actor_name": actor_name,
        "action": action,
        "node": node_code,
        "summary": summary,
        "before": before,
        "after": after,
        "reason": reason,
        "prev": prev_hash,
    }
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class _CaseRef(NamedTuple):
    """What an entry needs of its case (log_append_many reads no more)."""
    pk: int
    court_id: int


def new_entry(
    *,
    case: EnforcementCase | _CaseRef,
    seq: int,
    prev_hash: str,
    actor,
    action: str,
    summary: str,
    before=None,
    after=None,
    reason: str = "",
    node_code: str = "",
    at: dt.datetime | None = None,
) -> LogEntry:
    """An unsaved, hashed entry (services append one; the demo builder bulk-creates many)."""
    at = at or timezone.now()
    actor_name = actor.display_name if actor is not None else "系统"
    entry = LogEntry(
        court_id=case.court_id,
        case_id=case.pk,
        seq=seq,
        at=at,
        actor_id=actor.pk if actor is not None else None,
        actor_name=actor_name,
        action=action,
        node_code=node_code,
        summary=summary,
        before=before,
        after=after,
        reason=reason,
        prev_hash=prev_hash,
    )
    entry.entry_hash = compute_hash(
        case_id=case.pk,
        seq=seq,
        at=at,
        actor_id=entry.actor_id,
        actor_name=actor_name,
        action=action,
        node_code=node_code,
        summary=summary,
        before=before,
        after=after,
        reason=reason,
        prev_hash=prev_hash,
    )
    return entry


def log_tails(case_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """{case_id: (last seq, last hash)} in one query, for appending to many chains at once. Read
    after the cases are locked."""
    last_seq = LogEntry.objects.filter(case_id=OuterRef("case_id")).order_by("-seq").values("seq")[:1]
    rows = LogEntry.objects.filter(case_id__in=list(case_ids), seq=Subquery(last_seq))
    return {case_id: (seq, entry_hash) for case_id, seq, entry_hash in rows.values_list("case_id", "seq", "entry_hash")}


@dataclass(frozen=True)
class LogEvent:
    """One entry to append with `log_append_many`."""

    action: str
    summary: str
    after: dict | None = None
    before: dict | None = None
    node_code: str = ""


_LOG_COLUMNS = tuple(f.attname for f in LogEntry._meta.concrete_fields if not f.primary_key)


def log_append_many(events: dict[int, list[LogEvent]], *, actor, at: dt.datetime, reason: str) -> int:
    """Append to many cases' chains at once (a batch of queries, an imported reply file, the nightly
    run): one query for the tails per 2,000 cases, entries inserted in each case's order as plain rows
    (zhixing.bulk: a first night may lock tens of thousands of cases). The caller holds the cases' row
    locks, or is the only writer (the supervision run)."""
    case_ids = sorted(events)
    written = 0
    for start in range(0, len(case_ids), 2000):
        chunk = case_ids[start : start + 2000]
        # The entries need each case's id and court only: no model instances for thousands of cases.
        cases = {pk: _CaseRef(pk, court_id)
                 for pk, court_id in EnforcementCase.objects.filter(pk__in=chunk).values_list("pk", "court_id")}
        tails = log_tails(chunk)
        entries = []
        for case_id in chunk:
            seq, prev = tails.get(case_id, (0, GENESIS))
            for event in events[case_id]:
                seq += 1
                entry = new_entry(case=cases[case_id], seq=seq, prev_hash=prev, actor=actor, action=event.action,
                                  summary=event.summary[:300], before=event.before, after=event.after, reason=reason,
                                  node_code=event.node_code, at=at)
                prev = entry.entry_hash
                entries.append(entry)
        written += insert_rows(LogEntry, _LOG_COLUMNS, [tuple(getattr(e, c) for c in _LOG_COLUMNS) for e in entries])
    return written


def log_append(*, case: EnforcementCase, actor, action: str, summary: str, **fields) -> LogEntry:
    """Append one entry. The caller holds the case row lock (select_for_update) inside its transaction."""
    last = LogEntry.objects.filter(case_id=case.pk).order_by("-seq").values_list("seq", "entry_hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    entry = new_entry(case=case, seq=seq, prev_hash=prev_hash, actor=actor, action=action, summary=summary, **fields)
    entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class ChainBreak:
    case_id: int
    case_number: str
    seq: int
    problem: str


def _entry_hash(entry: LogEntry) -> str:
    return compute_hash(
        case_id=entry.case_id,
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        node_code=entry.node_code,
        summary=entry.summary,
        before=entry.before,
        after=entry.after,
        reason=entry.reason,
        prev_hash=entry.prev_hash,
    )


def verify_entries(entries: Iterable[LogEntry]) -> Iterator[tuple[int, int, str]]:
    """Yield (case_id, seq, problem) for each broken link in entries ordered by case, seq."""
    current_case, expected_seq, expected_prev = None, 1, GENESIS
    broken_case = None
    for entry in entries:
        if entry.case_id != current_case:
            current_case, expected_seq, expected_prev, broken_case = entry.case_id, 1, GENESIS, None
        if broken_case == entry.case_id:
            continue  # one report per case: everything after the first break is broken too
        problem = None
        if entry.seq != expected_seq:
            problem = f"缺少第{expected_seq}条（序号跳至{entry.seq}）"
        elif entry.prev_hash != expected_prev:
            problem = "前一条的摘要不符（日志被删改）"
        elif _entry_hash(entry) != entry.entry_hash:
            problem = "内容与摘要不符（日志被篡改）"
        if problem:
            broken_case = entry.case_id
            yield entry.case_id, entry.seq, problem
        expected_seq, expected_prev = entry.seq + 1, entry.entry_hash


def verify_log(*, court_ids: list[int] | None = None, chunk_size: int = 5000) -> list[ChainBreak]:
    entries = LogEntry.objects.order_by("case_id", "seq")
    if court_ids is not None:
        entries = entries.filter(court_id__in=court_ids)
    breaks = list(verify_entries(entries.iterator(chunk_size=chunk_size)))
    numbers = dict(
        EnforcementCase.objects.filter(pk__in=[b[0] for b in breaks]).values_list("pk", "case_number")
    )
    return [ChainBreak(case_id, numbers.get(case_id, "?"), seq, problem) for case_id, seq, problem in breaks]
