"""二次财产调查 (seed 001 case 1, Haidian): open cases older than 2.5 months with no property found get a
second round of network queries, sent through the investigation module (property.queries.batch_send)
so that they are batched, logged and answered like any other query.

Which cases: open, filed more than 2.5 months ago (rules.SECOND_INVESTIGATION — the rule supervision
watches), no asset found and no "有财产可供执行" node, fewer than two query nodes (supervision's rule is
met by the second), and no query still awaiting its reply (a round sent yesterday is not sent again)."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, LogAction
from zhixing.cases.exceptions import NotAllowed
from zhixing.cases.log import LogEvent, log_append_many
from zhixing.cases.models import EnforcementCase, NodeRecord

from .rules import SECOND_INVESTIGATION, SECOND_INVESTIGATION_QUERY_NODES


def filed_cutoff(as_of: dt.date) -> dt.date:
    """The latest filing date that is more than 2.5 months old on `as_of`: filed_on + 2 months
    (民法典 Art. 202: the same date, or the month's last day) + 15 days ≤ as_of. No roll-off: an age,
    not a period that must end on a workday."""
    target = as_of - dt.timedelta(days=SECOND_INVESTIGATION.extra_days)
    index = target.year * 12 + target.month - 1 - SECOND_INVESTIGATION.amount
    year, month = divmod(index, 12)
    month += 1
    last = stdlib_calendar.monthrange(year, month)[1]
    if target.day == stdlib_calendar.monthrange(target.year, target.month)[1]:
        return dt.date(year, month, last)  # every later day of that month also lands on target's month end
    return dt.date(year, month, min(target.day, last))


def _query_nodes_count():
    rows = (NodeRecord.objects.filter(case_id=OuterRef("pk"), node_code__in=SECOND_INVESTIGATION_QUERY_NODES)
            .order_by().values("case_id").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def cases_due(*, court_ids: list[int] | None, as_of: dt.date | None = None) -> QuerySet[EnforcementCase]:
    """The second-investigation worklist, oldest filing first (one query; the count is another)."""
    from zhixing.property.models import CaseAsset, PropertyQuery, QueryState

    as_of = as_of or timezone.localdate()
    cases = EnforcementCase.objects.filter(status=CaseStatus.OPEN, filed_on__lte=filed_cutoff(as_of))
    if court_ids is not None:
        cases = cases.filter(court_id__in=court_ids)
    found = Exists(CaseAsset.objects.filter(case_id=OuterRef("pk")))
    found_node = Exists(NodeRecord.objects.filter(case_id=OuterRef("pk"), node_code="property_found"))
    awaiting = Exists(PropertyQuery.objects.filter(case_id=OuterRef("pk"), state=QueryState.SENT))
    return (cases.exclude(found).exclude(found_node).exclude(awaiting)
            .annotate(query_nodes=_query_nodes_count()).filter(query_nodes__lt=SECOND_INVESTIGATION.met_after_count)
            .select_related("handler", "team").order_by("filed_on", "id"))


@dataclass
class SecondRound:
    due: int
    cases: int
    queries: int
    batches: list[str]
    skipped: list

    @property
    def message(self) -> str:
        if not self.due:
            return "没有需要二次财产调查的案件"
        text = f"应二次调查 {self.due} 件，已对 {self.cases} 件发送网络查控 {self.queries} 项（{len(self.batches)} 个批次）"
        if self.skipped:
            text += f"；跳过 {len(self.skipped)} 项"
        return text


def second_investigation_start(*, actor: User, case_ids: list[int] | None = None, as_of: dt.date | None = None) -> SecondRound:
    """Send the five network queries again for the due cases of the actor's court (all, or those of
    `case_ids` that are due), and note in each case's log why. Idempotent the same day: batch_send
    skips what was sent today, and a case with queries awaiting replies is not due."""
    from zhixing.property.checklist import network_items
    from zhixing.property.models import PropertyQuery
    from zhixing.property.queries import batch_send
    from zhixing.property.rules import Group

    if not actor.court_id:
        raise NotAllowed("您不属于任何法院，不能发起二次财产调查")
    due = cases_due(court_ids=[actor.court_id], as_of=as_of)
    ids = list(due.values_list("pk", flat=True))
    if case_ids is not None:
        wanted = {int(pk) for pk in case_ids}
        ids = [pk for pk in ids if pk in wanted]
    if not ids:
        return SecondRound(0, 0, 0, [], [])
    codes = [item.code for item in network_items(actor.court_id) if item.group == Group.FIVE]
    with transaction.atomic():
        result = batch_send(actor=actor, cases=ids, item_codes=codes)
        touched = sorted(set(PropertyQuery.objects.filter(batch__in=result.batches).values_list("case_id", flat=True)))
        now = timezone.now()
        events = {pk: [LogEvent(LogAction.NOTE, "二次财产调查：在办已超过2.5个月且未发现财产，再次发起网络查控",
                                after={"second_investigation": True, "citation": SECOND_INVESTIGATION.citation})]
                  for pk in touched}
        log_append_many(events, actor=actor, at=now, reason=SECOND_INVESTIGATION.citation)
    return SecondRound(len(ids), len(touched), result.queries, [b.number for b in result.batches], result.skipped)


def due_count(*, court_ids: list[int] | None, as_of: dt.date | None = None) -> int:
    return cases_due(court_ids=court_ids, as_of=as_of).count()


def worklist_filter(cases: QuerySet, *, team_id: int | None = None, handler_id: int | None = None,
                    q: str = "") -> QuerySet:
    if team_id:
        cases = cases.filter(team_id=team_id)
    if handler_id:
        cases = cases.filter(handler_id=handler_id)
    if q.strip():
        text = q.strip()
        cases = cases.filter(Q(case_number__contains=text) | Q(respondent_names__contains=text) |
                             Q(applicant_names__contains=text))
    return cases
