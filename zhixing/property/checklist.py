"""The 5+X+Y checklist (catalogue C12): which items a court asks about every respondent, and where
each case stands on each of them. Citation: rules.CHECKLIST_CITATION.

An item's state for a respondent is the state of the latest query about it (a re-sent query after a
failure replaces the failure); the X item "当事人提供的财产线索" is read from the case's clues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, LogAction, PartyRole
from zhixing.cases.exceptions import DomainError, FieldError, ValidationFailed
from zhixing.cases.models import EnforcementCase, Party
from zhixing.cases.services import ensure_can_act, ensure_role, lock_case
from zhixing.courts.models import Court

from .models import ChecklistSetting, Clue, ClueOutcome, PropertyQuery, QueryState
from .rules import CHECKLIST, CHECKLIST_BY_CODE, ChecklistItem, Group

CLUE_ITEM = "party_clues"
ANSWERED = frozenset({QueryState.NONE, QueryState.FOUND})
# Who may send queries and record their results: the 事务集约 team's clerks, the handling team and the
# command centre (which runs the first network query for the whole court).
QUERY_ROLES = frozenset({Role.CLERK, Role.ASSISTANT, Role.JUDGE, Role.COMMAND_CENTRE})


def checklist_for(court: Court | int) -> list[ChecklistItem]:
    """The court's own list (ChecklistSetting, enabled rows in order) if it has one, else the national one."""
    court_id = court if isinstance(court, int) else court.pk
    settings = list(ChecklistSetting.objects.filter(court_id=court_id).order_by("position", "id"))
    if not settings:
        return list(CHECKLIST)
    items = []
    for s in settings:
        if not s.enabled:
            continue
        national = CHECKLIST_BY_CODE.get(s.code)
        items.append(ChecklistItem(s.code, s.name, s.group, s.agency_kind,
                                   national.asset_kinds if national else (), s.network))
    return items


def network_items(court: Court | int) -> list[ChecklistItem]:
    """The items a batch can send: those that go through the query network to an agency."""
    return [item for item in checklist_for(court) if item.network and item.agency_kind]


@dataclass(frozen=True)
class ChecklistRow:
    item: ChecklistItem
    state: str
    sent_on: dt.date | None = None
    replied_on: dt.date | None = None
    note: str = ""
    query_id: int | None = None

    @property
    def state_label(self) -> str:
        return QueryState(self.state).label

    @property
    def done(self) -> bool:
        return self.state in ANSWERED


@dataclass
class RespondentChecklist:
    party: Party
    rows: list[ChecklistRow] = field(default_factory=list)

    @property
    def five_done(self) -> int:
        return sum(1 for row in self.rows if row.item.group == Group.FIVE and row.done)


@dataclass
class CaseChecklist:
    respondents: list[RespondentChecklist]
    five_done: int  # of the five network items, how many are answered for every respondent
    five_total: int
    sent: int  # rows awaiting a reply
    found: int  # rows answered "有财产"

    @property
    def summary(self) -> str:
        # Every respondent must be queried: say how far each one is, not only "all of them".
        each = "，".join(f"{r.party.name} {r.five_done}/{self.five_total}" for r in self.respondents)
        text = f"5项网络查控已完成：{each}" if each else "5项网络查控：无可查询的被执行人"
        if self.sent:
            text += f"，{self.sent} 项待反馈"
        if self.found:
            text += f"，{self.found} 项发现财产"
        return text

    @property
    def rows(self) -> list[tuple[Party, ChecklistRow]]:
        return [(r.party, row) for r in self.respondents for row in r.rows]


_CLUE_STATE = {ClueOutcome.PENDING: QueryState.SENT, ClueOutcome.FOUND: QueryState.FOUND}


def _clue_row(item: ChecklistItem, clues: list[Clue]) -> ChecklistRow:
    if not clues:
        return ChecklistRow(item, QueryState.NOT_SENT)
    if any(c.outcome == ClueOutcome.PENDING for c in clues):
        state = QueryState.SENT
    elif any(c.outcome == ClueOutcome.FOUND for c in clues):
        state = QueryState.FOUND
    else:
        state = QueryState.NONE
    verified = [c.verified_on for c in clues if c.verified_on]
    return ChecklistRow(item, state, sent_on=min(c.received_on for c in clues),
                        replied_on=max(verified) if verified and state != QueryState.SENT else None,
                        note=f"线索 {len(clues)} 条")


