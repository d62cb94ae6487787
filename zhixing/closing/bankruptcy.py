"""执转破 (法发〔2017〕2号; 民诉法解释第511–513条; rules.md §10; seed 001 case 5).

The candidate finder lists corporate respondents with several unpaid or 终本 cases whose outstanding
claims are far above the property found (thresholds: rules.DEFAULT_THRESHOLDS, or the court's own).
The transfer runs as a state machine, each step one transaction logged on every case moved:

    proposed ─consent→ consented ─panel→ panel_agreed ─decide (president)→ decided ─serve, transfer→
    transferred ─outcome→ accepted | rejected;   proposed/consented/panel_agreed ─withdraw→ withdrawn

The decision suspends the open cases (中止执行, a supervision suspension); acceptance closes them as
rules.ACCEPTED_CLOSING_TYPE; rejection resumes them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, ClosingType, LogAction, PartyKind, PartyRole
from zhixing.cases.exceptions import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from zhixing.cases.log import LogEvent, log_append_many
from zhixing.cases.models import EnforcementCase, Party
from zhixing.cases.services import ensure_can_act, ensure_role
from zhixing.workdays import calendar

from . import transfer_documents
from .choices import ACTIVE_TRANSFER_STATUSES, ConsentBy, PoolStatus, TransferDocumentKind, TransferStatus
from .models import BankruptcyThreshold, BankruptcyTransfer, PoolEntry, TransferCase
from .rules import (
    ACCEPTANCE_REVIEW_CITATION,
    ACCEPTANCE_REVIEW_DAYS,
    ACCEPTED_CLOSING_CITATION,
    ACCEPTED_CLOSING_TYPE,
    BANKRUPTCY_CONDITIONS,
    BANKRUPTCY_GUIDANCE,
    DECIDERS,
    DECISION_SERVICE_CITATION,
    DECISION_SERVICE_DAYS,
    DEFAULT_THRESHOLDS,
    LEADERS,
    PROPOSERS,
    REJECTED_CITATION,
    SUSPENSION_CITATION,
    TRANSFER_ROLES,
    CandidateThresholds,
)

# ---------------------------------------------------------------- candidates


def thresholds_for(court_id: int) -> CandidateThresholds:
    row = BankruptcyThreshold.objects.filter(court_id=court_id).order_by("-set_at", "-id").first()
    if row is None:
        return DEFAULT_THRESHOLDS
    return CandidateThresholds(row.min_cases, row.min_outstanding_fen, row.min_claims_to_assets_bp,
                               f"本院设置（{timezone.localtime(row.set_at):%Y-%m-%d}，{row.set_by.display_name}）：{row.note}")


def threshold_set(*, actor: User, min_cases: int, min_outstanding_fen: int, min_claims_to_assets_bp: int,
                  note: str = "") -> BankruptcyThreshold:
    """The court's own thresholds (a new row; the old ones stay)."""
    ensure_can_act(actor, actor.court_id)
    ensure_role(actor, LEADERS, "设置执转破筛选标准")
    errors = []
    if not isinstance(min_cases, int) or min_cases < 1:
        errors.append(FieldError("min_cases", "案件数应为不小于1的整数"))
    if not isinstance(min_outstanding_fen, int) or min_outstanding_fen < 0:
        errors.append(FieldError("min_outstanding_fen", "金额应为不小于0的整数（分）"))
    if not isinstance(min_claims_to_assets_bp, int) or min_claims_to_assets_bp < 10_000:
        errors.append(FieldError("min_claims_to_assets_bp", "未履行金额与财产价值之比不应低于100%（10000）：资产不足以清偿才可移送"))
    if errors:
        raise ValidationFailed(errors)
    return BankruptcyThreshold.objects.create(court_id=actor.court_id, min_cases=min_cases, min_outstanding_fen=min_outstanding_fen,
                                              min_claims_to_assets_bp=min_claims_to_assets_bp, note=note.strip()[:300],
                                              set_by=actor, set_at=timezone.now())


@dataclass
class CandidateCase:
    case_id: int
    case_number: str
    filed_on: dt.date
    status: str
    closing_type: str
    outstanding_fen: int
    applicants: str


