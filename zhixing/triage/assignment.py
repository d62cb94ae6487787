"""分案 by weighted load (C10): a new case goes to a team of its track and to that team's least-loaded
judge; an absent judge's open cases are spread over the team; every assignment is made by
cases.services.case_assign, which checks who may assign, records the assign node and writes the log.

A judge's load is Σ weight(track) over their open cases (rules.DEFAULT_WEIGHTS, or the court's own).
The choice itself (`Balancer`) is a pure function of the loads, unit-tested apart from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, Track
from zhixing.cases.exceptions import DomainError, FieldError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.models import EnforcementCase, NodeRecord
from zhixing.cases.services import case_assign, ensure_can_act, ensure_role
from zhixing.courts.models import Court

from .models import Absence
from .rules import (
    ABSENCE_RECORDERS,
    AUTO_ASSIGNERS,
    FALLBACK_TEAM_TYPES,
    RECENT_DAYS,
    TEAM_TYPES_FOR_TRACK,
    WEIGHTS_CITATION,
)
from .selectors import CourtRules, court_rules, latest_decisions

TRACK_LABELS = dict(Track.choices)

# ---------------------------------------------------------------- the choice (pure)


@dataclass
class JudgeLoad:
    user_id: int
    name: str
    team_id: int
    team_name: str
    team_type: str
    load: int = 0  # Σ weight of open cases
    recent: int = 0  # cases assigned in the last RECENT_DAYS days
    open_by_track: dict[str, int] = field(default_factory=dict)
    absent: bool = False


def team_type_tiers(track: str, hint: str = "") -> list[tuple[str, ...]]:
    """Team types to try in order: the rule's preferred type, the track's types, then ordinary teams."""
    tiers: list[tuple[str, ...]] = []
    if hint:
        tiers.append((hint,))
    tiers.append(TEAM_TYPES_FOR_TRACK.get(track, FALLBACK_TEAM_TYPES))
    tiers.append(FALLBACK_TEAM_TYPES)
    return tiers


class Balancer:
    """Picks the least-loaded eligible judge and counts the case against them.

    The team is the chosen judge's team: among the teams fit for the track, the one whose
    least-loaded judge is lowest. Choosing the judge across every fitting team (rather than first
    the team with the lowest average) keeps the guarantee that greedy assignment gives: starting
    from equal loads, no eligible judge ever carries more than one case weight above another.
    Ties: fewest cases assigned in the last 30 days, then the lower user id (deterministic)."""

    def __init__(self, judges: Iterable[JudgeLoad]):
        self.judges = {j.user_id: j for j in judges}

    def eligible(self, track: str, hint: str = "", *, exclude: Iterable[int] = (), team_id: int | None = None) -> list[JudgeLoad]:
        excluded = set(exclude)
        present = [j for j in self.judges.values() if not j.absent and j.user_id not in excluded]
        if team_id is not None:
            return [j for j in present if j.team_id == team_id]
        for types in team_type_tiers(track, hint):
            found = [j for j in present if j.team_type in types]
            if found:
                return found
        return []

    @staticmethod
    def least_loaded(candidates: Sequence[JudgeLoad]) -> JudgeLoad | None:
        return min(candidates, key=lambda j: (j.load, j.recent, j.user_id), default=None)

    def pick(self, track: str, hint: str = "", *, exclude: Iterable[int] = (), team_id: int | None = None) -> JudgeLoad | None:
        return self.least_loaded(self.eligible(track, hint, exclude=exclude, team_id=team_id))

    def add(self, user_id: int, track: str, weight: int) -> None:
        judge = self.judges[user_id]
        judge.load += weight
        judge.recent += 1
        judge.open_by_track[track] = judge.open_by_track.get(track, 0) + 1

    def remove(self, user_id: int, track: str, weight: int) -> None:
        judge = self.judges.get(user_id)
        if judge is not None:
            judge.load -= weight
            judge.open_by_track[track] = judge.open_by_track.get(track, 0) - 1


@dataclass(frozen=True)
class CaseToAssign:
    case_id: int
    case_number: str
    track: str
    hint: str = ""  # the deciding rule's preferred team type
    current_handler_id: int | None = None


@dataclass
class Proposal:
    case_id: int
    case_number: str
    track: str
    weight: int
    judge: JudgeLoad | None
    load_before: int = 0
    note: str = ""

    @property
    def text(self) -> str:
        if self.judge is None:
            return self.note
        return f"{self.judge.team_name} {self.judge.name}（分案前负荷 {self.load_before}）"


def plan(cases: Sequence[CaseToAssign], balancer: Balancer, weight_of, *, exclude: Iterable[int] = (),
         team_id: int | None = None) -> list[Proposal]:
    """Assign `cases` in order, each to the least-loaded eligible judge at that moment (the loads
    move as the plan goes). Nothing is written."""
    proposals = []
    for case in cases:
        weight = weight_of(case.track)
        judge = balancer.pick(case.track, case.hint, exclude=exclude, team_id=team_id)
        if judge is None and team_id is not None:  # no one else in the team: any fitting team
            judge = balancer.pick(case.track, case.hint, exclude=exclude)
        if judge is None:
            proposals.append(Proposal(case.case_id, case.case_number, case.track, weight, None,
                                      note=f"本院没有可承办{TRACK_LABELS.get(case.track, '')}案件的在岗法官"))
            continue
        proposals.append(Proposal(case.case_id, case.case_number, case.track, weight, judge, judge.load))
        balancer.add(judge.user_id, case.track, weight)
    return proposals


# ---------------------------------------------------------------- loads (reads)


def absent_ids(court_id: int, on: dt.date) -> set[int]:
    return set(Absence.objects.filter(court_id=court_id, starts_on__lte=on, ends_on__gte=on).values_list("user_id", flat=True))


def judge_loads(court_id: int, *, rules: CourtRules | None = None, today: dt.date | None = None) -> list[JudgeLoad]:
    """Every active judge of the court in an active team, with their weighted load: four queries
    whatever the number of cases (grouped by handler and track)."""
    rules = rules or court_rules(court_id)
    today = today or timezone.localdate()
    judges = list(User.objects.filter(court_id=court_id, role=Role.JUDGE, is_active=True, team__active=True,
                                      team__court_id=court_id).select_related("team").order_by("pk"))
    away = absent_ids(court_id, today)
    loads = {u.pk: JudgeLoad(u.pk, u.display_name, u.team_id, u.team.name, u.team.team_type, absent=u.pk in away)
             for u in judges}
    ids = list(loads)
    if not ids:
        return []
    open_cases = (EnforcementCase.objects.filter(court_id=court_id, status=CaseStatus.OPEN, handler_id__in=ids)
                  .values_list("handler_id", "track").annotate(n=Count("id")).order_by())
    for handler_id, track, n in open_cases:
        judge = loads[handler_id]
        judge.open_by_track[track or Track.ORDINARY] = judge.open_by_track.get(track or Track.ORDINARY, 0) + n
        judge.load += rules.weight(track) * n  # an untriaged case weighs as an ordinary one
    since = today - dt.timedelta(days=RECENT_DAYS)
    recent = (NodeRecord.objects.filter(court_id=court_id, node_code="assign", occurred_on__gte=since,
                                        case__handler_id__in=ids)
              .values_list("case__handler_id").annotate(n=Count("case_id", distinct=True)).order_by())
    for handler_id, n in recent:
        loads[handler_id].recent = n
    return list(loads.values())


def _cases_to_assign(cases: Sequence[EnforcementCase]) -> list[CaseToAssign]:
    hints = {pk: d.team_type for pk, d in latest_decisions([c.pk for c in cases]).items()}
    return [CaseToAssign(c.pk, c.case_number, c.track or Track.ORDINARY, hints.get(c.pk, ""), c.handler_id)
            for c in cases]


def preview(court: Court, cases: Sequence[EnforcementCase], *, rules: CourtRules | None = None,
            loads: Sequence[JudgeLoad] | None = None) -> list[Proposal]:
    """What auto-assignment would do for these cases now, in this order. `rules` and `loads`: when
    the caller already has them (they are copied: the plan moves loads as it goes)."""
    rules = rules or court_rules(court.pk)
    loads = judge_loads(court.pk, rules=rules) if loads is None else [
        replace(j, open_by_track=dict(j.open_by_track)) for j in loads]
    return plan(_cases_to_assign(cases), Balancer(loads), rules.weight)


# ---------------------------------------------------------------- services


@dataclass
class AssignOutcome:
    case_id: int
    case_number: str
    handler: str = ""
    team: str = ""
    refused: str = ""  # why this case was not assigned


@dataclass
class AssignResult:
    done: list[AssignOutcome] = field(default_factory=list)
    skipped: list[AssignOutcome] = field(default_factory=list)

    @property
    def text(self) -> str:
        text = f"已分案 {len(self.done)} 件"
        if self.skipped:
            text += f"，未分案 {len(self.skipped)} 件：" + "；".join(f"{s.case_number}（{s.refused}）" for s in self.skipped[:5])
            if len(self.skipped) > 5:
                text += "……"
        return text


def _weights_text(rules: CourtRules) -> str:
    return "/".join(f"{TRACK_LABELS[t]}{rules.weight(t)}" for t in Track.values)


def _assign_one(actor: User, case_id: int, proposal: Proposal, reason: str, *, expect_handler: int | None) -> EnforcementCase:
    """Assign under the case's row lock, unless someone changed its handler meanwhile (a retried or
    concurrent run then leaves it as it is: idempotent)."""
    with transaction.atomic():
        case = EnforcementCase.objects.select_for_update().get(pk=case_id)
        if case.handler_id != expect_handler:
            raise DomainError("已由他人分案" if expect_handler is None else "承办人已变更", code="changed")
        handler = User.objects.select_related("team").get(pk=proposal.judge.user_id)
        return case_assign(actor=actor, case=case, handler=handler, team=handler.team, reason=reason)


def assign_auto(*, actor: User, court: Court, case_ids: Sequence[int] | None = None, limit: int | None = None) -> AssignResult:
    """一键分案: each unassigned open case (all of the court's, or those given), most urgent deadline
    first, to the least-loaded judge of a team of its track. Cases not yet triaged are triaged first.
    Each case is its own transaction: a locked case (程序锁死) is reported and the others go on."""
    ensure_can_act(actor, court.pk)
    ensure_role(actor, AUTO_ASSIGNERS, "分案")
    cases = EnforcementCase.objects.filter(court=court, status=CaseStatus.OPEN, handler__isnull=True)
    if case_ids is not None:
        cases = cases.filter(pk__in=list(case_ids))
    cases = list(cases.order_by("assign_due", "filed_on", "id")[:limit] if limit else cases.order_by("assign_due", "filed_on", "id"))
    untriaged = [c.pk for c in cases if not c.track]
    if untriaged:
        from .services import retriage_cases

        retriage_cases(untriaged, actor=actor, why="分案前繁简分流")
        tracks = dict(EnforcementCase.objects.filter(pk__in=untriaged).values_list("pk", "track"))
        for c in cases:
            c.track = tracks.get(c.pk, c.track)
    rules = court_rules(court.pk)
    balancer = Balancer(judge_loads(court.pk, rules=rules))
    result = AssignResult()
    for case in _cases_to_assign(cases):
        proposal = plan([case], balancer, rules.weight)[0]
        if proposal.judge is None:
            result.skipped.append(AssignOutcome(case.case_id, case.case_number, refused=proposal.note))
            continue
        reason = (f"按繁简分流（{TRACK_LABELS[case.track]}）与承办负荷自动分案：{proposal.judge.team_name} "
                  f"{proposal.judge.name}，分案前负荷 {proposal.load_before}（权重 {_weights_text(rules)}）")
        try:
            _assign_one(actor, case.case_id, proposal, reason, expect_handler=None)
        except DomainError as exc:
            balancer.remove(proposal.judge.user_id, case.track, proposal.weight)
            result.skipped.append(AssignOutcome(case.case_id, case.case_number, refused=exc.message))
            continue
        result.done.append(AssignOutcome(case.case_id, case.case_number, proposal.judge.name, proposal.judge.team_name))
    return result


def absence_record(*, actor: User, user: User, starts_on: dt.date, ends_on: dt.date, reason: str) -> Absence:
    """A judge's absence: no new cases for them in the period (auto-assignment skips them)."""
    ensure_can_act(actor, user.court_id or 0)
    ensure_role(actor, ABSENCE_RECORDERS, "登记法官不在岗")
    errors = []
    if user.role != Role.JUDGE:
        errors.append(FieldError("user", "只能为执行法官登记不在岗"))
    if ends_on < starts_on:
        errors.append(FieldError("ends_on", f"结束日期 {ends_on} 早于开始日期 {starts_on}"))
    if not reason.strip():
        errors.append(FieldError("reason", "请写明不在岗事由（休假、培训、借调等）"))
    if errors:
        raise ValidationFailed(errors)
    return Absence.objects.create(court_id=user.court_id, user=user, starts_on=starts_on, ends_on=ends_on,
                                  reason=reason.strip()[:300], recorded_by=actor, recorded_at=timezone.now())


def open_cases_of(judge: User) -> list[EnforcementCase]:
    # Heaviest first (longest-processing-time first spreads them most evenly), then the oldest.
    cases = list(EnforcementCase.objects.filter(court_id=judge.court_id, status=CaseStatus.OPEN, handler=judge)
                 .order_by("filed_on", "id"))
    rules = court_rules(judge.court_id)
    return sorted(cases, key=lambda c: -rules.weight(c.track))


def reassign_preview(*, judge: User) -> list[Proposal]:
    """How an absent judge's open cases would be spread over their team now."""
    rules = court_rules(judge.court_id)
    loads = judge_loads(judge.court_id, rules=rules)
    balancer = Balancer(loads)
    return plan(_cases_to_assign(open_cases_of(judge)), balancer, rules.weight, exclude=[judge.pk], team_id=judge.team_id)


def reassign_absent(*, actor: User, judge: User, reason: str) -> AssignResult:
    """改派 every open case of an absent judge over the other judges of the team by load (if the
    team has no other judge present, over the teams of each case's track). Each case is logged with
    the reason; a refused one (a locked case) is reported and the others go on."""
    if judge.court_id is None:
        raise NotFound("法官不存在")
    ensure_can_act(actor, judge.court_id)
    ensure_role(actor, ABSENCE_RECORDERS, "批量改派")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "批量改派须说明理由（如：休假、借调）")])
    if judge.role != Role.JUDGE:
        raise ValidationFailed([FieldError("judge", "只能改派执行法官承办的案件")])
    rules = court_rules(judge.court_id)
    balancer = Balancer(judge_loads(judge.court_id, rules=rules))
    result = AssignResult()
    for case in _cases_to_assign(open_cases_of(judge)):
        proposal = plan([case], balancer, rules.weight, exclude=[judge.pk], team_id=judge.team_id)[0]
        if proposal.judge is None:
            result.skipped.append(AssignOutcome(case.case_id, case.case_number, refused=proposal.note))
            continue
        text = (f"{judge.display_name}{reason.strip()}，按承办负荷改派 {proposal.judge.team_name} {proposal.judge.name}"
                f"（改派前负荷 {proposal.load_before}）")
        try:
            _assign_one(actor, case.case_id, proposal, text[:500], expect_handler=judge.pk)
        except DomainError as exc:
            balancer.remove(proposal.judge.user_id, case.track, proposal.weight)
            result.skipped.append(AssignOutcome(case.case_id, case.case_number, refused=exc.message))
            continue
        result.done.append(AssignOutcome(case.case_id, case.case_number, proposal.judge.name, proposal.judge.team_name))
    return result


def judge_of_court(court_id: int, user_id: int) -> User:
    judge = User.objects.filter(pk=user_id, court_id=court_id).select_related("team").first()
    if judge is None:
        raise NotFound("法官不存在")
    return judge


def assigners_only(user: User) -> None:
    if user.is_read_only:
        raise NotAllowed("上级法院监督角色只能查看，不能分案")


LOAD_NOTE = f"负荷 = 在办案件按分流加权之和；{WEIGHTS_CITATION}"
