"""The 终本 pool (终本案件库): every case closed by 终本 is re-queried through the query network on the
schedule of rules.POOL_SCHEDULE (法〔2016〕373号 Art. 9: every 6 months for 5 years); property found
afterwards — by those queries, or in another case of the court against the same respondent — becomes
a restoration proposal (restoration.py).

`pool_run` is what `zhixing zhongben-pool` does each night: idempotent (a round is sent once:
PoolRound is unique per case and round), set-based where it reads, one transaction per court.
The agencies' replies come back through the ordinary reply import (property.replies)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, ClosingType, LogAction, PartyRole
from zhixing.cases.exceptions import NotAllowed
from zhixing.cases.log import LogEvent, log_append_many
from zhixing.cases.models import EnforcementCase, Party
from zhixing.cases.services import ensure_can_act, ensure_role
from zhixing.workdays import calendar

from .choices import PoolStatus, ProposalSource
from .models import PoolEntry, PoolRound, RestorationProposal
from .rules import POOL_LOCAL_CITATION, POOL_ROLES, POOL_SCHEDULE, RESTORATION_BASIS

CHUNK = 900
CLOSED_STATES = (CaseStatus.CLOSED, CaseStatus.ARCHIVED)


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ---------------------------------------------------------------- the schedule


def round_due(entered_on: dt.date, round_no: int) -> dt.date:
    """The day round `round_no` is due: `every_months` × n after 终本 (民法典 Art. 202), on the next
    working day when that is a rest day — the query network is worked on working days."""
    return calendar.add_months(entered_on, POOL_SCHEDULE.every_months * round_no)


def pool_ends_on(entered_on: dt.date) -> dt.date:
    return calendar.add_years(entered_on, POOL_SCHEDULE.for_years, roll_off_rest_day=False)


def schedule(entered_on: dt.date) -> list[dt.date]:
    """Every round's due date, first to last (10 rounds for 5 years every 6 months)."""
    return [round_due(entered_on, n) for n in range(1, POOL_SCHEDULE.rounds + 1)]


def latest_round_due(entered_on: dt.date, as_of: dt.date, start: int) -> int | None:
    """The last round from `start` on that is due by `as_of` (missed rounds are not sent twice)."""
    latest = None
    for n in range(start, POOL_SCHEDULE.rounds + 1):
        if round_due(entered_on, n) > as_of:
            break
        latest = n
    return latest


# ---------------------------------------------------------------- entering the pool


def pool_sync(*, court_ids: list[int] | None = None, as_of: dt.date | None = None) -> int:
    """Enter every 终本 case not yet in the pool (incremental: an anti-join finds the new ones). A case
    already restored enters as restored; one closed more than 5 years ago as ended. Returns how many."""
    as_of = as_of or timezone.localdate()
    missing = (EnforcementCase.objects.filter(closing_type=ClosingType.TERMINATE_CURRENT, status__in=CLOSED_STATES)
               .exclude(Exists(PoolEntry.objects.filter(case_id=OuterRef("pk")))))
    if court_ids is not None:
        missing = missing.filter(court_id__in=court_ids)
    restored = Exists(EnforcementCase.objects.filter(origin_case_id=OuterRef("pk")))
    rows = list(missing.annotate(restored=restored).values_list("pk", "court_id", "closed_on", "restored"))
    entries = []
    for pk, court_id, closed_on, was_restored in rows:
        ends_on = pool_ends_on(closed_on)
        entry = PoolEntry(court_id=court_id, case_id=pk, entered_on=closed_on, ends_on=ends_on,
                          next_round=1, next_query_due=round_due(closed_on, 1))
        if was_restored:
            entry.status, entry.next_query_due, entry.left_on = PoolStatus.RESTORED, None, as_of
        elif ends_on < as_of:
            entry.status, entry.next_query_due, entry.left_on = PoolStatus.ENDED, None, as_of
        entries.append(entry)
    PoolEntry.objects.bulk_create(entries, batch_size=1000, ignore_conflicts=True)  # a parallel run added some
    return len(entries)


# ---------------------------------------------------------------- sending (closed cases: batch_send only sends open ones)


