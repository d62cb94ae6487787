"""Reads of triage and assignment: a court's rules in force, a case's decisions and tags, what the
rules would say now, and the unassigned-cases worklist. Visibility by user is applied here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, Track
from zhixing.cases.exceptions import NotAllowed, NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.choices import CourtLevel
from zhixing.courts.models import Court

from .choices import OPEN_TRANSFER_STATUSES, DecisionSource
from .facts import facts_for_case
from .models import CaseTag, CaseTransfer, TriageDecision, TriagePolicy, TriageRule
from .rules import (
    DEFAULT_RULES,
    DEFAULT_TRACK,
    DEFAULT_TRACK_REASON,
    DEFAULT_WEIGHTS,
    POLICY_EDITORS,
    Facts,
    Outcome,
    Rule,
    decide,
)

# ---------------------------------------------------------------- a court's rules in force


@dataclass(frozen=True)
class CourtRules:
    """The rules, default track and weights a court applies now. policy_id None: the shipped defaults."""

    policy_id: int | None
    version: int | None
    rules: tuple[Rule, ...]
    default_track: str
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @property
    def label(self) -> str:
        return f"本院第{self.version}版" if self.version else "系统默认规则"

    def decide(self, facts: Facts) -> Outcome:
        return decide(self.rules, facts, self.default_track)

    def snapshot(self, outcome: Outcome) -> dict:
        return outcome.snapshot(DEFAULT_TRACK_REASON if self.policy_id is None else "")

    def weight(self, track: str) -> int:
        return self.weights.get(track) or self.weights[Track.ORDINARY]


SHIPPED = CourtRules(None, None, DEFAULT_RULES, DEFAULT_TRACK)


def court_rules_many(court_ids) -> dict[int, CourtRules]:
    """{court_id: CourtRules}: the latest version of each court's policy, in two queries. (Not
    cached in the process: on SQLite a rolled-back version's id can be used again.)"""
    ids = sorted(set(court_ids))
    latest = TriagePolicy.objects.filter(court_id=OuterRef("court_id")).order_by("-version").values("pk")[:1]
    rows = list(TriagePolicy.objects.filter(court_id__in=ids, pk=Subquery(latest)).order_by())
    rules: dict[int, list[Rule]] = {row.pk: [] for row in rows}
    if rows:
        for r in TriageRule.objects.filter(policy_id__in=list(rules)).order_by("policy_id", "position"):
            rules[r.policy_id].append(Rule(r.kind, r.track, r.reason, r.citation, dict(r.params), r.team_type))
    result = {court_id: SHIPPED for court_id in ids}
    for row in rows:
        result[row.court_id] = CourtRules(row.pk, row.version, tuple(rules[row.pk]), row.default_track, row.weights)
    return result


def court_rules(court_id: int) -> CourtRules:
    return court_rules_many([court_id])[court_id]


def policy_versions(court_id: int, limit: int = 20) -> list[TriagePolicy]:
    return list(TriagePolicy.objects.filter(court_id=court_id).select_related("created_by").order_by("-version")[:limit])


def may_edit_policy(user: User, court_id: int | None) -> bool:
    return user.is_superuser or (
        court_id is not None and user.court_id == court_id and not user.is_read_only and user.role in POLICY_EDITORS
    )


def policy_court_for(user: User, court_id: int | None = None) -> Court:
    """The court whose rules the page shows: the user's own; an administrator (or a supervisor) picks one."""
    visible = visible_court_ids(user)
    if court_id is None:
        court_id = user.court_id
    if court_id is None:
        court = Court.objects.filter(level=CourtLevel.BASIC).order_by("court_code").first()
        if court is None:
            raise NotFound("尚无法院")
        return court
    if visible is not None and court_id not in visible:
        raise NotFound("法院不存在")
    try:
        return Court.objects.get(pk=court_id)
    except Court.DoesNotExist as exc:
        raise NotFound("法院不存在") from exc


# ---------------------------------------------------------------- decisions


def latest_decisions(case_ids) -> dict[int, TriageDecision]:
    """{case_id: its decision in force} in two queries."""
    ids = list(case_ids)
    last = (TriageDecision.objects.filter(case_id__in=ids).values("case_id").annotate(last=Max("id"))
            .order_by().values_list("last", flat=True))
    return {d.case_id: d for d in TriageDecision.objects.filter(pk__in=list(last)).order_by()}


def latest_decision(case_id: int) -> TriageDecision | None:
    return TriageDecision.objects.filter(case_id=case_id).select_related("decided_by", "policy").order_by("-id").first()