def case_checklist(case: EnforcementCase) -> CaseChecklist:
    """Every respondent × every checklist item with its state, in three queries."""
    items = checklist_for(case.court_id)
    parties = list(Party.objects.filter(case_id=case.pk, role=PartyRole.RESPONDENT).order_by("position", "id"))
    latest: dict[tuple[int, str], PropertyQuery] = {}
    for query in PropertyQuery.objects.filter(case_id=case.pk).order_by("sent_on", "id"):
        latest[(query.party_id, query.item_code)] = query  # the last one wins
    clues = list(Clue.objects.filter(case_id=case.pk)) if any(i.code == CLUE_ITEM for i in items) else []
    respondents = []
    for party in parties:
        rows = []
        for item in items:
            if item.code == CLUE_ITEM:
                rows.append(_clue_row(item, clues))
                continue
            query = latest.get((party.pk, item.code))
            if query is None:
                rows.append(ChecklistRow(item, QueryState.NOT_SENT))
            else:
                rows.append(ChecklistRow(item, query.state, query.sent_on, query.replied_on, query.result_note, query.pk))
        respondents.append(RespondentChecklist(party, rows))
    five = [i.code for i in items if i.group == Group.FIVE]
    five_done = sum(
        1 for code in five
        if respondents and all(row.done for r in respondents for row in r.rows if row.item.code == code)
    )
    all_rows = [row for r in respondents for row in r.rows]
    return CaseChecklist(respondents, five_done, len(five),
                         sent=sum(1 for row in all_rows if row.state == QueryState.SENT),
                         found=sum(1 for row in all_rows if row.state == QueryState.FOUND))


MANUAL_STATES = frozenset({QueryState.SENT, QueryState.NONE, QueryState.FOUND, QueryState.FAILED})


def query_record_manual(*, actor: User, case: EnforcementCase, party: Party, item_code: str, state: str,
                        replied_on: dt.date | None = None, note: str = "") -> PropertyQuery:
    """Record by hand an item not sent through the network (户籍, 居委会走访) or a result obtained
    outside it (a counter enquiry at a bank). 财产调查规定第13条: an on-site enquiry has the same effect."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, QUERY_ROLES, "登记查询结果")
    items = {i.code: i for i in checklist_for(case.court_id)}
    errors = []
    item = items.get(item_code)
    if item is None or item.code == CLUE_ITEM:
        errors.append(FieldError("item_code", f"“{item_code}”不是本院查控清单中可登记的事项"))
    if state not in MANUAL_STATES:
        errors.append(FieldError("state", "状态应为：已发送、反馈无财产、反馈有财产或查询失败"))
    if party.case_id != case.pk or party.role != PartyRole.RESPONDENT:
        errors.append(FieldError("party", "只能登记本案被执行人的查询"))
    today = timezone.localdate()
    if state != QueryState.SENT:
        replied_on = replied_on or today
        if replied_on > today:
            errors.append(FieldError("replied_on", f"{replied_on} 晚于今天"))
        elif replied_on < case.filed_on:
            errors.append(FieldError("replied_on", f"{replied_on} 早于立案日期 {case.filed_on}"))
    else:
        replied_on = None
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case = lock_case(case)
        if case.status != CaseStatus.OPEN:
            raise DomainError(f"案件{case.get_status_display()}，不能登记查询结果", code="case_closed")
        from zhixing.cases.log import log_append

        query = PropertyQuery.objects.create(
            court_id=case.court_id, case=case, party=party, item_code=item.code,
            identity_number=party.id_number or party.credit_code, name=party.name, state=state,
            sent_on=replied_on or today, replied_on=replied_on, result_note=note[:500], recorded_by=actor,
        )
        log_append(
            case=case, actor=actor, action=LogAction.QUERY_REPLY if replied_on else LogAction.QUERY,
            summary=f"登记查询：{party.name} {item.name} {QueryState(state).label}" + (f"（{note[:100]}）" if note else ""),
            after={"query": query.pk, "item": item.code, "party": party.pk, "state": state,
                   "replied_on": replied_on.isoformat() if replied_on else None},
            reason=note[:500],
        )
    return query
