"""Reads of the netting proposals: visibility by user, the court's list, a proposal with its positions
and residual payments, the cases a proposal may start from, and what a user may do now — the same
answers for the pages and the API."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases import selectors as case_selectors
from zhixing.cases.choices import CaseStatus, PartyRole
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase, Party

from . import compute, engine, rules
from .choices import AMENDABLE_STATUSES, OPEN_STATUSES, ProposalStatus
from .models import Consent, CounterClaim, NettingProposal, ProposalLine

# ---------------------------------------------------------------- visibility


def proposals_visible_to(user: User) -> QuerySet[NettingProposal]:
    court_ids = case_selectors.visible_court_ids(user)
    proposals = NettingProposal.objects.all()
    return proposals if court_ids is None else proposals.filter(court_id__in=court_ids)


def with_details(proposals: QuerySet[NettingProposal]) -> QuerySet[NettingProposal]:
    # Not the lines: a proposal may cover 100,000 cases; pages read them a page at a time (lines_page).
    return proposals.select_related("court", "created_by", "submitted_by", "approved_by", "applied_by",
                                    "closed_by", "supersedes").prefetch_related(
        Prefetch("counter_claims", queryset=CounterClaim.objects.order_by("position")),
        Prefetch("consents", queryset=Consent.objects.select_related("recorded_by").order_by("given_on", "id")))


def proposal_get_for_user(*, user: User, pk: int) -> NettingProposal:
    """The proposal with its lines, claims and consents, or NotFound — also for another court's."""
    proposal = with_details(proposals_visible_to(user).filter(pk=pk)).first()
    if proposal is None:
        raise NotFound("抵销方案不存在")
    return proposal


def counter_claim_get_for_user(*, user: User, pk: int) -> CounterClaim:
    claim = CounterClaim.objects.select_related("proposal").filter(pk=pk).first()
    if claim is None or not proposals_visible_to(user).filter(pk=claim.proposal_id).exists():
        raise NotFound("抵销债权不存在")
    return claim


@dataclass
class ProposalFilter:
    status: str = ""
    q: str = ""  # a proposal number, a case number, or a party's name


def proposals_for_list(*, user: User, filters: ProposalFilter) -> QuerySet[NettingProposal]:
    """The court's proposals, newest first: every version, each in one row."""
    proposals = proposals_visible_to(user)
    if filters.status:
        proposals = proposals.filter(status=filters.status)
    q = filters.q.strip()
    if q:
        matching = ProposalLine.objects.filter(Q(case_number__contains=q) | Q(debtor_name__contains=q)
                                               | Q(creditor_name__contains=q))
        condition = Q(pk__in=matching.values("proposal_id"))
        if q.isdigit():
            condition |= Q(number=int(q))
        proposals = proposals.filter(condition)
    return proposals.select_related("court", "created_by").order_by("-created_at", "-id")


def proposals_for_case(case: EnforcementCase) -> list[NettingProposal]:
    """The proposals that cover the case (newest first), each with this case's line as `line`."""
    lines = ProposalLine.objects.filter(case_id=case.pk).select_related("proposal").order_by("-proposal__created_at", "-id")
    result = []
    for line in lines:
        line.proposal.line = line
        result.append(line.proposal)
    return result


# ---------------------------------------------------------------- positions and residual payments


def obligations_of(proposal: NettingProposal) -> tuple[list[tuple[engine.Obligation, int]], dict[str, str], dict[int, str]]:
    """The proposal's stored obligations as the engine saw them, each with its set-off; the parties'
    names; the case numbers. A joint case counts once per respondent's share (ProposalLine.joint).
    One query, columns only."""
    obligations, names, numbers = [], {}, {}
    rows = proposal.lines.filter(excluded_reason="").order_by("position").values_list(
        "case_id", "case_number", "debtor_key", "debtor_name", "creditor_key", "creditor_name", "outstanding_fen",
        "set_off_fen", "joint")
    for case_id, number, debtor_key, debtor_name, creditor_key, creditor_name, outstanding, set_off, joint in rows:
        numbers[case_id] = number
        names.setdefault(creditor_key, creditor_name)
        if debtor_key:
            names.setdefault(debtor_key, debtor_name)
            parts = {debtor_key: (outstanding, set_off)}
        else:
            names.update({key: name for key, name in joint.get("respondents", ()) if key not in names})
            parts = {key: tuple(pair) for key, pair in joint.get("shares", {}).items()}
        for key, (amount, taken) in parts.items():
            obligations.append((engine.Obligation(("c", case_id, key), key, creditor_key, amount), taken))
    for claim in proposal.counter_claims.all():
        names.setdefault(claim.creditor_key, claim.creditor_name)
        names.setdefault(claim.debtor_key, claim.debtor_name)
        obligations.append((engine.Obligation(("k", claim.position), claim.debtor_key, claim.creditor_key,
                                              claim.amount_fen), claim.set_off_fen))
    return obligations, names, numbers