@dataclass
class CasePanel:
    """What the case page shows of triage."""

    case: EnforcementCase
    decision: TriageDecision | None
    now: Outcome  # what the rules say today
    now_rule: dict
    rules_label: str
    facts: Facts
    tags: list[CaseTag]
    history: list[TriageDecision]
    transfers: list[CaseTransfer]

    @property
    def differs(self) -> bool:
        """The track in force is not what the rules say today (an override, or facts changed since)."""
        return self.decision is not None and self.decision.track != self.now.track

    @property
    def overridden(self) -> bool:
        return self.decision is not None and self.decision.source == DecisionSource.OVERRIDE

    @property
    def active_tags(self) -> list[CaseTag]:
        return [t for t in self.tags if t.active]


def case_panel(case: EnforcementCase) -> CasePanel:
    tags = list(CaseTag.objects.filter(case_id=case.pk).select_related("added_by", "removed_by").order_by("added_at", "id"))
    facts = facts_for_case(case, tags)
    rules = court_rules(case.court_id)
    now = rules.decide(facts)
    history = list(TriageDecision.objects.filter(case_id=case.pk).select_related("decided_by").order_by("-id")[:20])
    transfers = list(
        CaseTransfer.objects.filter(Q(case_id=case.pk) | Q(new_case_id=case.pk))
        .select_related("case", "new_case", "court", "to_court", "ordering_court", "ordered_by").order_by("-id")
    )
    return CasePanel(case=case, decision=history[0] if history else None, now=now, now_rule=rules.snapshot(now),
                     rules_label=rules.label, facts=facts, tags=tags, history=history, transfers=transfers)


# ---------------------------------------------------------------- the unassigned worklist


@dataclass
class UnassignedFilter:
    track: str = ""
    overdue: bool = False
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    case_number: str = ""


def unassigned_cases(*, court_id: int, filters: UnassignedFilter | None = None,
                     today: dt.date | None = None) -> QuerySet[EnforcementCase]:
    """Open cases of the court without a handler, most urgent assignment deadline first (法发〔2006〕35号
    第2条: 7 days from filing)."""
    filters = filters or UnassignedFilter()
    today = today or timezone.localdate()
    cases = EnforcementCase.objects.filter(court_id=court_id, status=CaseStatus.OPEN, handler__isnull=True)
    if filters.track:
        cases = cases.filter(track=filters.track)
    if filters.overdue:
        cases = cases.filter(assign_due__lt=today)
    if filters.filed_from:
        cases = cases.filter(filed_on__gte=filters.filed_from)
    if filters.filed_to:
        cases = cases.filter(filed_on__lte=filters.filed_to)
    if filters.case_number.strip():
        cases = cases.filter(case_number__contains=filters.case_number.strip())
    return cases.order_by("assign_due", "filed_on", "id")


def assigning_court_for(user: User) -> Court:
    """The court whose cases `user` assigns: their own (a read-only supervisor assigns nothing)."""
    if user.is_read_only:
        raise NotAllowed("上级法院监督角色只能查看，不能分案")
    if not user.court_id:
        raise NotAllowed("您不属于任何法院，不能分案")
    return user.court


# ---------------------------------------------------------------- transfers


def transfers_for(user: User) -> QuerySet[CaseTransfer]:
    """Transfers the user's court takes part in: ordered by it, from it or to it (a superuser: all)."""
    rows = CaseTransfer.objects.select_related("case", "new_case", "court", "to_court", "ordering_court", "ordered_by")
    if user.is_superuser:
        return rows.order_by("-id")
    visible = visible_court_ids(user) or []
    own = user.court_id
    return rows.filter(
        Q(court_id=own) | Q(to_court_id=own) | Q(ordering_court_id=own) | Q(court_id__in=visible)
    ).order_by("-id")


def open_transfer_of(case_id: int) -> CaseTransfer | None:
    return CaseTransfer.objects.filter(case_id=case_id, status__in=OPEN_TRANSFER_STATUSES).first()


def transfer_candidates(intermediate: Court, *, today: dt.date | None = None) -> QuerySet[EnforcementCase]:
    """New cases of the basic courts below `intermediate` that could be designated elsewhere: open,
    first enforcement, unassigned, filed within the window (the service checks the rest: measures,
    money, locks). Newest first, per court."""
    from zhixing.cases.choices import CaseType

    from .rules import TRANSFER_WINDOW_DAYS

    today = today or timezone.localdate()
    return (EnforcementCase.objects.filter(court__parent=intermediate, court__level=CourtLevel.BASIC,
                                           status=CaseStatus.OPEN, case_type=CaseType.FIRST, handler__isnull=True,
                                           filed_on__gt=today - dt.timedelta(days=TRANSFER_WINDOW_DAYS))
            .select_related("court").order_by("court__court_code", "-filed_on", "-id"))
