"""From the cases to the engine and back: which of a court's cases are money obligations that may be
netted (and why the others are not), the obligations the engine works on, and each case's set-off
with its basis in words. Reads only; `services` stores what this computes, the "new proposal" page
and the benchmark show it without storing.

An obligation is one open money case: its respondent owes its applicant the outstanding amount
(申请执行标的 − 实际执行到位; money received on the case's account already counts as performed). The
same person across cases is recognised by ID number or unified social credit code, never by name.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection

from zhixing.cases.choices import CaseStatus, CaseType, ClosingType, PartyRole
from zhixing.cases.models import EnforcementCase, ExecutionBasis, Party
from zhixing.documents.formatting import yuan_text

from . import engine, rules
from .choices import OPEN_STATUSES, ProposalStatus

# SQLite allows 32,766 parameters per statement (PostgreSQL 65,535): a bundle is read in slices.
CHUNK = 30_000
# A basis names at most this many counter-claims, then "等N项".
BASIS_NAMES = 5


class PartyFacts(NamedTuple):
    # A named tuple: a bundle reads 200,000 of them, and a frozen dataclass is several times slower to make.
    key: str  # ID number or credit code ("" when the case has neither for this party)
    name: str


@dataclass(slots=True)
class CaseFacts:
    pk: int
    court_id: int
    case_number: str
    case_type: str
    status: str
    closing_type: str
    filed_on: dt.date
    claim_fen: int
    performed_fen: int
    outstanding_fen: int = 0  # 申请执行标的 − 实际执行到位, never below zero
    applicants: list[PartyFacts] = field(default_factory=list)
    respondents: list[PartyFacts] = field(default_factory=list)
    title: str = ""
    effective_on: dt.date | None = None
    open_proposal: str = ""  # another open proposal that nets this case

    @property
    def parties(self) -> list[PartyFacts]:
        return [*self.applicants, *self.respondents]


@dataclass(frozen=True, slots=True)
class ClaimInput:
    """A counter-claim as the engine needs it (a stored `CounterClaim` has these attributes too)."""

    position: int
    creditor_key: str
    creditor_name: str
    debtor_key: str
    debtor_name: str
    amount_fen: int
    due_on: dt.date
    document_number: str = ""


@dataclass(slots=True)
class LineResult:
    facts: CaseFacts
    excluded_reason: str = ""
    set_off_fen: int = 0
    multilateral_fen: int = 0
    basis: str = ""
    # None rather than empty containers: a bundle makes 100,000 lines and most have neither.
    shares: dict[str, int] | None = None  # a joint case: respondent key → fen
    share_set_off: dict[str, int] | None = None  # a joint case: respondent key → set off
    apportionable: bool = False  # a joint case nettable once apportioned
    obligations: tuple | list = ()  # its engine obligations (one per share of a joint case)

    @property
    def joint(self) -> dict:
        if not self.apportionable:
            return {}
        return {"respondents": [[p.key, p.name] for p in self.facts.respondents],
                "shares": {key: [fen, (self.share_set_off or {}).get(key, 0)] for key, fen in (self.shares or {}).items()}}

    @property
    def debtor_key(self) -> str:
        return self.facts.respondents[0].key if len(self.facts.respondents) == 1 else ""

    @property
    def debtor_name(self) -> str:
        return "、".join(p.name for p in self.facts.respondents)

    @property
    def creditor_key(self) -> str:
        return self.facts.applicants[0].key if len(self.facts.applicants) == 1 else ""

    @property
    def creditor_name(self) -> str:
        return "、".join(p.name for p in self.facts.applicants)


@dataclass(slots=True)
class ClaimResult:
    claim: ClaimInput
    set_off_fen: int = 0
    multilateral_fen: int = 0


@dataclass
class Computation:
    lines: list[LineResult]
    claims: list[ClaimResult]
    result: engine.Result
    names: dict[str, str]
    required_consents: list[dict]
    missing: list[int]  # requested ids that are not cases of the court

    @property
    def set_off_total_fen(self) -> int:
        return self.result.total_set_off_fen

    @property
    def residual_total_fen(self) -> int:
        return self.result.total_left_fen

    @property
    def nettable_count(self) -> int:
        return sum(1 for line in self.lines if not line.excluded_reason)


# ---------------------------------------------------------------- loading


def without_gc(function):
    """Run without the cyclic garbage collector: a bundle makes hundreds of thousands of small objects
    and no reference cycles, and the collector would walk them again and again (a third of the time)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper


def party_key(id_number: str, credit_code: str) -> str:
    return (id_number or credit_code or "").strip().upper()


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _among(ids: list[int]) -> tuple[str, list]:
    """`IN (%s, …)`, or on PostgreSQL `= ANY(%s)` with one array parameter: 30,000 placeholders cost
    PostgreSQL more to parse and plan than to run the query."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [ids]
    return f"IN ({', '.join(['%s'] * len(ids))})", ids


def _date(value: str | None) -> dt.date | None:
    """Dates are read as ISO text (CAST … AS TEXT) and parsed here: SQLite's per-row converters
    cost more than the query."""
    return dt.date.fromisoformat(value[:10]) if value else None


@without_gc
def load_cases(court_id: int, case_ids: Iterable[int], *, exclude_proposal_id: int | None = None) -> dict[int, CaseFacts]:
    """The facts netting needs of the court's cases among `case_ids`: three queries per slice of CHUNK
    cases (cases, parties, execution bases) and two for the other open proposals.

    Plain SQL on a cursor: for a bundle of 100,000 cases the ORM's per-parameter and per-row work
    took several times as long as the database."""
    from .models import NettingProposal, ProposalLine

    q = connection.ops.quote_name
    cases_table, parties_table = q(EnforcementCase._meta.db_table), q(Party._meta.db_table)
    bases_table = q(ExecutionBasis._meta.db_table)
    ids = sorted(set(case_ids))
    facts: dict[int, CaseFacts] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        among, params = _among(chunk)
        for pk, court, number, case_type, status, closing, filed_on, claim, performed in _fetch(
                f"SELECT id, court_id, case_number, case_type, status, closing_type, CAST(filed_on AS TEXT), "
                f"claim_amount_fen, performed_amount_fen FROM {cases_table} WHERE court_id = %s AND id {among}",
                [court_id, *params]):
            facts[pk] = CaseFacts(pk, court, number, case_type, status, closing, _date(filed_on), claim, performed,
                                  max(claim - performed, 0))
        # By case only (the court is the cases'): the planner must walk the case_id index, not the court's.
        found = [pk for pk in chunk if pk in facts]
        if not found:
            continue
        among, params = _among(found)
        for case_id, role, name, id_number, credit_code in _fetch(
                f"SELECT case_id, role, name, id_number, credit_code FROM {parties_table} "
                f"WHERE case_id {among} ORDER BY case_id, position", params):
            person = PartyFacts((id_number or credit_code or "").strip().upper(), name)  # party_key, inlined
            if role == _APPLICANT:
                facts[case_id].applicants.append(person)
            elif role == _RESPONDENT:
                facts[case_id].respondents.append(person)
        for case_id, number, issuer, effective_on in _fetch(
                f"SELECT case_id, document_number, issuing_court, CAST(effective_on AS TEXT) FROM {bases_table} "
                f"WHERE case_id {among}", params):
            facts[case_id].title = f"{number}（{issuer}，{effective_on[:10]}生效）"[:300]
            facts[case_id].effective_on = _date(effective_on)
    others = NettingProposal.objects.filter(court_id=court_id, status__in=OPEN_STATUSES)
    if exclude_proposal_id:
        others = others.exclude(pk=exclude_proposal_id)
    labels = {pk: f"抵销方案第{number}号第{version}版（{ProposalStatus(status).label}）"
              for pk, number, version, status in others.values_list("pk", "number", "version", "status")}
    if labels:
        taken = ProposalLine.objects.filter(proposal_id__in=list(labels), excluded_reason="").order_by()
        for case_id, proposal_id in taken.values_list("case_id", "proposal_id").iterator(chunk_size=5000):
            if case_id in facts:
                facts[case_id].open_proposal = labels[proposal_id]
    return facts


# ---------------------------------------------------------------- which cases may be netted


# Plain strings: an enum member's lookup costs more than the comparison, 100,000 times over.
_OPEN = CaseStatus.OPEN.value
_NETTABLE = frozenset(t.value for t in rules.NETTABLE_CASE_TYPES)
_APPLICANT, _RESPONDENT = PartyRole.APPLICANT.value, PartyRole.RESPONDENT.value


def case_refusal(facts: CaseFacts, today: dt.date) -> str:
    """Why the case cannot be netted now, or "" (rules.SET_OFF and the policies beside it); a joint
    case that passes is then checked by `joint_refusal`."""
    if facts.status != _OPEN:
        closing = ClosingType(facts.closing_type).label if facts.closing_type else ""
        return f"已结案（{closing}）" if closing else "已结案"
    if facts.case_type not in _NETTABLE:
        return f"{CaseType(facts.case_type).label}案件不是以生效法律文书确定的金钱债务（{rules.SET_OFF.citation}）"
    if facts.claim_fen <= 0:
        return "申请执行标的为零（非金钱给付），与金钱债务种类不同，不能抵销"
    if facts.outstanding_fen <= 0:
        return "已全部履行"
    if facts.effective_on is None or facts.effective_on > today:
        return "执行依据尚未生效"
    applicants, respondents = facts.applicants, facts.respondents
    for people in (applicants, respondents):
        for person in people:
            if not person.key:
                return f"当事人{person.name}没有身份证号或统一社会信用代码，无法确认与其他案件的当事人为同一人"
    if len(applicants) != 1:
        return rules.JOINT_APPLICANTS if applicants else "没有申请执行人"
    if not respondents:
        return "没有被执行人"
    applicant = applicants[0].key
    for person in respondents:
        if person.key == applicant:
            return "申请执行人与被执行人为同一人"
    if facts.open_proposal:
        return f"已列入{facts.open_proposal}"
    return ""


def joint_refusal(facts: CaseFacts, shares: dict[str, int] | None, refused: frozenset[str]) -> str:
    if not shares:
        return f"有{len(facts.respondents)}名共同被执行人：{rules.JOINT.text}"
    if set(shares) - {p.key for p in facts.respondents}:
        return "分担人须为本案被执行人"
    if sum(shares.values()) != facts.outstanding_fen:
        return (f"各被执行人分担合计 {yuan_text(sum(shares.values()))}，与尚欠金额 {yuan_text(facts.outstanding_fen)} "
                "不符，请重新分担")
    who = [p.name for p in facts.parties if p.key in refused]
    if who:
        return f"本案当事人{'、'.join(who)}不同意分担，不纳入抵销"
    return ""


# ---------------------------------------------------------------- the computation


@without_gc
def compute(facts: dict[int, CaseFacts], *, today: dt.date, multilateral: bool = True,
            refused: Iterable[str] = (), joint_shares: dict | None = None, claims: Sequence = (),
            requested: Iterable[int] = (), bases: bool = True) -> Computation:
    """The set-offs for these cases (and counter-claims), with each party's position, the residual
    payments, the consents the proposal needs and (`bases`) each case's basis in words — what a stored
    proposal keeps; a preview shows only the figures."""
    refused = frozenset(refused)
    joint_shares = {int(k): {str(p): int(f) for p, f in v.items()} for k, v in (joint_shares or {}).items()}
    lines: list[LineResult] = []
    obligations: list[engine.Obligation] = []
    ordered = sorted(facts.values(), key=lambda f: (f.filed_on, f.pk))
    Obligation = engine.Obligation
    for f in ordered:
        line = LineResult(f, case_refusal(f, today))
        lines.append(line)
        if len(f.respondents) > 1 and not line.excluded_reason:
            line.apportionable = True  # otherwise nettable: the judge may apportion it
            line.excluded_reason = joint_refusal(f, joint_shares.get(f.pk), refused)
            if not line.excluded_reason:
                line.shares = joint_shares[f.pk]
                order = (f.filed_on.toordinal(), 0, f.pk)
                line.obligations = [Obligation(("c", f.pk, debtor), debtor, f.applicants[0].key, fen, order)
                                    for debtor, fen in line.shares.items() if fen > 0]
                obligations.extend(line.obligations)
        elif not line.excluded_reason:
            debtor = f.respondents[0].key
            o = Obligation(("c", f.pk, debtor), debtor, f.applicants[0].key, f.outstanding_fen,
                           (f.filed_on.toordinal(), 0, f.pk))
            line.obligations = (o,)
            obligations.append(o)
    claim_results = []
    for claim in claims:
        # Not confirmed by a document: set off only on its debtor's acceptance, asked for in the
        # proposal and required before approval; one who refused it leaves it out.
        has_basis = bool(claim.document_number) or claim.debtor_key not in refused
        obligations.append(Obligation(("k", claim.position), claim.debtor_key, claim.creditor_key, claim.amount_fen,
                                      (claim.due_on.toordinal(), 1, claim.position), has_basis))
        claim_results.append(ClaimResult(claim))
    consenting = set()
    if multilateral:  # everyone but who refused: whose consent a ring needs is asked for before approval
        consenting = {o.debtor for o in obligations}
        consenting.update(o.creditor for o in obligations)
        consenting -= refused
    result = engine.propose(obligations, consenting=consenting, max_cycle=rules.MAX_CYCLE_PARTIES)

    set_off, multi = result.set_off_fen, result.multilateral_fen
    for line in lines:
        for o in line.obligations:
            line.set_off_fen += set_off[o.id]
            if multi:
                line.multilateral_fen += multi.get(o.id, 0)
            if line.shares:
                if line.share_set_off is None:
                    line.share_set_off = {}
                line.share_set_off[o.debtor] = set_off[o.id]
    for c in claim_results:
        c.set_off_fen = set_off[("k", c.claim.position)]
        c.multilateral_fen = multi.get(("k", c.claim.position), 0)
    # Names are needed only where something is set off (the bases, the consents): a party is named as
    # in its earliest such case (later ones may spell it differently).
    names: dict[str, str] = {}
    for line in lines:
        if line.set_off_fen:
            for person in line.facts.applicants:
                names.setdefault(person.key, person.name)
            for person in line.facts.respondents:
                names.setdefault(person.key, person.name)
    for c in claim_results:
        names.setdefault(c.claim.creditor_key, c.claim.creditor_name)
        names.setdefault(c.claim.debtor_key, c.claim.debtor_name)
    if bases:
        _write_bases(lines, obligations, result, facts, {c.claim.position: c.claim for c in claim_results}, names)
    requested = set(requested)
    return Computation(lines=lines, claims=claim_results, result=result, names=names,
                       required_consents=_required_consents(lines, claim_results, result, names),
                       missing=sorted(requested - set(facts)))


def _describe(o: engine.Obligation, facts: dict[int, CaseFacts], claims: dict[int, ClaimInput]) -> str:
    if o.id[0] == "c":
        f = facts[o.id[1]]
        return f"{f.case_number}（执行依据：{f.title}）"
    claim = claims[o.id[1]]
    basis = claim.document_number or f"经{claim.debtor_name}认可"
    return f"{claim.creditor_name}对{claim.debtor_name}的债权 {yuan_text(claim.amount_fen)}（{basis}）"


_SAME_KIND = f"。双方债务均为人民币金钱债务，种类、品质相同（{rules.SET_OFF.citation}）。"


def _ring(cycle: engine.Cycle, names: dict[str, str]) -> str:
    """A→B→C→A; a long ring is shortened to its first parties and its size."""
    shown = [names.get(p, p) for p in cycle.parties[:BASIS_NAMES]]
    if len(cycle.parties) > BASIS_NAMES:
        return "→".join(shown) + f"→…（共{len(cycle.parties)}方）→{shown[0]}"
    return "→".join([*shown, shown[0]])


def _write_bases(lines: list[LineResult], obligations: list[engine.Obligation], result: engine.Result,
                 facts: dict[int, CaseFacts], claims: dict[int, ClaimInput], names: dict) -> None:
    """Each set-off line's basis: the counter-claims it is set off against (case numbers with their
    execution titles, or the documents / acceptances), and the cycles it takes part in — at most
    BASIS_NAMES of each, then how many in all."""
    set_off, multilateral = result.set_off_fen, result.multilateral_fen
    reduced: dict[tuple[str, str], list[engine.Obligation]] = defaultdict(list)
    for o in obligations:
        if set_off[o.id]:
            reduced[(o.debtor, o.creditor)].append(o)
    in_cycles: dict[tuple[str, str], list[engine.Cycle]] = defaultdict(list)
    for cycle in result.cycles:
        for link in cycle.links:
            in_cycles[link].append(cycle)
    descriptions: dict = {}  # a counter-claim is named in every line it is set off against: described once
    for line in lines:
        if not line.set_off_fen:
            continue
        parts = []
        for o in line.obligations:
            multi = multilateral.get(o.id, 0)
            mutual = set_off[o.id] - multi
            debtor, creditor = names.get(o.debtor, o.debtor), names.get(o.creditor, o.creditor)
            if mutual:
                counters = reduced.get((o.creditor, o.debtor), ())
                shown = "；".join(descriptions.get(c.id) or descriptions.setdefault(c.id, _describe(c, facts, claims))
                                 for c in counters[:BASIS_NAMES])
                more = f"等{len(counters)}项" if len(counters) > BASIS_NAMES else ""
                parts.append(f"{debtor}以其对{creditor}的到期金钱债权抵销 {yuan_text(mutual)}（该债权：{shown}{more}）")
            if multi:
                rings = in_cycles.get((o.debtor, o.creditor), ())
                shown = "；".join(_ring(c, names) for c in rings[:BASIS_NAMES])
                more = f"等{len(rings)}个循环" if len(rings) > BASIS_NAMES else ""
                parts.append(f"经各方当事人同意循环抵销 {yuan_text(multi)}（{shown}{more}）")
        if parts:
            line.basis = "；".join(parts) + _SAME_KIND


def _required_consents(lines: list[LineResult], claims: list[ClaimResult], result: engine.Result,
                       names: dict[str, str]) -> list[dict]:
    """Whose recorded consent the approval waits for, and why: every party of a cycle, the debtor of
    a claim not confirmed by a document, every party of a joint case that is apportioned."""
    reasons: dict[str, list[str]] = defaultdict(list)

    def ask(key: str, why: str) -> None:
        if why not in reasons[key]:
            reasons[key].append(why)

    for party in sorted(result.cycle_parties):
        ask(party, f"多方（循环）抵销（{rules.MULTILATERAL.citation.split('；')[0]}）")
    for c in claims:
        if c.set_off_fen and not c.claim.document_number:
            ask(c.claim.debtor_key, f"认可{c.claim.creditor_name}对其享有的债权 {yuan_text(c.claim.amount_fen)}"
                                    f"（未经生效法律文书确认，{rules.SET_OFF.citation}）")
    for line in lines:
        if line.shares and line.set_off_fen:
            for person in line.facts.parties:
                ask(person.key, f"{line.facts.case_number}由共同被执行人分担抵销")
    return [{"party": key, "name": names.get(key, key), "reasons": reasons[key]} for key in sorted(reasons)]