@dataclass
class PositionRow:
    key: str
    name: str
    position: engine.Position


def positions(proposal: NettingProposal) -> list[PositionRow]:
    """Each party's position before and after: what it is owed, what it owes, its net (unchanged)."""
    pairs, names, _ = obligations_of(proposal)
    set_off = {ob.id: fen for ob, fen in pairs}
    rows = engine.positions([ob for ob, _ in pairs], set_off)
    return [PositionRow(key, names.get(key, key), rows[key]) for key in sorted(rows, key=lambda k: (names.get(k, k), k))]


@dataclass
class ResidualRow:
    debtor: str
    creditor: str
    amount_fen: int
    case_numbers: list[str] = field(default_factory=list)


def residual_payments(proposal: NettingProposal) -> list[ResidualRow]:
    """What still has to be paid after the set-offs, per debtor and creditor, with the cases."""
    pairs, names, numbers = obligations_of(proposal)
    rows = engine.residuals([ob for ob, _ in pairs], {ob.id: fen for ob, fen in pairs})
    result = []
    for r in rows:
        cases = [numbers[i[1]] if i[0] == "c" else "抵销债权" for i in r.obligation_ids]
        result.append(ResidualRow(names.get(r.debtor, r.debtor), names.get(r.creditor, r.creditor), r.amount_fen,
                                  list(dict.fromkeys(cases))))
    return result


def consent_rows(proposal: NettingProposal) -> list[dict]:
    """The consents the version needs, each with the one recorded (or None)."""
    given = {c.party_key: c for c in proposal.consents.all()}
    return [{**row, "consent": given.get(row["party"])} for row in proposal.required_consents]


def party_choices(proposal: NettingProposal) -> list[tuple[str, str]]:
    """(identity number, name) of every party of the proposal's cases, for the forms."""
    rows = Party.objects.filter(case_id__in=proposal.lines.values("case_id"),
                                role__in=(PartyRole.APPLICANT, PartyRole.RESPONDENT))
    names: dict[str, str] = {}
    for id_number, credit_code, name in rows.order_by("case_id", "position").values_list("id_number", "credit_code", "name"):
        key = compute.party_key(id_number, credit_code)
        if key:
            names.setdefault(key, name)
    return sorted(names.items(), key=lambda kv: (kv[1], kv[0]))


def joint_lines(proposal: NettingProposal) -> list[ProposalLine]:
    """The proposal's cases with several respondents that may be netted once apportioned (ProposalLine.joint)."""
    return [line for line in proposal.lines.filter(debtor_key="").order_by("position") if line.joint]


@dataclass
class LineFilter:
    q: str = ""  # a case number or a party's name
    nettable: bool = True  # the nettable lines, or the excluded ones


def lines_page(proposal: NettingProposal, filters: LineFilter, number, page_size: int = 100) -> Page:
    """One page of the proposal's cases (nettable or not), in the proposal's order."""
    lines = proposal.lines.all() if filters.nettable else proposal.lines.exclude(excluded_reason="")
    if filters.nettable:
        lines = lines.filter(excluded_reason="")
    if q := filters.q.strip():
        lines = lines.filter(Q(case_number__contains=q) | Q(debtor_name__contains=q) | Q(creditor_name__contains=q))
    return Paginator(lines.order_by("position"), page_size).get_page(number)


# ---------------------------------------------------------------- where a proposal starts


def proposal_for_cases(*, user: User, case_ids, multilateral: bool = True) -> compute.Computation:
    """What a proposal for these cases of the user's court would be, without storing anything: the
    "new proposal" page's preview, the API's /preview, the benchmark's figure. The figures only: the
    bases in words are written when the proposal is stored."""
    facts = compute.load_cases(user.court_id, case_ids) if user.court_id else {}
    return compute.compute(facts, today=timezone.localdate(), multilateral=multilateral, requested=case_ids,
                           bases=False)