@dataclass
class Candidate:
    credit_code: str
    name: str
    case_count: int
    outstanding_fen: int
    assets_fen: int
    cases: list[CandidateCase] = field(default_factory=list)
    transfer: BankruptcyTransfer | None = None

    @property
    def creditors(self) -> list[str]:
        names: dict[str, None] = {}
        for c in self.cases:
            for name in c.applicants.split("、"):
                if name:
                    names[name] = None
        return list(names)

    @property
    def ratio_text(self) -> str:
        if not self.assets_fen:
            return "未发现财产"
        return f"{self.outstanding_fen * 100 // self.assets_fen}%"


def _eligible_cases(court_id: int):
    """Open cases, and 终本 cases not restored (a restored one is counted through its 执恢 case)."""
    restored = Exists(EnforcementCase.objects.filter(origin_case_id=OuterRef("pk")))
    return (EnforcementCase.objects.filter(court_id=court_id)
            .filter(Q(status=CaseStatus.OPEN) | Q(closing_type=ClosingType.TERMINATE_CURRENT))
            .exclude(restored))


def candidates(*, court_id: int, thresholds: CandidateThresholds | None = None, q: str = "") -> list[Candidate]:
    """Corporate respondents fit for bankruptcy review, most owed first: one grouped query over the
    court's respondents, then details for those that pass."""
    from zhixing.property.models import Asset

    t = thresholds or thresholds_for(court_id)
    eligible = _eligible_cases(court_id)
    parties = (Party.objects.filter(court_id=court_id, role=PartyRole.RESPONDENT, kind=PartyKind.LEGAL_PERSON,
                                    case__in=eligible).exclude(credit_code=""))
    if q.strip():
        parties = parties.filter(Q(name__contains=q.strip()) | Q(credit_code=q.strip().upper()))
    groups = (parties.order_by().values("credit_code")
              .annotate(n=Count("case_id", distinct=True),
                        outstanding=Sum(F("case__claim_amount_fen") - F("case__performed_amount_fen")))
              .filter(n__gte=t.min_cases, outstanding__gte=max(t.min_outstanding_fen, 1)))
    rows = {g["credit_code"]: g for g in groups}
    if not rows:
        return []
    assets = dict(Asset.objects.filter(owner_identity__in=list(rows)).order_by().values("owner_identity")
                  .annotate(v=Sum("value_fen")).values_list("owner_identity", "v"))
    passing = {}
    for code, g in rows.items():
        assets_fen = assets.get(code) or 0
        if g["outstanding"] * 10_000 >= assets_fen * t.min_claims_to_assets_bp:
            passing[code] = Candidate(code, "", g["n"], g["outstanding"], assets_fen)
    for party in (parties.filter(credit_code__in=list(passing)).select_related("case")
                  .order_by("case__filed_on", "case_id")):
        cand = passing[party.credit_code]
        cand.name = cand.name or party.name
        c = party.case
        if all(x.case_id != c.pk for x in cand.cases):
            cand.cases.append(CandidateCase(c.pk, c.case_number, c.filed_on, c.status, c.closing_type,
                                            c.claim_amount_fen - c.performed_amount_fen, c.applicant_names))
    for transfer in BankruptcyTransfer.objects.filter(court_id=court_id, credit_code__in=list(passing),
                                                      status__in=ACTIVE_TRANSFER_STATUSES):
        passing[transfer.credit_code].transfer = transfer
    return sorted(passing.values(), key=lambda c: (-c.outstanding_fen, c.credit_code))


# ---------------------------------------------------------------- the state machine


def transfer_get(*, user: User, pk: int) -> BankruptcyTransfer:
    from zhixing.cases.selectors import visible_court_ids

    transfer = BankruptcyTransfer.objects.select_related("court").filter(pk=pk).first()
    court_ids = visible_court_ids(user)
    if transfer is None or (court_ids is not None and transfer.court_id not in court_ids):
        raise NotFound("执转破记录不存在")
    return transfer


