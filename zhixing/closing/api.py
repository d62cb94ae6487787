"""/api/v1/closing: 智能终本 checks and findings, the second investigation, the 终本 pool and restoration,
the 终本 sample review and its rate, 执转破, and archiving readiness. Thin: authorise, parse, call one
service or selector, serialise; a refusal is {"error", "message", "errors"} with its status
(zhixing/api.py) — a 终本 with conditions missing is 409 with one error per condition."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zhixing.accounts.models import User
from zhixing.cases import selectors as case_selectors
from zhixing.cases.exceptions import FieldError, NotFound, ValidationFailed
from zhixing.cases.models import EnforcementCase
from zhixing.courts.models import Court

from . import archiving, bankruptcy, checks, investigation, pool, restoration, review, selectors, services
from .models import BankruptcyTransfer, RestorationProposal, SampleItem, SampleReview

router = Router(tags=["结案与终本"])
MAX_PAGE_SIZE = 200


# ---------------------------------------------------------------- schemas


class PageQuery(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class ProofOut(Schema):
    kind: str = Field(..., description="node/document/query/clue/asset/measure/lead/finding/filing")
    label: str
    on: dt.date | None
    url: str
    log_seq: int | None = Field(None, description="执行日志序号")


class ConditionOut(Schema):
    code: str
    article: str
    title: str
    requirement: str
    citation: str
    met: bool
    state: str = Field(..., description="已满足/不适用/未满足")
    not_applicable: bool
    missing: str
    finding_allowed: bool = Field(..., description="可由承办人认定不适用（须写明理由）")
    proofs: list[ProofOut]


class CheckOut(Schema):
    case_id: int
    case_number: str
    on: dt.date
    met: bool
    summary: str
    conditions: list[ConditionOut]


class FindingIn(Schema):
    condition: str
    text: str


class WithdrawIn(Schema):
    condition: str
    reason: str


class FindingOut(Schema):
    id: int
    condition: str
    text: str
    withdrawn: bool
    recorded_at: dt.datetime


class DossierLineOut(Schema):
    code: str
    label: str
    present: bool
    detail: str


class ReadinessOut(Schema):
    case_id: int
    ready: bool
    dossier: list[DossierLineOut]
    balance_fen: int
    open_orders: int
    money_ok: bool
    explanation: str = ""
    problems: list[str]


class ExplanationIn(Schema):
    text: str


class CaseRef(Schema):
    id: int
    case_number: str


class ProposalIn(Schema):
    source: str = Field(..., description="clue（财产线索）/ application（申请恢复执行）")
    description: str
    provider: str = ""
    received_on: dt.date | None = None


class ProposalOut(Schema):
    id: int
    case: CaseRef
    source: str
    source_label: str
    description: str
    status: str
    status_label: str
    detected_on: dt.date
    confirmed_on: dt.date | None
    restore_due: dt.date | None = Field(None, description="恢复执行期限（确认后3个工作日）")
    overdue: bool
    restored_case: CaseRef | None
    restored_on: dt.date | None
    outstanding_fen: int | None


class ProposalPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProposalOut]


class ProposalQuery(PageQuery):
    status: str = ""
    overdue: bool = False
    q: str = ""


class ConfirmIn(Schema):
    confirmed_on: dt.date | None = None
    note: str = ""


class DismissIn(Schema):
    note: str


class RestoreIn(Schema):
    filed_on: dt.date | None = None
    note: str = ""


class DueCaseOut(Schema):
    id: int
    case_number: str
    filed_on: dt.date
    respondent_names: str
    handler: str
    query_nodes: int


class DuePageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[DueCaseOut]


class SecondIn(Schema):
    case_ids: list[int] | None = Field(None, description="空：本院全部应二次调查的案件")


class SecondOut(Schema):
    due: int
    cases: int
    queries: int
    batches: list[str]
    message: str


class PoolEntryOut(Schema):
    case: CaseRef
    status: str
    entered_on: dt.date
    ends_on: dt.date
    next_round: int
    next_query_due: dt.date | None
    rounds_done: int
    last_query_on: dt.date | None


class PoolPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[PoolEntryOut]


class PoolQuery(PageQuery):
    status: str = ""
    due: bool = False
    q: str = ""


class PoolRunIn(Schema):
    as_of: dt.date | None = None


class PoolRunOut(Schema):
    entered: int
    due: int
    sent_cases: int
    queries: int
    batches: list[str]
    ended: int
    proposals: int
    summary: str


class DrawIn(Schema):
    period_start: dt.date
    period_end: dt.date
    size: int | None = None
    seed: int | None = Field(None, description="空：由法院和期间得出（任何人可复现）")


class ItemOut(Schema):
    id: int
    position: int
    case: CaseRef
    closed_on: dt.date
    verdict: str
    reasons: list[str]
    note: str
    reviewed_by: str | None
    reviewed_at: dt.datetime | None


class ReviewOut(Schema):
    id: int
    court_code: str
    period_start: dt.date
    period_end: dt.date
    seed: int
    population: int
    size: int
    items: list[ItemOut]


class MarkIn(Schema):
    verdict: str = Field(..., description="pass/fail")
    reasons: list[str] = Field([], description="不合格原因：终本条件代码，或 ruling/log/other")
    note: str = ""


class RateQuery(Schema):
    start: dt.date
    end: dt.date
    court_code: str = Field("", description="空：可见的全部法院")


class RateOut(Schema):
    start: dt.date
    end: dt.date
    sampled: int
    reviewed: int
    passed: int
    failed: int
    pending: int
    rate_bp: int | None = Field(None, description="合格率（万分比，9122 = 91.22%）")
    meets_target: bool | None


class CandidateCaseOut(Schema):
    id: int
    case_number: str
    status: str
    closing_type: str
    outstanding_fen: int
    applicants: str


class CandidateOut(Schema):
    credit_code: str
    name: str
    case_count: int
    outstanding_fen: int
    assets_fen: int
    creditors: list[str]
    cases: list[CandidateCaseOut]
    transfer_id: int | None


class ProposeIn(Schema):
    credit_code: str
    opinion: str
    case_ids: list[int] | None = None


class TransferOut(Schema):
    id: int
    respondent_name: str
    credit_code: str
    status: str
    status_label: str
    proposed_on: dt.date
    consent_party: str
    consent_on: dt.date | None
    panel_on: dt.date | None
    decided_on: dt.date | None
    decision_number: str
    receiving_court: str
    serve_due: dt.date | None
    served_on: dt.date | None
    transferred_on: dt.date | None
    review_due: dt.date | None
    outcome_on: dt.date | None
    outcome_number: str
    overdue: str
    cases: list[CaseRef]
    documents: list[str]


class ConsentIn(Schema):
    consent_by: str = Field(..., description="respondent/applicant")
    party_name: str
    consent_on: dt.date
    note: str = ""


class PanelIn(Schema):
    panel_on: dt.date
    note: str = ""


class DecideIn(Schema):
    decided_on: dt.date
    decision_number: str
    receiving_court: str


class ServeIn(Schema):
    served_on: dt.date


class SendIn(Schema):
    transferred_on: dt.date
    received_on: dt.date | None = None


class OutcomeIn(Schema):
    accepted: bool
    outcome_on: dt.date
    ruling_number: str
    note: str = ""


class ReasonIn(Schema):
    reason: str


# ---------------------------------------------------------------- helpers


def page_out(rows: QuerySet, q: PageQuery, serialise) -> dict:
    count = rows.count()
    start = (q.page - 1) * q.page_size
    chunk = list(rows[start : start + q.page_size]) if start < count else []
    return {"count": count, "page": q.page, "page_size": q.page_size, "results": [serialise(r) for r in chunk]}


def _case(user: User, case_id: int) -> EnforcementCase:
    return case_selectors.case_get_for_user(user=user, pk=case_id)


def _ref(case: EnforcementCase | None) -> dict | None:
    return None if case is None else {"id": case.pk, "case_number": case.case_number}


def check_out(check: checks.ZhongbenCheck) -> dict:
    return {
        "case_id": check.case.pk, "case_number": check.case.case_number, "on": check.on, "met": check.met,
        "summary": check.summary,
        "conditions": [{
            "code": r.condition.code, "article": r.condition.article, "title": r.condition.title,
            "requirement": r.condition.requirement, "citation": r.condition.citation, "met": r.met, "state": r.state_label,
            "not_applicable": r.not_applicable, "missing": r.missing, "finding_allowed": r.condition.findable,
            "proofs": [p.as_dict() for p in r.proofs],
        } for r in check.results],
    }


def proposal_out(p: RestorationProposal) -> dict:
    from django.utils import timezone

    return {
        "id": p.pk, "case": _ref(p.case), "source": p.source, "source_label": p.get_source_display(),
        "description": p.description, "status": p.status, "status_label": p.get_status_display(),
        "detected_on": p.detected_on, "confirmed_on": p.confirmed_on, "restore_due": p.restore_due,
        "overdue": p.status == "confirmed" and p.restore_due is not None and p.restore_due < timezone.localdate(),
        "restored_case": _ref(p.restored_case), "restored_on": p.restored_on, "outstanding_fen": p.outstanding_fen,
    }


def review_out(r: SampleReview) -> dict:
    items = r.items.select_related("case", "reviewed_by").order_by("position")
    return {
        "id": r.pk, "court_code": r.court.court_code, "period_start": r.period_start, "period_end": r.period_end,
        "seed": r.seed, "population": r.population, "size": r.size,
        "items": [item_out(i) for i in items],
    }


def item_out(i: SampleItem) -> dict:
    return {"id": i.pk, "position": i.position, "case": _ref(i.case), "closed_on": i.closed_on, "verdict": i.verdict,
            "reasons": i.reasons, "note": i.note, "reviewed_by": i.reviewed_by.display_name if i.reviewed_by_id else None,
            "reviewed_at": i.reviewed_at}


def rate_out(rate) -> dict:
    return {"start": rate.start, "end": rate.end, "sampled": rate.sampled, "reviewed": rate.reviewed, "passed": rate.passed,
            "failed": rate.failed, "pending": rate.pending, "rate_bp": rate.rate_bp, "meets_target": rate.meets_target}


def transfer_out(t: BankruptcyTransfer) -> dict:
    moved = t.moved.select_related("case").order_by("case_id")
    return {
        "id": t.pk, "respondent_name": t.respondent_name, "credit_code": t.credit_code, "status": t.status,
        "status_label": t.get_status_display(), "proposed_on": t.proposed_on, "consent_party": t.consent_party,
        "consent_on": t.consent_on, "panel_on": t.panel_on, "decided_on": t.decided_on, "decision_number": t.decision_number,
        "receiving_court": t.receiving_court, "serve_due": t.serve_due, "served_on": t.served_on,
        "transferred_on": t.transferred_on, "review_due": t.review_due, "outcome_on": t.outcome_on,
        "outcome_number": t.outcome_number, "overdue": bankruptcy.is_overdue(t),
        "cases": [_ref(m.case) for m in moved],
        "documents": [f"{d.get_kind_display()}第{d.version}版" for d in t.documents.order_by("generated_at", "id")],
    }


def _transfer(user: User, pk: int) -> BankruptcyTransfer:
    return bankruptcy.transfer_get(user=user, pk=pk)


# ---------------------------------------------------------------- 终本 checks, findings, archiving


@router.get("/cases/{int:case_id}/checks", response=CheckOut, summary="智能终本：逐项核查终本条件（法〔2016〕373号）")
def case_checks(request, case_id: int):
    return check_out(checks.zhongben_check(_case(request.user, case_id)))


@router.post("/cases/{int:case_id}/findings", response={201: FindingOut}, summary="认定某项终本条件不适用（写明理由）")
def record_finding(request, case_id: int, payload: FindingIn):
    finding = services.finding_record(actor=request.user, case=_case(request.user, case_id), condition=payload.condition,
                                      text=payload.text)
    return Status(201, finding)


@router.post("/cases/{int:case_id}/findings/withdraw", response={201: FindingOut}, summary="撤回终本条件认定")
def withdraw_finding(request, case_id: int, payload: WithdrawIn):
    row = services.finding_withdraw(actor=request.user, case=_case(request.user, case_id), condition=payload.condition,
                                    reason=payload.reason)
    return Status(201, row)


@router.get("/cases/{int:case_id}/archive-readiness", response=ReadinessOut, summary="归档条件：卷宗是否齐全、案款是否结清或已说明")
def archive_readiness(request, case_id: int):
    r = archiving.archive_readiness(_case(request.user, case_id))
    return {"case_id": case_id, "ready": r.ready, "balance_fen": r.balance_fen, "open_orders": r.open_orders,
            "money_ok": r.money_ok, "explanation": r.explanation.text if r.explanation else "",
            "dossier": [{"code": line.item.code, "label": line.item.label, "present": line.present, "detail": line.detail}
                        for line in r.lines],
            "problems": [e.message for e in r.problems()]}


@router.post("/cases/{int:case_id}/archive-explanation", response={201: FindingOut}, summary="说明结案后案款余额的去向")
def explain_balance(request, case_id: int, payload: ExplanationIn):
    row = archiving.explanation_record(actor=request.user, case=_case(request.user, case_id), text=payload.text)
    return Status(201, {"id": row.pk, "condition": "money", "text": row.text, "withdrawn": False, "recorded_at": row.recorded_at})


# ---------------------------------------------------------------- second investigation


@router.get("/second-investigation", response=DuePageOut, summary="应二次财产调查的案件（在办超过2.5个月、未发现财产）")
def second_due(request, q: Query[PageQuery]):
    rows = investigation.cases_due(court_ids=case_selectors.visible_court_ids(request.user))
    return page_out(rows, q, lambda c: {"id": c.pk, "case_number": c.case_number, "filed_on": c.filed_on,
                                        "respondent_names": c.respondent_names, "query_nodes": c.query_nodes,
                                        "handler": c.handler.display_name if c.handler_id else ""})


@router.post("/second-investigation", response=SecondOut, summary="发起二次财产调查（五项网络查控）")
def second_start(request, payload: SecondIn):
    result = investigation.second_investigation_start(actor=request.user, case_ids=payload.case_ids)
    return {"due": result.due, "cases": result.cases, "queries": result.queries, "batches": result.batches,
            "message": result.message}


# ---------------------------------------------------------------- the 终本 pool and restoration


@router.get("/pool", response=PoolPageOut, summary="终本案件库（下次定期查询日期、已查询次数）")
def pool_list(request, q: Query[PoolQuery]):
    rows = selectors.pool_entries(request.user, status=q.status, due_only=q.due, q=q.q)
    return page_out(rows, q, lambda e: {
        "case": _ref(e.case), "status": e.status, "entered_on": e.entered_on, "ends_on": e.ends_on,
        "next_round": e.next_round, "next_query_due": e.next_query_due, "rounds_done": e.rounds_done,
        "last_query_on": e.last_query_on})


@router.post("/pool/run", response=PoolRunOut, summary="运行终本库定期查询（与 zhixing zhongben-pool 相同，可重复运行）")
def pool_run(request, payload: PoolRunIn):
    r = pool.pool_run(actor=request.user, as_of=payload.as_of)
    return {"entered": r.entered, "due": r.due, "sent_cases": r.sent_cases, "queries": r.queries, "batches": r.batches,
            "ended": r.ended, "proposals": r.proposals, "summary": r.summary}


@router.get("/proposals", response=ProposalPageOut, summary="恢复执行建议（筛选：状态、逾期未恢复）")
def proposal_list(request, q: Query[ProposalQuery]):
    return page_out(selectors.proposals(request.user, status=q.status, overdue=q.overdue, q=q.q), q, proposal_out)


@router.post("/cases/{int:case_id}/proposals", response={201: ProposalOut}, summary="登记终本案件的财产线索或恢复执行申请")
def proposal_create(request, case_id: int, payload: ProposalIn):
    proposal = restoration.proposal_record(actor=request.user, case=_case(request.user, case_id), source=payload.source,
                                           description=payload.description, provider=payload.provider,
                                           received_on=payload.received_on)
    return Status(201, proposal_out(proposal))


def _proposal(user: User, pk: int) -> RestorationProposal:
    return selectors.proposal_get(user=user, pk=pk)


@router.post("/proposals/{int:proposal_id}/confirm", response=ProposalOut, summary="确认符合恢复执行条件（起算3个工作日）")
def proposal_confirm(request, proposal_id: int, payload: ConfirmIn):
    return proposal_out(restoration.proposal_confirm(actor=request.user, proposal=_proposal(request.user, proposal_id),
                                                     confirmed_on=payload.confirmed_on, note=payload.note))


@router.post("/proposals/{int:proposal_id}/dismiss", response=ProposalOut, summary="不予恢复执行（须说明理由）")
def proposal_dismiss(request, proposal_id: int, payload: DismissIn):
    return proposal_out(restoration.proposal_dismiss(actor=request.user, proposal=_proposal(request.user, proposal_id),
                                                     note=payload.note))


@router.post("/proposals/{int:proposal_id}/restore", response={201: ProposalOut}, summary="恢复执行：立执恢案件，关联原案")
def proposal_restore(request, proposal_id: int, payload: RestoreIn):
    proposal = _proposal(request.user, proposal_id)
    restoration.restoration_open(actor=request.user, proposal=proposal, filed_on=payload.filed_on, note=payload.note)
    return Status(201, proposal_out(selectors.proposal_get(user=request.user, pk=proposal_id)))


# ---------------------------------------------------------------- 终本合格率


@router.get("/reviews", response=list[ReviewOut], summary="终本评查（抽查）")
def review_list(request):
    return [review_out(r) for r in selectors.reviews(request.user).order_by("-period_end", "-id")[:50]]


@router.post("/reviews", response={201: ReviewOut}, summary="抽取评查案件（同一期间重复抽取返回同一批）")
def review_draw(request, payload: DrawIn):
    court = Court.objects.filter(pk=request.user.court_id).first()
    if court is None:
        raise ValidationFailed([FieldError("court", "您不属于任何法院")])
    r = review.sample_draw(actor=request.user, court=court, start=payload.period_start, end=payload.period_end,
                           size=payload.size, seed=payload.seed)
    return Status(201, review_out(r))


@router.get("/reviews/{int:review_id}", response=ReviewOut, summary="评查批次及其案件")
def review_get(request, review_id: int):
    return review_out(selectors.review_get(user=request.user, pk=review_id))


@router.post("/reviews/items/{int:item_id}", response=ItemOut, summary="评查：合格或不合格（写明原因）")
def review_mark(request, item_id: int, payload: MarkIn):
    item = selectors.sample_item_get(user=request.user, pk=item_id)
    return item_out(review.sample_mark(actor=request.user, item=item, verdict=payload.verdict, reasons=payload.reasons,
                                       note=payload.note))


@router.get("/pass-rate", response=RateOut, summary="终本合格率（按结案日期统计已评查的抽查案件）")
def pass_rate(request, q: Query[RateQuery]):
    visible = case_selectors.visible_court_ids(request.user)
    court_ids = visible
    if q.court_code:
        court = Court.objects.filter(court_code=q.court_code).first()
        if court is None or (visible is not None and court.pk not in visible):
            raise NotFound("法院不存在")
        court_ids = [court.pk]
    return rate_out(selectors.zhongben_pass_rate(court_ids, q.start, q.end))


# ---------------------------------------------------------------- 执转破


@router.get("/bankruptcy/candidates", response=list[CandidateOut], summary="执转破候选：多案未结、债务远超财产的企业被执行人")
def candidate_list(request, q: str = ""):
    if not request.user.court_id:
        return []
    return [{"credit_code": c.credit_code, "name": c.name, "case_count": c.case_count, "outstanding_fen": c.outstanding_fen,
             "assets_fen": c.assets_fen, "creditors": c.creditors, "transfer_id": c.transfer.pk if c.transfer else None,
             "cases": [{"id": x.case_id, "case_number": x.case_number, "status": x.status, "closing_type": x.closing_type,
                        "outstanding_fen": x.outstanding_fen, "applicants": x.applicants} for x in c.cases]}
            for c in bankruptcy.candidates(court_id=request.user.court_id, q=q)]


@router.get("/bankruptcy/transfers", response=list[TransferOut], summary="执转破程序")
def transfer_list(request, status: str = ""):
    return [transfer_out(t) for t in selectors.transfers(request.user, status=status)[:200]]


@router.post("/bankruptcy/transfers", response={201: TransferOut}, summary="提出移送破产审查意见")
def transfer_propose(request, payload: ProposeIn):
    t = bankruptcy.transfer_propose(actor=request.user, credit_code=payload.credit_code, opinion=payload.opinion,
                                    case_ids=payload.case_ids)
    return Status(201, transfer_out(t))


@router.get("/bankruptcy/transfers/{int:transfer_id}", response=TransferOut, summary="执转破程序详情")
def transfer_get(request, transfer_id: int):
    return transfer_out(_transfer(request.user, transfer_id))


@router.post("/bankruptcy/transfers/{int:transfer_id}/consent", response=TransferOut, summary="登记书面同意")
def transfer_consent(request, transfer_id: int, payload: ConsentIn):
    return transfer_out(bankruptcy.transfer_consent(actor=request.user, transfer=_transfer(request.user, transfer_id),
                                                    consent_by=payload.consent_by, party_name=payload.party_name,
                                                    consent_on=payload.consent_on, note=payload.note))


@router.post("/bankruptcy/transfers/{int:transfer_id}/panel", response=TransferOut, summary="登记合议庭评议同意")
def transfer_panel(request, transfer_id: int, payload: PanelIn):
    return transfer_out(bankruptcy.transfer_panel(actor=request.user, transfer=_transfer(request.user, transfer_id),
                                                  panel_on=payload.panel_on, note=payload.note))


@router.post("/bankruptcy/transfers/{int:transfer_id}/decide", response=TransferOut, summary="院长签署移送决定（中止执行）")
def transfer_decide(request, transfer_id: int, payload: DecideIn):
    return transfer_out(bankruptcy.transfer_decide(actor=request.user, transfer=_transfer(request.user, transfer_id),
                                                   decided_on=payload.decided_on, decision_number=payload.decision_number,
                                                   receiving_court=payload.receiving_court))


@router.post("/bankruptcy/transfers/{int:transfer_id}/serve", response=TransferOut, summary="登记移送决定送达（5日内）")
def transfer_serve(request, transfer_id: int, payload: ServeIn):
    return transfer_out(bankruptcy.transfer_serve(actor=request.user, transfer=_transfer(request.user, transfer_id),
                                                  served_on=payload.served_on))


@router.post("/bankruptcy/transfers/{int:transfer_id}/send", response=TransferOut, summary="移送材料（受移送法院30日内裁定）")
def transfer_send(request, transfer_id: int, payload: SendIn):
    return transfer_out(bankruptcy.transfer_send(actor=request.user, transfer=_transfer(request.user, transfer_id),
                                                 transferred_on=payload.transferred_on, received_on=payload.received_on))


@router.post("/bankruptcy/transfers/{int:transfer_id}/outcome", response=TransferOut, summary="登记破产审查结果（受理则结案）")
def transfer_outcome(request, transfer_id: int, payload: OutcomeIn):
    return transfer_out(bankruptcy.transfer_outcome(actor=request.user, transfer=_transfer(request.user, transfer_id),
                                                    accepted=payload.accepted, outcome_on=payload.outcome_on,
                                                    ruling_number=payload.ruling_number, note=payload.note))


@router.post("/bankruptcy/transfers/{int:transfer_id}/withdraw", response=TransferOut, summary="撤回移送（决定作出前）")
def transfer_withdraw(request, transfer_id: int, payload: ReasonIn):
    return transfer_out(bankruptcy.transfer_withdraw(actor=request.user, transfer=_transfer(request.user, transfer_id),
                                                     reason=payload.reason))