def cases_among_parties(*, court_id: int, keys: set[str]) -> list[EnforcementCase]:
    """The court's open cases whose every applicant and respondent is among `keys` (identity numbers):
    the obligations among a set of parties. Two queries."""
    keys = {k.strip().upper() for k in keys if k.strip()}
    if not keys:
        return []
    touching = Party.objects.filter(court_id=court_id).filter(Q(id_number__in=keys) | Q(credit_code__in=keys))
    case_ids = set(touching.filter(case__status=CaseStatus.OPEN).values_list("case_id", flat=True))
    outside = set()
    for case_id, role, id_number, credit_code in Party.objects.filter(case_id__in=case_ids).order_by().values_list(
            "case_id", "role", "id_number", "credit_code"):
        if role in (PartyRole.APPLICANT, PartyRole.RESPONDENT) and compute.party_key(id_number, credit_code) not in keys:
            outside.add(case_id)
    return list(EnforcementCase.objects.filter(pk__in=case_ids - outside).order_by("filed_on", "pk"))


def mutual_parties(*, court_id: int, seed: set[str], limit: int = 200) -> set[str]:
    """From a few parties, those linked to them by mutual debts in the court's open cases: a party
    who is applicant against one of them in one case and respondent to one of them in another (互为
    申请人、被执行人), followed until no new one appears or `limit` parties are found."""
    found = {k.strip().upper() for k in seed if k.strip()}
    frontier = set(found)
    while frontier and len(found) < limit:
        cases = Party.objects.filter(court_id=court_id, case__status=CaseStatus.OPEN).filter(
            Q(id_number__in=frontier) | Q(credit_code__in=frontier)).values("case_id")
        roles: dict[int, dict[str, set[str]]] = defaultdict(lambda: {"applicant": set(), "respondent": set()})
        for case_id, role, id_number, credit_code in Party.objects.filter(case_id__in=cases).order_by().values_list(
                "case_id", "role", "id_number", "credit_code"):
            key = compute.party_key(id_number, credit_code)
            if key and role in (PartyRole.APPLICANT, PartyRole.RESPONDENT):
                roles[case_id][role].add(key)
        owed_by_found, owes_found = set(), set()
        for sides in roles.values():
            if sides["respondent"] & found:
                owed_by_found |= sides["applicant"] - found
            if sides["applicant"] & found:
                owes_found |= sides["respondent"] - found
        frontier = (owed_by_found & owes_found)
        frontier = set(sorted(frontier)[: max(limit - len(found), 0)])
        found |= frontier
    return found


# ---------------------------------------------------------------- what may be done now


@dataclass
class Actions:
    edit: bool = False
    submit: bool = False
    consent: bool = False
    approve: bool = False
    approve_refusal: str | None = None
    apply: bool = False
    reverse: bool = False
    amend: bool = False
    withdraw: bool = False

    def names(self) -> list[str]:
        return [name for name in ("edit", "submit", "consent", "approve", "apply", "reverse", "amend", "withdraw")
                if getattr(self, name)]


def _may(user: User, proposal: NettingProposal, roles) -> bool:
    if user.is_superuser:
        return True
    return not user.is_read_only and user.court_id == proposal.court_id and user.role in roles


def actions_for(user: User, proposal: NettingProposal) -> Actions:
    from .services import approve_refusal

    status = proposal.status
    actions = Actions(
        edit=status == ProposalStatus.DRAFT and _may(user, proposal, rules.DRAFTERS),
        submit=status == ProposalStatus.DRAFT and _may(user, proposal, rules.DRAFTERS),
        consent=status == ProposalStatus.CONSENTS and _may(user, proposal, rules.CONSENT_RECORDERS),
        apply=status == ProposalStatus.APPROVED and _may(user, proposal, rules.APPLIERS),
        reverse=status == ProposalStatus.APPLIED and _may(user, proposal, rules.REVERSERS),
        amend=status in AMENDABLE_STATUSES and _may(user, proposal, rules.DRAFTERS),
        withdraw=status in OPEN_STATUSES and _may(user, proposal, rules.DRAFTERS | rules.APPROVERS),
    )
    if status == ProposalStatus.CONSENTS and _may(user, proposal, rules.APPROVERS):
        actions.approve_refusal = approve_refusal(user, proposal)
        actions.approve = actions.approve_refusal is None
    return actions


def may_draft(user: User) -> bool:
    return user.is_superuser or (not user.is_read_only and bool(user.court_id) and user.role in rules.DRAFTERS)


def today() -> dt.date:
    return timezone.localdate()