def _lock(transfer: BankruptcyTransfer) -> tuple[BankruptcyTransfer, list[EnforcementCase]]:
    """The transfer and its cases under row locks (cases in pk order: no deadlock with a parallel step)."""
    transfer = BankruptcyTransfer.objects.select_for_update().get(pk=transfer.pk)
    ids = list(transfer.moved.order_by("case_id").values_list("case_id", flat=True))
    cases = list(EnforcementCase.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    return transfer, cases


def _expect(transfer: BankruptcyTransfer, *statuses: str) -> None:
    if transfer.status not in statuses:
        wanted = "、".join(TransferStatus(s).label for s in statuses)
        raise Conflict(f"当前进度为“{transfer.get_status_display()}”，此步骤须在“{wanted}”之后", code="wrong_stage")


def _day(field_name: str, day: dt.date, after: dt.date | None, label: str) -> dt.date:
    if day > timezone.localdate():
        raise ValidationFailed([FieldError(field_name, f"{label} {day} 晚于今天")])
    if after is not None and day < after:
        raise ValidationFailed([FieldError(field_name, f"{label} {day} 早于上一步骤的日期 {after}")])
    return day


def _log(cases: list[EnforcementCase], actor: User, text: str, after: dict, reason: str = "") -> None:
    log_append_many({c.pk: [LogEvent(LogAction.NOTE, f"执转破：{text}"[:300], after=after)] for c in cases},
                    actor=actor, at=timezone.now(), reason=reason[:500])


def transfer_propose(*, actor: User, credit_code: str, opinion: str, case_ids: list[int] | None = None) -> BankruptcyTransfer:
    """承办人提出移送意见 (调查识别): the respondent must be an enterprise legal person of the actor's
    court's cases (pt 2(1)); by default every open or 终本 case of it moves."""
    ensure_can_act(actor, actor.court_id)
    ensure_role(actor, PROPOSERS, "提出执转破移送意见")
    code = (credit_code or "").strip().upper()
    if not (opinion or "").strip():
        raise ValidationFailed([FieldError("opinion", "须写明破产原因：不能清偿到期债务，资产不足以清偿全部债务或明显缺乏清偿能力")])
    parties = Party.objects.filter(court_id=actor.court_id, role=PartyRole.RESPONDENT, credit_code=code,
                                   case__in=_eligible_cases(actor.court_id))
    eligible = {p.case_id: p for p in parties.select_related("case")}
    if not eligible:
        raise ValidationFailed([FieldError("credit_code", f"本院没有以统一社会信用代码 {code or '（空）'} 为被执行人的在办或终本案件")])
    if any(p.kind != PartyKind.LEGAL_PERSON for p in eligible.values()):
        raise ValidationFailed([FieldError("credit_code", f"被执行人须为企业法人（{BANKRUPTCY_CONDITIONS[0][2]}）")])
    chosen = sorted(eligible) if case_ids is None else sorted({int(pk) for pk in case_ids})
    stray = [pk for pk in chosen if pk not in eligible]
    if stray or not chosen:
        raise ValidationFailed([FieldError("case_ids", "所选案件须为该被执行人在本院的在办或终本案件")])
    name = next(iter(eligible.values())).name
    active = BankruptcyTransfer.objects.filter(court_id=actor.court_id, credit_code=code, status__in=ACTIVE_TRANSFER_STATUSES).first()
    if active is not None and active.opinion == opinion.strip()[:1000] and active.proposed_by_id == actor.pk:
        return active  # a retry of the same proposal
    try:
        with transaction.atomic():
            transfer = BankruptcyTransfer.objects.create(court_id=actor.court_id, respondent_name=name, credit_code=code,
                                                         opinion=opinion.strip()[:1000], proposed_by=actor,
                                                         proposed_on=timezone.localdate())
            cases = list(EnforcementCase.objects.select_for_update().filter(pk__in=chosen).order_by("pk"))
            TransferCase.objects.bulk_create([TransferCase(court_id=actor.court_id, transfer=transfer, case=c,
                                                           open_when_moved=c.is_open) for c in cases])
            doc = transfer_documents.generate(transfer=transfer, kind=TransferDocumentKind.CONSULTATION, actor=actor)
            _log(cases, actor, f"承办人提出移送破产审查意见，被执行人{name}，共 {len(cases)} 件；已生成征询意见书",
                 {"bankruptcy_transfer": transfer.pk, "document": doc.pk, "citation": BANKRUPTCY_GUIDANCE}, transfer.opinion)
    except IntegrityError as exc:
        raise Conflict(f"被执行人{name}已有进行中的执转破程序", code="transfer_active") from exc
    return transfer


def transfer_consent(*, actor: User, transfer: BankruptcyTransfer, consent_by: str, party_name: str,
                     consent_on: dt.date, note: str = "") -> BankruptcyTransfer:
    """书面同意 (征询释明) of the respondent or of an applicant of any of its cases (pt 2(2))."""
    ensure_can_act(actor, transfer.court_id)
    ensure_role(actor, TRANSFER_ROLES, "登记执转破书面同意")
    if consent_by not in ConsentBy.values:
        raise ValidationFailed([FieldError("consent_by", "同意人应为被执行人或申请执行人")])
    name = (party_name or "").strip()
    with transaction.atomic():
        transfer, cases = _lock(transfer)
        if transfer.status == TransferStatus.CONSENTED and transfer.consent_party == name:
            return transfer
        _expect(transfer, TransferStatus.PROPOSED)
        _day("consent_on", consent_on, transfer.proposed_on, "书面同意日期")
        role = PartyRole.RESPONDENT if consent_by == ConsentBy.RESPONDENT else PartyRole.APPLICANT
        if not Party.objects.filter(case__in=cases, role=role, name=name).exists():
            raise ValidationFailed([FieldError("party_name", f"“{name}”不是所移送案件的{ConsentBy(consent_by).label}"
                                               f"（{BANKRUPTCY_CONDITIONS[1][2]}）")])
        transfer.status, transfer.consent_by, transfer.consent_party, transfer.consent_on = (
            TransferStatus.CONSENTED, consent_by, name[:100], consent_on)
        transfer.save(update_fields=["status", "consent_by", "consent_party", "consent_on"])
        _log(cases, actor, f"{ConsentBy(consent_by).label}{name}于 {consent_on} 书面同意移送破产审查",
             {"bankruptcy_transfer": transfer.pk, "status": transfer.status, "citation": BANKRUPTCY_CONDITIONS[1][2]}, note)
    return transfer


def transfer_panel(*, actor: User, transfer: BankruptcyTransfer, panel_on: dt.date, note: str = "") -> BankruptcyTransfer:
    """合议庭评议同意 the handling judge's opinion."""
    ensure_can_act(actor, transfer.court_id)
    ensure_role(actor, TRANSFER_ROLES, "登记合议庭评议")
    with transaction.atomic():
        transfer, cases = _lock(transfer)
        if transfer.status == TransferStatus.PANEL_AGREED:
            return transfer
        _expect(transfer, TransferStatus.CONSENTED)
        _day("panel_on", panel_on, transfer.consent_on, "合议庭评议日期")
        transfer.status, transfer.panel_on, transfer.panel_note = TransferStatus.PANEL_AGREED, panel_on, note.strip()[:500]
        transfer.save(update_fields=["status", "panel_on", "panel_note"])
        _log(cases, actor, f"合议庭于 {panel_on} 评议同意移送破产审查", {"bankruptcy_transfer": transfer.pk, "status": transfer.status},
             transfer.panel_note)
    return transfer


def transfer_decide(*, actor: User, transfer: BankruptcyTransfer, decided_on: dt.date, decision_number: str,
                    receiving_court: str) -> BankruptcyTransfer:
    """院长签署移送决定: the open cases are suspended (中止执行), the decision, the suspension ruling and the
    notice to other enforcing courts are generated, and the decision is due to be served within 5 days."""
    from zhixing.supervision.services import suspension_start

    ensure_can_act(actor, transfer.court_id)
    ensure_role(actor, DECIDERS, "签署移送破产审查决定")
    errors = []
    if not (decision_number or "").strip():
        errors.append(FieldError("decision_number", "须填写决定书文号"))
    if not (receiving_court or "").strip():
        errors.append(FieldError("receiving_court", "须填写受移送法院（被执行人住所地人民法院，原则上为中级人民法院）"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        transfer, cases = _lock(transfer)
        if transfer.status == TransferStatus.DECIDED:
            return transfer
        _expect(transfer, TransferStatus.PANEL_AGREED)
        _day("decided_on", decided_on, transfer.panel_on, "决定日期")
        transfer.status, transfer.decided_on, transfer.decided_by = TransferStatus.DECIDED, decided_on, actor
        transfer.decision_number, transfer.receiving_court = decision_number.strip()[:60], receiving_court.strip()[:100]
        transfer.serve_due = calendar.add_days(decided_on, DECISION_SERVICE_DAYS)
        transfer.save(update_fields=["status", "decided_on", "decided_by", "decision_number", "receiving_court", "serve_due"])
        docs = [transfer_documents.generate(transfer=transfer, kind=kind, actor=actor) for kind in (
            TransferDocumentKind.DECISION, TransferDocumentKind.SUSPENSION, TransferDocumentKind.NOTICE)]
        _log(cases, actor, f"院长签署移送决定（{transfer.decision_number}），移送{transfer.receiving_court}；"
             f"应于 {transfer.serve_due} 前送达", {"bankruptcy_transfer": transfer.pk, "status": transfer.status,
                                                "documents": [d.pk for d in docs], "citation": DECISION_SERVICE_CITATION})
        for moved in transfer.moved.select_related("case"):
            if not moved.case.is_open:
                continue
            try:
                moved.suspension = suspension_start(actor=actor, case=moved.case, kind="interruption", start_on=decided_on,
                                                    reason=f"执转破中止执行（{transfer.decision_number}；{SUSPENSION_CITATION}）"[:300])
                moved.save(update_fields=["suspension"])
            except DomainError:
                pass  # already paused (or locked): the decision stands; the log above records the suspension
    return transfer


def transfer_serve(*, actor: User, transfer: BankruptcyTransfer, served_on: dt.date) -> BankruptcyTransfer:
    """The decision served on the applicants and the respondent (within 5 days)."""
    ensure_can_act(actor, transfer.court_id)
    ensure_role(actor, TRANSFER_ROLES, "登记移送决定送达")
    with transaction.atomic():
        transfer, cases = _lock(transfer)
        if transfer.served_on is not None:
            return transfer
        _expect(transfer, TransferStatus.DECIDED)
        _day("served_on", served_on, transfer.decided_on, "送达日期")
        transfer.served_on = served_on
        transfer.save(update_fields=["served_on"])
        late = served_on > transfer.serve_due
        _log(cases, actor, f"移送决定于 {served_on} 送达" + (f"，超过送达期限 {transfer.serve_due}" if late else ""),
             {"bankruptcy_transfer": transfer.pk, "served_on": served_on.isoformat(), "late": late,
              "citation": DECISION_SERVICE_CITATION})
    return transfer


def transfer_send(*, actor: User, transfer: BankruptcyTransfer, transferred_on: dt.date,
                  received_on: dt.date | None = None) -> BankruptcyTransfer:
    """材料移送: the receiving court decides on acceptance within 30 days of receiving them."""
    ensure_can_act(actor, transfer.court_id)
    ensure_role(actor, TRANSFER_ROLES, "移送破产审查材料")
    with transaction.atomic():
        transfer, cases = _lock(transfer)
        if transfer.status == TransferStatus.TRANSFERRED:
            return transfer
        _expect(transfer, TransferStatus.DECIDED)
        if transfer.served_on is None:
            raise Conflict("移送决定尚未送达申请执行人和被执行人，请先登记送达", code="not_served")
        _day("transferred_on", transferred_on, transfer.decided_on, "材料移送日期")
        received_on = _day("received_on", received_on or transferred_on, transferred_on, "受移送法院收到日期")
        transfer.status, transfer.transferred_on = TransferStatus.TRANSFERRED, transferred_on
        transfer.review_due = calendar.add_days(received_on, ACCEPTANCE_REVIEW_DAYS)
        transfer.save(update_fields=["status", "transferred_on", "review_due"])
        doc = transfer_documents.generate(transfer=transfer, kind=TransferDocumentKind.MATERIALS, actor=actor)
        _log(cases, actor, f"材料已移送{transfer.receiving_court}，受移送法院应于 {transfer.review_due} 前作出是否受理的裁定",
             {"bankruptcy_transfer": transfer.pk, "status": transfer.status, "document": doc.pk,
              "citation": ACCEPTANCE_REVIEW_CITATION})
    return transfer


def transfer_outcome(*, actor: User, transfer: BankruptcyTransfer, accepted: bool, outcome_on: dt.date,
                     ruling_number: str, note: str = "") -> BankruptcyTransfer:
    """破产审查结果. Accepted: the open cases moved are closed as rules.ACCEPTED_CLOSING_TYPE and the 终本
    ones leave the 终本 pool. Rejected: the suspensions end and enforcement resumes."""
    from zhixing.cases.services import case_close
    from zhixing.supervision.models import Suspension
    from zhixing.supervision.services import suspension_end

    ensure_can_act(actor, transfer.court_id)
    ensure_role(actor, TRANSFER_ROLES, "登记破产审查结果")
    if not (ruling_number or "").strip():
        raise ValidationFailed([FieldError("ruling_number", "须填写受理（或不予受理）裁定书文号")])
    with transaction.atomic():
        transfer, cases = _lock(transfer)
        done = TransferStatus.ACCEPTED if accepted else TransferStatus.REJECTED
        if transfer.status == done:
            return transfer
        _expect(transfer, TransferStatus.TRANSFERRED)
        _day("outcome_on", outcome_on, transfer.transferred_on, "裁定日期")
        transfer.status, transfer.outcome_on = done, outcome_on
        transfer.outcome_number, transfer.outcome_note = ruling_number.strip()[:60], note.strip()[:500]
        transfer.save(update_fields=["status", "outcome_on", "outcome_number", "outcome_note"])
        what = "裁定受理破产申请" if accepted else "裁定不予受理"
        _log(cases, actor, f"{transfer.receiving_court}于 {outcome_on} {what}（{transfer.outcome_number}）",
             {"bankruptcy_transfer": transfer.pk, "status": done,
              "citation": ACCEPTED_CLOSING_CITATION if accepted else REJECTED_CITATION}, transfer.outcome_note)
        for moved in transfer.moved.select_related("case", "suspension"):
            open_pause = Suspension.objects.filter(pk=moved.suspension_id, end_on__isnull=True).first()
            if open_pause is not None:
                suspension_end(actor=actor, suspension=open_pause, end_on=outcome_on, reason=what)
            case = EnforcementCase.objects.get(pk=moved.case_id)
            if accepted and case.is_open:
                case_close(actor=actor, case=case, closing_type=ACCEPTED_CLOSING_TYPE,
                           performed_amount_fen=case.performed_amount_fen, closed_on=outcome_on,
                           reason=f"执转破：{transfer.receiving_court}裁定受理（{transfer.outcome_number}）；{ACCEPTED_CLOSING_CITATION}"[:500])
            elif accepted:
                PoolEntry.objects.filter(case_id=case.pk, status=PoolStatus.IN_POOL).update(
                    status=PoolStatus.BANKRUPTCY, next_query_due=None, left_on=outcome_on)
    return transfer


def transfer_withdraw(*, actor: User, transfer: BankruptcyTransfer, reason: str) -> BankruptcyTransfer:
    """撤回 before the decision (the consent was refused, the respondent paid …)."""
    ensure_can_act(actor, transfer.court_id)
    ensure_role(actor, TRANSFER_ROLES, "撤回执转破")
    if not (reason or "").strip():
        raise ValidationFailed([FieldError("reason", "撤回须说明理由")])
    with transaction.atomic():
        transfer, cases = _lock(transfer)
        if transfer.status == TransferStatus.WITHDRAWN:
            return transfer
        _expect(transfer, TransferStatus.PROPOSED, TransferStatus.CONSENTED, TransferStatus.PANEL_AGREED)
        transfer.status, transfer.closed_reason = TransferStatus.WITHDRAWN, reason.strip()[:500]
        transfer.save(update_fields=["status", "closed_reason"])
        _log(cases, actor, "撤回移送破产审查", {"bankruptcy_transfer": transfer.pk, "status": transfer.status}, transfer.closed_reason)
    return transfer


def is_overdue(transfer: BankruptcyTransfer, today: dt.date | None = None) -> str:
    """What of the transfer is late today: the service of the decision, or the receiving court's answer."""
    today = today or timezone.localdate()
    if transfer.status == TransferStatus.DECIDED and transfer.served_on is None and transfer.serve_due and today > transfer.serve_due:
        return f"移送决定逾期未送达（期限 {transfer.serve_due}）"
    if transfer.status == TransferStatus.TRANSFERRED and transfer.review_due and today > transfer.review_due:
        return f"受移送法院逾期未作出是否受理的裁定（期限 {transfer.review_due}）"
    return ""
