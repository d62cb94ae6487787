"""/api/v1/netting: 抵销 as JSON — the same services and rules as the pages. Money is integer fen (a float
or a string is refused, naming the field); dates are ISO (Beijing).

Every answer about a proposal is the whole proposal (its cases with set-off and basis, each party's
position before and after, residual payments, consents, and `actions`: what the caller may do with it
now), because one change to a draft moves every line."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import StrictInt

from zhixing.cases import selectors as case_selectors
from zhixing.cases.exceptions import NotFound

from . import selectors, services
from .models import NettingProposal, ProposalLine

router = Router(tags=["抵销"])

MAX_PAGE_SIZE = 200
# A proposal answers with its cases inline up to this many; a bigger bundle's are read a page at a
# time from /proposals/{id}/lines.
INLINE_LINES = 1_000


class LineOut(Schema):
    case_id: int
    case_number: str
    filed_on: dt.date
    debtor_key: str  # empty for a case with several respondents (see joint)
    debtor_name: str
    creditor_key: str
    creditor_name: str
    title: str
    claim_fen: int
    outstanding_fen: int
    set_off_fen: int
    multilateral_fen: int
    left_fen: int
    excluded_reason: str
    basis: str
    joint: dict
    reference: str
    closed: bool
    outcome: str


class ClaimOut(Schema):
    id: int
    position: int
    creditor_key: str
    creditor_name: str
    debtor_key: str
    debtor_name: str
    amount_fen: int
    due_on: dt.date
    document_number: str
    issuing_authority: str
    note: str
    set_off_fen: int
    multilateral_fen: int


class PositionOut(Schema):
    party: str
    name: str
    owed_before_fen: int
    owes_before_fen: int
    owed_after_fen: int
    owes_after_fen: int
    net_fen: int  # the same before and after


class ResidualOut(Schema):
    debtor: str
    creditor: str
    amount_fen: int
    case_numbers: list[str]


class ConsentOut(Schema):
    party_key: str
    party_name: str
    method: str
    method_label: str
    document_reference: str
    given_on: dt.date
    note: str
    recorded_by: str


class RequiredConsentOut(Schema):
    party: str
    name: str
    reasons: list[str]
    recorded: bool


class ProposalOut(Schema):
    id: int
    court_id: int
    number: int
    version: int
    title: str
    status: str
    status_label: str
    supersedes_id: int | None
    multilateral: bool
    refused_parties: list[str]
    joint_shares: dict
    computed_on: dt.date
    case_count: int
    nettable_count: int
    set_off_total_fen: int
    residual_total_fen: int
    reason: str
    created_by: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_by: str | None
    approved_at: dt.datetime | None
    applied_at: dt.datetime | None
    closed_note: str
    lines_inline: bool  # false: more than INLINE_LINES cases, read them from /proposals/{id}/lines
    lines: list[LineOut]
    counter_claims: list[ClaimOut]
    positions: list[PositionOut]
    residuals: list[ResidualOut]
    required_consents: list[RequiredConsentOut]
    consents: list[ConsentOut]
    actions: list[str]


class ProposalSummaryOut(Schema):
    id: int
    number: int
    version: int
    title: str
    status: str
    status_label: str
    case_count: int
    nettable_count: int
    set_off_total_fen: int
    residual_total_fen: int
    created_by: str
    created_at: dt.datetime


class ProposalPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProposalSummaryOut]


class ListQuery(Schema):
    status: str = ""
    q: str = Field("", description="方案编号、案号或当事人姓名")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class CreateIn(Schema):
    case_ids: list[StrictInt]
    multilateral: bool = True
    reason: str = ""


class PreviewIn(Schema):
    case_ids: list[StrictInt]
    multilateral: bool = True


class PreviewLineOut(Schema):
    case_id: int
    case_number: str
    outstanding_fen: int
    set_off_fen: int
    multilateral_fen: int
    excluded_reason: str


class PreviewOut(Schema):
    nettable_count: int
    set_off_total_fen: int
    residual_total_fen: int
    lines: list[PreviewLineOut]
    required_consents: list[dict]


class UpdateIn(Schema):
    case_ids: list[StrictInt] | None = None
    multilateral: bool | None = None
    refused_parties: list[str] | None = None
    joint_shares: dict[str, dict[str, StrictInt]] | None = Field(
        None, description="共同被执行人案件的分担：{案件编号: {被执行人证件号: 金额（分）}}")
    reason: str | None = None


class ClaimIn(Schema):
    creditor_key: str
    debtor_key: str
    amount_fen: StrictInt
    due_on: dt.date
    document_number: str = ""
    issuing_authority: str = ""
    note: str = ""


class ConsentIn(Schema):
    party_key: str
    method: str
    document_reference: str
    given_on: dt.date
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class LinePageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[LineOut]


class LineQuery(Schema):
    q: str = Field("", description="案号或当事人姓名")
    nettable: bool = Field(True, description="true：可抵销的案件；false：不纳入抵销的案件")
    page: int = Field(1, ge=1)
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE)


class CandidatesOut(Schema):
    parties: list[str]
    case_ids: list[int]


def line_out(line: ProposalLine) -> dict:
    return {**{f: getattr(line, f) for f in (
        "case_id", "case_number", "filed_on", "debtor_key", "debtor_name", "creditor_key", "creditor_name", "title",
        "claim_fen", "outstanding_fen", "set_off_fen", "multilateral_fen", "excluded_reason", "basis", "joint",
        "reference", "closed", "outcome")}, "left_fen": line.left_fen}


def proposal_out(proposal: NettingProposal, user) -> dict:
    claims = list(proposal.counter_claims.all())
    inline = proposal.case_count <= INLINE_LINES
    return {
        "id": proposal.pk, "court_id": proposal.court_id, "number": proposal.number, "version": proposal.version,
        "title": proposal.title, "status": proposal.status, "status_label": proposal.get_status_display(),
        "supersedes_id": proposal.supersedes_id, "multilateral": proposal.multilateral,
        "refused_parties": proposal.refused_parties, "joint_shares": proposal.joint_shares,
        "computed_on": proposal.computed_on, "case_count": proposal.case_count, "nettable_count": proposal.nettable_count,
        "set_off_total_fen": proposal.set_off_total_fen, "residual_total_fen": proposal.residual_total_fen,
        "reason": proposal.reason, "created_by": proposal.created_by.display_name, "created_at": proposal.created_at,
        "submitted_at": proposal.submitted_at,
        "approved_by": proposal.approved_by.display_name if proposal.approved_by_id else None,
        "approved_at": proposal.approved_at, "applied_at": proposal.applied_at, "closed_note": proposal.closed_note,
        "lines_inline": inline,
        "lines": [line_out(line) for line in proposal.lines.order_by("position")] if inline else [],
        "counter_claims": [{"id": c.pk, **{f: getattr(c, f) for f in (
            "position", "creditor_key", "creditor_name", "debtor_key", "debtor_name", "amount_fen", "due_on",
            "document_number", "issuing_authority", "note", "set_off_fen", "multilateral_fen")}} for c in claims],
        "positions": [{"party": row.key, "name": row.name, "owed_before_fen": row.position.owed_before_fen,
                       "owes_before_fen": row.position.owes_before_fen, "owed_after_fen": row.position.owed_after_fen,
                       "owes_after_fen": row.position.owes_after_fen, "net_fen": row.position.net_after_fen}
                      for row in selectors.positions(proposal)],
        "residuals": [vars(r) for r in selectors.residual_payments(proposal)],
        "required_consents": [{"party": r["party"], "name": r["name"], "reasons": r["reasons"],
                               "recorded": r["consent"] is not None} for r in selectors.consent_rows(proposal)],
        "consents": [{"party_key": c.party_key, "party_name": c.party_name, "method": c.method,
                      "method_label": c.get_method_display(), "document_reference": c.document_reference,
                      "given_on": c.given_on, "note": c.note, "recorded_by": c.recorded_by.display_name}
                     for c in proposal.consents.all()],
        "actions": selectors.actions_for(user, proposal).names(),
    }


def _proposal(request, proposal_id: int) -> NettingProposal:
    return selectors.proposal_get_for_user(user=request.user, pk=proposal_id)


def _answer(request, proposal: NettingProposal) -> dict:
    """The proposal as it is now (re-read with its lines, claims, consents and the caller's actions)."""
    return proposal_out(_proposal(request, proposal.pk), request.user)


# ---------------------------------------------------------------- lists and drafting


@router.get("/proposals", response=ProposalPageOut, summary="抵销方案（本院各版本，新的在前）")
def list_proposals(request, q: Query[ListQuery]):
    rows = selectors.proposals_for_list(user=request.user, filters=selectors.ProposalFilter(status=q.status, q=q.q))
    count = rows.count()
    start = (q.page - 1) * q.page_size
    chunk = list(rows[start:start + q.page_size]) if start < count else []
    results = [{"id": p.pk, "number": p.number, "version": p.version, "title": p.title, "status": p.status,
                "status_label": p.get_status_display(), "case_count": p.case_count, "nettable_count": p.nettable_count,
                "set_off_total_fen": p.set_off_total_fen, "residual_total_fen": p.residual_total_fen,
                "created_by": p.created_by.display_name, "created_at": p.created_at} for p in chunk]
    return {"count": count, "page": q.page, "page_size": q.page_size, "results": results}


@router.get("/candidates", response=CandidatesOut, summary="当事人（及与其互为申请人、被执行人的关联当事人）之间的本院在办案件")
def candidates(request, parties: str, expand: bool = True):
    keys = {k.strip().upper() for k in parties.split(",") if k.strip()}
    court_id = request.user.court_id
    if expand:
        keys = selectors.mutual_parties(court_id=court_id, seed=keys)
    cases = selectors.cases_among_parties(court_id=court_id, keys=keys)
    return {"parties": sorted(keys), "case_ids": [c.pk for c in cases]}


@router.post("/preview", response=PreviewOut, summary="试算：这些案件可以如何抵销（不保存）")
def preview(request, payload: PreviewIn):
    # A court's own cases only: another court's ids are simply not found (as in proposal_create).
    result = selectors.proposal_for_cases(user=request.user, case_ids=payload.case_ids,
                                          multilateral=payload.multilateral)
    return {"nettable_count": result.nettable_count, "set_off_total_fen": result.set_off_total_fen,
            "residual_total_fen": result.residual_total_fen, "required_consents": result.required_consents,
            "lines": [{"case_id": line.facts.pk, "case_number": line.facts.case_number,
                       "outstanding_fen": line.facts.outstanding_fen, "set_off_fen": line.set_off_fen,
                       "multilateral_fen": line.multilateral_fen, "excluded_reason": line.excluded_reason}
                      for line in result.lines]}


@router.post("/proposals", response={201: ProposalOut}, summary="拟定抵销方案（草稿）")
def create_proposal(request, payload: CreateIn):
    proposal = services.proposal_create(actor=request.user, case_ids=payload.case_ids,
                                        multilateral=payload.multilateral, reason=payload.reason)
    return Status(201, _answer(request, proposal))


@router.get("/cases/{int:case_id}/proposals", response=list[ProposalSummaryOut], summary="涉及本案的抵销方案")
def case_proposals(request, case_id: int):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    return [{"id": p.pk, "number": p.number, "version": p.version, "title": p.title, "status": p.status,
             "status_label": p.get_status_display(), "case_count": p.case_count, "nettable_count": p.nettable_count,
             "set_off_total_fen": p.set_off_total_fen, "residual_total_fen": p.residual_total_fen,
             "created_by": "", "created_at": p.created_at} for p in selectors.proposals_for_case(case)]


# ---------------------------------------------------------------- one proposal


@router.get("/proposals/{int:proposal_id}", response=ProposalOut, summary="抵销方案")
def get_proposal(request, proposal_id: int):
    return proposal_out(_proposal(request, proposal_id), request.user)


@router.get("/proposals/{int:proposal_id}/lines", response=LinePageOut, summary="抵销方案的案件（分页）")
def proposal_lines(request, proposal_id: int, q: Query[LineQuery]):
    page = selectors.lines_page(_proposal(request, proposal_id), selectors.LineFilter(q=q.q, nettable=q.nettable),
                                q.page, q.page_size)
    in_range = q.page <= page.paginator.num_pages
    return {"count": page.paginator.count, "page": q.page, "page_size": q.page_size,
            "results": [line_out(line) for line in page.object_list] if in_range else []}


@router.patch("/proposals/{int:proposal_id}", response=ProposalOut, summary="修改草稿（案件、多方抵销、不同意的当事人、共同被执行人分担）")
def update_proposal(request, proposal_id: int, payload: UpdateIn):
    proposal = services.proposal_update(actor=request.user, proposal=_proposal(request, proposal_id),
                                        **payload.dict(exclude_unset=True))
    return _answer(request, proposal)


@router.post("/proposals/{int:proposal_id}/counter-claims", response={201: ProposalOut}, summary="草稿：登记抵销债权")
def add_claim(request, proposal_id: int, payload: ClaimIn):
    proposal = _proposal(request, proposal_id)
    services.counter_claim_add(actor=request.user, proposal=proposal, **payload.dict())
    return Status(201, _answer(request, proposal))


@router.delete("/proposals/{int:proposal_id}/counter-claims/{int:claim_id}", response=ProposalOut,
               summary="草稿：删除抵销债权")
def remove_claim(request, proposal_id: int, claim_id: int):
    claim = selectors.counter_claim_get_for_user(user=request.user, pk=claim_id)
    if claim.proposal_id != proposal_id:
        raise NotFound("抵销债权不存在")
    return _answer(request, services.counter_claim_remove(actor=request.user, claim=claim))


@router.post("/proposals/{int:proposal_id}/submit", response=ProposalOut, summary="送达当事人（此后不得修改）")
def submit_proposal(request, proposal_id: int):
    return _answer(request, services.proposal_submit(actor=request.user, proposal=_proposal(request, proposal_id)))


@router.post("/proposals/{int:proposal_id}/consents", response={201: ProposalOut}, summary="登记当事人同意")
def record_consent(request, proposal_id: int, payload: ConsentIn):
    proposal = _proposal(request, proposal_id)
    services.consent_record(actor=request.user, proposal=proposal, **payload.dict())
    return Status(201, _answer(request, proposal))


@router.post("/proposals/{int:proposal_id}/approve", response=ProposalOut, summary="批准（执行局长或院长，拟定人除外）")
def approve_proposal(request, proposal_id: int, payload: NoteIn):
    return _answer(request, services.proposal_approve(actor=request.user, proposal=_proposal(request, proposal_id),
                                                      note=payload.note))


@router.post("/proposals/{int:proposal_id}/apply", response=ProposalOut, summary="执行：记入各案并结案")
def apply_proposal(request, proposal_id: int):
    return _answer(request, services.proposal_apply(actor=request.user, proposal=_proposal(request, proposal_id)))


@router.post("/proposals/{int:proposal_id}/reverse", response=ProposalOut, summary="撤销已执行的方案（各案抵销冲正）")
def reverse_proposal(request, proposal_id: int, payload: ReasonIn):
    return _answer(request, services.proposal_reverse(actor=request.user, proposal=_proposal(request, proposal_id),
                                                      reason=payload.reason))


@router.post("/proposals/{int:proposal_id}/amend", response={201: ProposalOut}, summary="修改已送达的方案：生成新版本（草稿）")
def amend_proposal(request, proposal_id: int, payload: ReasonIn):
    new = services.proposal_amend(actor=request.user, proposal=_proposal(request, proposal_id), reason=payload.reason)
    return Status(201, _answer(request, new))


@router.post("/proposals/{int:proposal_id}/withdraw", response=ProposalOut, summary="撤回未执行的方案")
def withdraw_proposal(request, proposal_id: int, payload: ReasonIn):
    return _answer(request, services.proposal_withdraw(actor=request.user, proposal=_proposal(request, proposal_id),
                                                       reason=payload.reason))
