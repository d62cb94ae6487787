"""集约查控: the 事务集约 team sends the network queries of many cases at once (catalogue C12/C13).

One send = one transaction: a PropertyQuery per respondent × item, one QueryBatch (request file) per
agency kind, a `network_query` flow node and one execution-log entry per case, supervision recomputed
once. Citation: 财产调查规定第13条 (网络查询与现场调查同等效力); rules.CHECKLIST_CITATION.
Set-based throughout: sending every case filed today costs a handful of queries, not one per case.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, LogAction, PartyRole
from zhixing.cases.exceptions import FieldError, NotAllowed, ValidationFailed
from zhixing.cases.log import LogEvent, log_append_many
from zhixing.cases.models import EnforcementCase, NodeRecord, Party
from zhixing.cases.services import ensure_can_act, ensure_role
from zhixing.supervision.engine import supervise_cases
from zhixing.supervision.models import CaseLock
from zhixing.supervision.services import lock_allows

from .adapters import QueryNetwork, RequestLine, query_network
from .checklist import QUERY_ROLES, network_items
from .models import PropertyQuery, QueryBatch, QueryState
from .rules import AGENCY_KINDS, ChecklistItem

CHUNK = 900  # ids per IN (…): below SQLite's old 999-parameter limit
SEND_ACTION = "network_query"


@dataclass(frozen=True)
class Skipped:
    case_id: int
    case_number: str
    reason: str
    party_name: str = ""


@dataclass
class BatchResult:
    batches: list[QueryBatch] = field(default_factory=list)
    queries: int = 0
    cases: int = 0  # cases that got at least one query
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def message(self) -> str:
        if not self.batches:
            text = "没有需要发送的查询"
        else:
            text = f"已发送 {self.cases} 件案件的 {self.queries} 项查询，共 {len(self.batches)} 个批次"
        if self.skipped:
            text += f"；跳过 {len(self.skipped)} 项（见下表）"
        return text

    def skipped_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for s in self.skipped:
            counts[s.reason.split("：")[0]] += 1
        return dict(counts)


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def lock_refusals(case_ids: list[int], action: str) -> dict[int, str]:
    """supervision.services.lock_refusal for many cases in one query per chunk: {case_id: why}."""
    refused = {}
    for chunk in _chunks(case_ids):
        for lock in CaseLock.objects.filter(case_id__in=chunk, released_on__isnull=True):
            if not lock_allows(lock, action):
                refused[lock.case_id] = (f"案件已程序锁死（{lock.locked_on} 第{lock.sequence}次）：{lock.reason}。"
                                         "其他操作须先申请解锁并经批准")
    return refused


def _batch_prefix(court_id: int, year: int) -> str:
    return f"CK{year}-{court_id}-"


def next_batch_sequence(court_id: int, year: int) -> int:
    """Per court and year (never a national counter): one number for all the batches of one send."""
    prefix = _batch_prefix(court_id, year)
    last = (QueryBatch.objects.filter(court_id=court_id, number__startswith=prefix)
            .order_by("-number").values_list("number", flat=True).first())
    match = re.match(rf"^{re.escape(prefix)}(\d+)-", last or "")
    return int(match.group(1)) + 1 if match else 1


def _selected_items(court_id: int, item_codes: Iterable[str]) -> list[ChecklistItem]:
    available = {item.code: item for item in network_items(court_id)}
    codes = list(dict.fromkeys(item_codes))
    unknown = [c for c in codes if c not in available]
    if unknown or not codes:
        names = "、".join(f"{i.code}（{i.name}）" for i in available.values())
        message = f"不能经网络发送的事项：{'、'.join(unknown)}" if unknown else "请至少选择一项查控事项"
        raise ValidationFailed([FieldError("item_codes", f"{message}；可选：{names}")])
    return [available[c] for c in codes]


def _case_ids(actor: User, cases) -> list[int]:
    if isinstance(cases, QuerySet):
        ids = cases.filter(court_id=actor.court_id).values_list("pk", flat=True)
    else:
        wanted = sorted({int(pk) for pk in cases})
        ids = [pk for chunk in _chunks(wanted) for pk in
               EnforcementCase.objects.filter(pk__in=chunk, court_id=actor.court_id).values_list("pk", flat=True)]
    return sorted(ids)


def batch_send(*, actor: User, cases: QuerySet[EnforcementCase] | Iterable[int], item_codes: Iterable[str],
               network: QueryNetwork | None = None) -> BatchResult:
    """Send the selected network items for every respondent of the selected cases of the actor's court.

    Skipped and reported, not refused: closed cases, locked cases (程序锁死), respondents without an ID
    number or credit code, and what was already sent today for the same case, respondent and item — so
    sending twice the same day adds nothing."""
    if not actor.court_id and not actor.is_superuser:
        raise NotAllowed("您不属于任何法院，不能发起查询")
    ensure_can_act(actor, actor.court_id)
    ensure_role(actor, QUERY_ROLES, "发起网络查控")
    court_id = actor.court_id
    items = _selected_items(court_id, item_codes)
    codes = [i.code for i in items]
    network = network or query_network()
    today = timezone.localdate()
    now = timezone.now()
    result = BatchResult()

    with transaction.atomic():
        ids = _case_ids(actor, cases)
        case_rows: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(ids):  # the row locks log_append_many needs
            for pk, number, status in (EnforcementCase.objects.select_for_update().filter(pk__in=chunk)
                                       .values_list("pk", "case_number", "status")):
                case_rows[pk] = (number, status)
        open_ids = []
        for pk in ids:
            number, status = case_rows[pk]
            if status != CaseStatus.OPEN:
                result.skipped.append(Skipped(pk, number, f"案件{CaseStatus(status).label}"))
            else:
                open_ids.append(pk)
        refused = lock_refusals(open_ids, SEND_ACTION)
        for pk, why in refused.items():
            result.skipped.append(Skipped(pk, case_rows[pk][0], why))
        open_ids = [pk for pk in open_ids if pk not in refused]

        already: set[tuple[int, int, str]] = set()
        respondents: list[dict] = []
        for chunk in _chunks(open_ids):
            already.update(PropertyQuery.objects.filter(case_id__in=chunk, sent_on=today, item_code__in=codes)
                           .values_list("case_id", "party_id", "item_code"))
            respondents.extend(Party.objects.filter(case_id__in=chunk, role=PartyRole.RESPONDENT)
                               .order_by("case_id", "position", "id")
                               .values("pk", "case_id", "name", "id_number", "credit_code"))

        pending: dict[str, list[PropertyQuery]] = defaultdict(list)
        for party in respondents:
            identity = (party["id_number"] or party["credit_code"]).strip().upper()
            case_id = party["case_id"]
            if not identity:
                result.skipped.append(Skipped(case_id, case_rows[case_id][0], "被执行人无证件号码，不能网络查询",
                                              party["name"]))
                continue
            for item in items:
                if (case_id, party["pk"], item.code) in already:
                    continue
                pending[item.code].append(PropertyQuery(
                    court_id=court_id, case_id=case_id, party_id=party["pk"], item_code=item.code,
                    identity_number=identity, name=party["name"], state=QueryState.SENT, sent_on=today,
                    recorded_by=actor,
                ))
        already_cases = {case_id for case_id, _, _ in already}
        for case_id in sorted(already_cases - {q.case_id for qs in pending.values() for q in qs}):
            result.skipped.append(Skipped(case_id, case_rows[case_id][0], "今日已发送过所选事项的查询"))
        if not pending:
            return result

        sequence = next_batch_sequence(court_id, today.year)
        sent_items: dict[int, list[str]] = defaultdict(list)
        for item in items:
            queries = pending.get(item.code)
            if not queries:
                continue
            suffix = item.agency_kind if sum(1 for i in items if i.agency_kind == item.agency_kind) == 1 \
                else f"{item.agency_kind}-{item.code}"
            batch = QueryBatch.objects.create(
                court_id=court_id, number=f"{_batch_prefix(court_id, today.year)}{sequence:06d}-{suffix}",
                agency_kind=item.agency_kind, item_code=item.code, created_by=actor, created_at=now,
                requests=len(queries),
            )
            for query in queries:
                query.batch = batch
            PropertyQuery.objects.bulk_create(queries, batch_size=2000)
            if any(q.pk is None for q in queries):  # a database that does not return ids from bulk inserts
                by_key = dict(((c, p), pk) for c, p, pk in
                              PropertyQuery.objects.filter(batch=batch).values_list("case_id", "party_id", "pk"))
                for q in queries:
                    q.pk = by_key[(q.case_id, q.party_id)]
            lines = [RequestLine(q.pk, case_rows[q.case_id][0], q.name, q.identity_number, item.name) for q in queries]
            batch.request_file = network.send(batch, lines)
            batch.save(update_fields=["request_file"])
            result.batches.append(batch)
            result.queries += len(queries)
            for q in queries:
                if item.name not in sent_items[q.case_id]:
                    sent_items[q.case_id].append(item.name)

        counts: dict[int, int] = defaultdict(int)
        for qs in pending.values():
            for q in qs:
                counts[q.case_id] += 1
        touched = sorted(sent_items)
        NodeRecord.objects.bulk_create(
            [NodeRecord(court_id=court_id, case_id=pk, node_code=SEND_ACTION, occurred_on=today, recorded_at=now,
                        recorded_by=actor, note="集约查控") for pk in touched], batch_size=2000)
        numbers = "、".join(b.number for b in result.batches)
        events = {
            pk: [LogEvent(LogAction.QUERY, f"网络查控：发送{'、'.join(sent_items[pk])}查询 {counts[pk]} 项",
                          after={"items": sent_items[pk], "queries": counts[pk], "batches": numbers[:200],
                                 "sent_on": today.isoformat()},
                          node_code=SEND_ACTION)]
            for pk in touched
        }
        log_append_many(events, actor=actor, at=now, reason="集约查控")
        supervise_cases(touched, reason="网络查控后重算")
        result.cases = len(touched)
    return result


def batches_for_user(user: User) -> QuerySet[QueryBatch]:
    """The batches of the user's court (every court for a superuser), newest first."""
    batches = QueryBatch.objects.select_related("created_by")
    return batches if user.is_superuser else batches.filter(court_id=user.court_id or 0)


def batch_get_for_user(user: User, pk: int) -> QueryBatch:
    from zhixing.cases.exceptions import NotFound

    try:
        return batches_for_user(user).get(pk=pk)
    except QueryBatch.DoesNotExist as exc:
        raise NotFound("批次不存在") from exc


def agency_name(kind: str) -> str:
    return AGENCY_KINDS.get(kind, kind)