@dataclass
class _Sent:
    batches: list = field(default_factory=list)
    per_case: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))  # case → item names
    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    skipped: dict[int, str] = field(default_factory=dict)


def _send(actor: User, court_id: int, numbers: dict[int, str], today: dt.date) -> _Sent:
    """The five network queries for every respondent of the pool cases `numbers` ({case id: 案号}),
    one request file per agency kind — the same batches, queries and files as 集约查控."""
    from zhixing.property.adapters import RequestLine, query_network
    from zhixing.property.checklist import network_items
    from zhixing.property.models import PropertyQuery, QueryBatch, QueryState
    from zhixing.property.queries import _batch_prefix, next_batch_sequence
    from zhixing.property.rules import Group

    sent = _Sent()
    items = [i for i in network_items(court_id) if i.group == Group.FIVE]
    pending: dict[str, list[PropertyQuery]] = defaultdict(list)
    ids = sorted(numbers)
    respondents = []
    for chunk in _chunks(ids):
        respondents.extend(Party.objects.filter(case_id__in=chunk, role=PartyRole.RESPONDENT)
                           .order_by("case_id", "position", "id").values("pk", "case_id", "name", "id_number", "credit_code"))
    for party in respondents:
        identity = (party["id_number"] or party["credit_code"]).strip().upper()
        if not identity:
            sent.skipped[party["case_id"]] = f"被执行人{party['name']}无证件号码，不能网络查询"
            continue
        for item in items:
            pending[item.code].append(PropertyQuery(
                court_id=court_id, case_id=party["case_id"], party_id=party["pk"], item_code=item.code,
                identity_number=identity, name=party["name"], state=QueryState.SENT, sent_on=today, recorded_by=actor))
    if not pending:
        return sent
    network = query_network()
    sequence = next_batch_sequence(court_id, today.year)
    now = timezone.now()
    for item in items:
        queries = pending.get(item.code)
        if not queries:
            continue
        batch = QueryBatch.objects.create(
            court_id=court_id, number=f"{_batch_prefix(court_id, today.year)}{sequence:06d}-{item.agency_kind}",
            agency_kind=item.agency_kind, item_code=item.code, created_by=actor, created_at=now, requests=len(queries))
        for query in queries:
            query.batch = batch
        PropertyQuery.objects.bulk_create(queries, batch_size=2000)
        if any(q.pk is None for q in queries):  # a database that does not return ids from bulk inserts
            by_key = {(c, p): pk for c, p, pk in PropertyQuery.objects.filter(batch=batch).values_list("case_id", "party_id", "pk")}
            for q in queries:
                q.pk = by_key[(q.case_id, q.party_id)]
        lines = [RequestLine(q.pk, numbers[q.case_id], q.name, q.identity_number, item.name) for q in queries]
        batch.request_file = network.send(batch, lines)
        batch.save(update_fields=["request_file"])
        sent.batches.append(batch)
        for q in queries:
            sent.counts[q.case_id] += 1
            if item.name not in sent.per_case[q.case_id]:
                sent.per_case[q.case_id].append(item.name)
    return sent


# ---------------------------------------------------------------- the nightly run


@dataclass
class PoolRunResult:
    court_code: str
    as_of: dt.date
    entered: int = 0
    due: int = 0
    sent_cases: int = 0
    queries: int = 0
    batches: list[str] = field(default_factory=list)
    ended: int = 0
    proposals: int = 0

    @property
    def summary(self) -> str:
        return (f"终本库 {self.court_code} {self.as_of}：新入库 {self.entered} 件，到期查询 {self.due} 件，"
                f"已发送 {self.sent_cases} 件 {self.queries} 项（{len(self.batches)} 个批次），"
                f"五年期满出库 {self.ended} 件，新增恢复执行建议 {self.proposals} 件")


def _due_entries(court_id: int, as_of: dt.date) -> list[PoolEntry]:
    rows = PoolEntry.objects.filter(court_id=court_id, status=PoolStatus.IN_POOL, next_query_due__lte=as_of).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)  # a parallel run takes the others: none is sent twice
    return list(rows)


def pool_run(*, actor: User, as_of: dt.date | None = None) -> PoolRunResult:
    """Send the due re-queries of the actor's court, move each entry to its next round (or out of the
    pool after the last one), and propose restoration where new property appeared. Safe to run twice:
    the second run finds nothing due."""
    if not actor.court_id:
        raise NotAllowed("您不属于任何法院，不能运行终本库定期查询")
    ensure_can_act(actor, actor.court_id)
    ensure_role(actor, POOL_ROLES, "运行终本库定期查询")
    # Pool cases are closed: supervision locks (which hold open cases) do not apply to them.
    today = timezone.localdate()
    as_of = as_of or today
    court_id = actor.court_id
    result = PoolRunResult(actor.court.court_code, as_of)
    with transaction.atomic():
        result.entered = pool_sync(court_ids=[court_id], as_of=as_of)
        entries = _due_entries(court_id, as_of)
        result.due = len(entries)
        sent_before: set[tuple[int, int]] = set()  # (case, round) already sent: one query per chunk, not per case
        for chunk in _chunks([e.case_id for e in entries]):
            sent_before.update(PoolRound.objects.filter(case_id__in=chunk).values_list("case_id", "round_no"))
        rounds: dict[int, int] = {}
        for entry in entries:
            latest = latest_round_due(entry.entered_on, as_of, entry.next_round)
            if latest is not None and (entry.case_id, latest) not in sent_before:
                rounds[entry.case_id] = latest
        numbers = {}
        for chunk in _chunks(sorted(rounds)):  # the row locks log_append_many needs
            numbers.update(EnforcementCase.objects.select_for_update().filter(pk__in=chunk).values_list("pk", "case_number"))
        sent = _send(actor, court_id, numbers, today) if numbers else _Sent()
        batch_numbers = "、".join(b.number for b in sent.batches)[:300]
        PoolRound.objects.bulk_create([
            PoolRound(court_id=court_id, entry=entry, case_id=entry.case_id, round_no=rounds[entry.case_id],
                      due_on=round_due(entry.entered_on, rounds[entry.case_id]), sent_on=today,
                      queries=sent.counts.get(entry.case_id, 0), batches=batch_numbers if sent.counts.get(entry.case_id) else "",
                      skipped=sent.skipped.get(entry.case_id, "")[:300], sent_by=actor)
            for entry in entries if entry.case_id in rounds])
        for entry in entries:
            done = rounds.get(entry.case_id) or (latest_round_due(entry.entered_on, as_of, entry.next_round) or entry.next_round - 1)
            entry.next_round = done + 1
            if entry.case_id in rounds:
                entry.rounds_done += 1
                entry.last_query_on = today
            if entry.next_round > POOL_SCHEDULE.rounds:
                entry.status, entry.next_query_due, entry.left_on = PoolStatus.ENDED, None, as_of
                result.ended += 1
            else:
                entry.next_query_due = round_due(entry.entered_on, entry.next_round)
        PoolEntry.objects.bulk_update(entries, ["next_round", "next_query_due", "rounds_done", "last_query_on", "status",
                                                "left_on"], batch_size=500)
        events = {}
        for case_id, round_no in rounds.items():
            names = "、".join(sent.per_case.get(case_id, [])) or "无"
            text = (f"终本库定期查询（第{round_no}次）：发送{names}查询 {sent.counts.get(case_id, 0)} 项"
                    + (f"；{sent.skipped[case_id]}" if case_id in sent.skipped else ""))
            events[case_id] = [LogEvent(LogAction.QUERY, text, after={
                "pool_round": round_no, "queries": sent.counts.get(case_id, 0), "batches": batch_numbers[:200],
                "citation": POOL_SCHEDULE.citation})]
        log_append_many(events, actor=actor, at=timezone.now(), reason=f"{POOL_SCHEDULE.citation}；{POOL_LOCAL_CITATION}"[:500])
        result.sent_cases = len(sent.counts)
        result.queries = sum(sent.counts.values())
        result.batches = [b.number for b in sent.batches]
        result.proposals = detect_proposals(court_id=court_id, actor=actor)
    return result


# ---------------------------------------------------------------- new property → restoration proposals


def _own_case_finds(court_id: int) -> list[tuple[int, int, int, dt.date, str]]:
    """(pool case, asset, found in case, found on, description): assets found in the pool case itself
    after its 终本 (a pool query's reply, a later hand entry)."""
    from zhixing.property.models import CaseAsset

    rows = (CaseAsset.objects.filter(court_id=court_id, case__pool_entry__status=PoolStatus.IN_POOL,
                                     found_on__gt=F("case__pool_entry__entered_on"))
            .values_list("case_id", "asset_id", "case_id", "found_on", "asset__description"))
    return list(rows)


def _other_case_finds(court_id: int) -> list[tuple[int, int, int, dt.date, str]]:
    """Assets owned by a pool case's respondent (same ID number or credit code) found after its 终本
    in another case of the same court."""
    from zhixing.property.models import CaseAsset

    owners: dict[str, list[tuple[int, dt.date]]] = defaultdict(list)
    for case_id, id_number, credit_code, entered_on in (
            Party.objects.filter(court_id=court_id, role=PartyRole.RESPONDENT, case__pool_entry__status=PoolStatus.IN_POOL)
            .values_list("case_id", "id_number", "credit_code", "case__pool_entry__entered_on")):
        identity = (id_number or credit_code).strip().upper()
        if identity:
            owners[identity].append((case_id, entered_on))
    found = []
    for chunk in _chunks(sorted(owners)):
        for link_case, asset_id, found_on, owner, description in (
                CaseAsset.objects.filter(court_id=court_id, asset__owner_identity__in=chunk)
                .values_list("case_id", "asset_id", "found_on", "asset__owner_identity", "asset__description")):
            for pool_case, entered_on in owners.get(owner, []):
                if link_case != pool_case and found_on > entered_on:
                    found.append((pool_case, asset_id, link_case, found_on, description))
    return found


def detect_proposals(*, court_id: int, actor: User | None = None) -> int:
    """Propose restoration for each asset found after 终本 (once per case and asset: re-running adds
    nothing). Logged on the 终本 case. Returns how many proposals are new."""
    finds = _own_case_finds(court_id) + _other_case_finds(court_id)
    if not finds:
        return 0
    case_ids = sorted({f[0] for f in finds})
    known: set[tuple[int, int]] = set()
    for chunk in _chunks(case_ids):
        known.update(RestorationProposal.objects.filter(case_id__in=chunk, asset__isnull=False).values_list("case_id", "asset_id"))
    new: dict[tuple[int, int], RestorationProposal] = {}
    now = timezone.now()
    for pool_case, asset_id, found_in, found_on, description in sorted(finds, key=lambda f: (f[0], f[3], f[1])):
        key = (pool_case, asset_id)
        if key in known or key in new:
            continue
        own = found_in == pool_case
        new[key] = RestorationProposal(
            court_id=court_id, case_id=pool_case, asset_id=asset_id, found_in_case_id=None if own else found_in,
            source=ProposalSource.POOL_ASSET if own else ProposalSource.OTHER_CASE_ASSET,
            description=f"终本后发现财产：{description}"[:1000], detected_on=found_on, recorded_at=now)
    if not new:
        return 0
    with transaction.atomic():
        touched = sorted({pk for pk, _ in new})
        for chunk in _chunks(touched):
            list(EnforcementCase.objects.select_for_update().filter(pk__in=chunk).values_list("pk", flat=True))
        RestorationProposal.objects.bulk_create(new.values(), ignore_conflicts=True)
        numbers = dict(EnforcementCase.objects.filter(pk__in=[p.found_in_case_id for p in new.values() if p.found_in_case_id])
                       .values_list("pk", "case_number"))
        events: dict[int, list[LogEvent]] = defaultdict(list)
        for (pool_case, asset_id), p in new.items():
            where = f"（见本院{numbers.get(p.found_in_case_id, '')}）" if p.found_in_case_id else ""
            events[pool_case].append(LogEvent(LogAction.NOTE, f"恢复执行建议：{p.description}{where}"[:300],
                                              after={"restoration_proposal": True, "asset": asset_id, "source": p.source,
                                                     "detected_on": p.detected_on.isoformat()}))
        log_append_many(dict(events), actor=actor, at=now, reason=RESTORATION_BASIS[:500])
    return len(new)
