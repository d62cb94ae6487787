"""State changes of the netting proposals, one transaction each.

抵销 (异议复议规定第19条; rules.md §8): the handling team drafts a proposal for a list of cases — the
engine finds the set-offs that are legally possible — serves it on the parties and records their
consents where the law or the policy asks for them; the bureau head approves (never the drafter);
applying records the set-off in every case through case money (non-cash performance with its basis)
and closes the cases fully performed; reversing answers each set-off with a reversing record. A
served version is never changed: amending makes the next version.

Nothing here changes a case until approval: a draft is the court's working paper. From approval on,
every case concerned gets its execution-log entries (approval, the set-off itself, closing, reversal).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.bulk import insert_rows
from zhixing.cases.choices import CaseStatus, ClosingType, LogAction
from zhixing.cases.exceptions import Conflict, DomainError, FieldError, NotAllowed, ValidationFailed
from zhixing.cases.inputs import MAX_AMOUNT_FEN
from zhixing.cases.log import LogEvent, log_append, log_append_many
from zhixing.cases.models import EnforcementCase, Party
from zhixing.cases.services import case_close, ensure_can_act, ensure_role
from zhixing.courts.models import Court
from zhixing.documents.formatting import yuan_text as yuan
from zhixing.money import selectors as money_selectors
from zhixing.money import services as money

from . import compute, rules
from .choices import AMENDABLE_STATUSES, OPEN_STATUSES, ConsentMethod, ProposalStatus
from .models import Consent, CounterClaim, NettingProposal, ProposalLine

# ---------------------------------------------------------------- helpers


def _locked(proposal: NettingProposal) -> NettingProposal:
    return NettingProposal.objects.select_for_update().get(pk=proposal.pk)


def _draft(proposal: NettingProposal) -> None:
    if proposal.status != ProposalStatus.DRAFT:
        raise Conflict(f"{proposal.title}{proposal.get_status_display()}，不能再修改；修改已送达的方案须生成新版本",
                       code="proposal_not_draft")


def _clean_ids(case_ids) -> list[int]:
    try:
        ids = sorted({int(pk) for pk in case_ids})
    except (TypeError, ValueError) as exc:
        raise ValidationFailed([FieldError("case_ids", "案件编号须为整数")]) from exc
    if not ids:
        raise ValidationFailed([FieldError("case_ids", "请选择要抵销的案件")])
    if len(ids) > rules.MAX_CASES:
        raise ValidationFailed([FieldError("case_ids", f"一个抵销方案最多{rules.MAX_CASES}件案件，请分批拟定")])
    return ids


def _lock_cases(ids) -> dict[int, EnforcementCase]:
    """Row locks on the cases, in key order (two proposals over the same cases wait, never deadlock)."""
    return {c.pk: c for c in EnforcementCase.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk")}


def _case_ids(proposal: NettingProposal) -> list[int]:
    return list(proposal.lines.order_by().values_list("case_id", flat=True))


def _next_number(court_id: int) -> int:
    # The court's row serialises numbering: two drafts at once never get the same number.
    Court.objects.select_for_update().filter(pk=court_id).first()
    last = NettingProposal.objects.filter(court_id=court_id).aggregate(n=Max("number"))["n"] or 0
    return last + 1


# The stored lines' columns, in the order `_insert_lines` writes them.
LINE_COLUMNS = ("court", "proposal", "case", "position", "case_number", "filed_on", "debtor_key", "debtor_name",
                "creditor_key", "creditor_name", "title", "claim_fen", "outstanding_fen", "set_off_fen",
                "multilateral_fen", "excluded_reason", "basis", "joint", "reference", "closed", "outcome")


def _insert_lines(proposal: NettingProposal, lines: list[compute.LineResult]) -> None:
    """Store the lines with one prepared INSERT over all rows (COPY on PostgreSQL; zhixing.bulk): the
    ORM's bulk_create prepares every value of every row in Python (and on SQLite sends ~45 rows per
    statement), a minute for 100,000 lines instead of seconds. The values are adapted here, where
    the one empty share table of most lines can be made once."""
    as_date, as_json = connection.ops.adapt_datefield_value, connection.ops.adapt_json_value
    no_joint = as_json({}, None)  # most lines: made once
    rows = [(proposal.court_id, proposal.pk, line.facts.pk, index, line.facts.case_number, as_date(line.facts.filed_on),
             line.debtor_key, line.debtor_name[:500], line.creditor_key, line.creditor_name[:500], line.facts.title,
             line.facts.claim_fen, line.facts.outstanding_fen, line.set_off_fen, line.multilateral_fen,
             line.excluded_reason[:300], line.basis, as_json(line.joint, None) if line.apportionable else no_joint,
             "", False, "")
            for index, line in enumerate(lines, 1)]
    insert_rows(ProposalLine, LINE_COLUMNS, rows, adapt=False)


@compute.without_gc
def _recompute(proposal: NettingProposal, case_ids: list[int], *, facts=None) -> compute.Computation:
    """Work the proposal out again from the cases as they are now, and store it (a draft's lines are
    the computation's output, replaced as a whole)."""
    facts = facts if facts is not None else compute.load_cases(proposal.court_id, case_ids,
                                                                exclude_proposal_id=proposal.pk)
    claims = list(proposal.counter_claims.order_by("position"))
    today = timezone.localdate()
    result = compute.compute(facts, today=today, multilateral=proposal.multilateral,
                             refused=proposal.refused_parties, joint_shares=proposal.joint_shares, claims=claims,
                             requested=case_ids)
    _refuse_missing(result.missing)
    ProposalLine.objects.filter(proposal=proposal).delete()
    _insert_lines(proposal, result.lines)
    for claim, done in zip(claims, result.claims, strict=True):
        claim.set_off_fen, claim.multilateral_fen = done.set_off_fen, done.multilateral_fen
    CounterClaim.objects.bulk_update(claims, ["set_off_fen", "multilateral_fen"])
    proposal.computed_on = today
    proposal.case_count = len(result.lines)
    proposal.nettable_count = result.nettable_count
    proposal.set_off_total_fen = result.set_off_total_fen
    proposal.residual_total_fen = result.residual_total_fen
    proposal.required_consents = result.required_consents
    proposal.save(update_fields=["computed_on", "case_count", "nettable_count", "set_off_total_fen",
                                 "residual_total_fen", "required_consents"])
    return result


def _refuse_missing(missing: list[int]) -> None:
    if missing:
        shown = "、".join(str(pk) for pk in missing[:10])
        raise ValidationFailed([FieldError("case_ids", f"以下案件不存在或不属于本院：{shown}"
                                                       + ("等" if len(missing) > 10 else ""))])


def _parties(proposal: NettingProposal) -> dict[str, str]:
    """Every party of the proposal's cases (and its counter-claims): identity number → name."""
    names: dict[str, str] = {}
    rows = Party.objects.filter(case_id__in=proposal.lines.values("case_id")).order_by("case_id", "position")
    for id_number, credit_code, name in rows.values_list("id_number", "credit_code", "name"):
        key = compute.party_key(id_number, credit_code)
        if key:
            names.setdefault(key, name)
    for claim in proposal.counter_claims.all():
        names.setdefault(claim.creditor_key, claim.creditor_name)
        names.setdefault(claim.debtor_key, claim.debtor_name)
    return names


def _log_cases(proposal: NettingProposal, actor: User, summary: str, *, reason: str = "", only_set_off: bool = True) -> None:
    """One execution-log entry on each case the proposal sets off (or all its nettable cases)."""
    lines = proposal.lines.filter(excluded_reason="")
    if only_set_off:
        lines = lines.filter(set_off_fen__gt=0)
    amounts = dict(lines.values_list("case_id", "set_off_fen"))
    _lock_cases(amounts)
    events = {case_id: [LogEvent(LogAction.NOTE, summary.replace("{amount}", yuan(fen)),
                                 after={"proposal": proposal.pk, "number": proposal.number, "version": proposal.version,
                                        "set_off_fen": fen, "status": proposal.status})]
              for case_id, fen in amounts.items()}
    log_append_many(events, actor=actor, at=timezone.now(), reason=reason[:500])


def _check_joint_shares(shares, facts: dict[int, compute.CaseFacts]) -> dict[str, dict[str, int]]:
    """The judge's apportionment of joint cases: {case id: {respondent's identity number: fen}}."""
    if not isinstance(shares, dict):
        raise ValidationFailed([FieldError("joint_shares", "格式应为 {案件编号: {被执行人证件号: 金额（分）}}")])
    cleaned: dict[str, dict[str, int]] = {}
    errors = []
    for raw_pk, parts in shares.items():
        try:
            pk = int(raw_pk)
        except (TypeError, ValueError):
            errors.append(FieldError("joint_shares", f"案件编号 {raw_pk} 不是整数"))
            continue
        f = facts.get(pk)
        if f is None:
            continue  # a case taken off the proposal: its apportionment goes with it
        if len(f.respondents) < 2:
            errors.append(FieldError(f"joint_shares.{pk}", f"{f.case_number}不是共同被执行人案件，无须分担"))
            continue
        if not parts:
            continue  # an empty apportionment takes the case out again
        respondents = {p.key for p in f.respondents}
        row = {}
        for key, fen in (parts.items() if isinstance(parts, dict) else ()):
            if key not in respondents:
                errors.append(FieldError(f"joint_shares.{pk}", f"{key} 不是{f.case_number}的被执行人"))
            elif isinstance(fen, bool) or not isinstance(fen, int) or fen < 0 or fen >= MAX_AMOUNT_FEN:
                errors.append(FieldError(f"joint_shares.{pk}", "分担金额须为不小于零的整数“分”"))
            elif fen:
                row[key] = fen
        if not isinstance(parts, dict):
            errors.append(FieldError(f"joint_shares.{pk}", "应为 {被执行人证件号: 金额（分）}"))
        if row:
            cleaned[str(pk)] = row
    if errors:
        raise ValidationFailed(errors)
    return cleaned


# ---------------------------------------------------------------- drafting


def proposal_create(*, actor: User, case_ids, multilateral: bool = True, reason: str = "",
                    court_id: int | None = None) -> NettingProposal:
    """拟定抵销方案 for the court's cases among `case_ids` (a bundle, or the open cases among a set of
    parties): version 1, a draft. Cases that cannot be netted stay on it with the reason."""
    ensure_role(actor, rules.DRAFTERS, "拟定抵销方案")
    ids = _clean_ids(case_ids)
    court_id = court_id or actor.court_id
    if court_id is None:
        raise ValidationFailed([FieldError("court_id", "请指明法院")])
    ensure_can_act(actor, court_id)
    with transaction.atomic():
        facts = compute.load_cases(court_id, ids)
        _refuse_missing(sorted(set(ids) - set(facts)))
        taken = [f for f in facts.values() if f.open_proposal]
        if facts and len(taken) == len(facts):
            raise Conflict(f"所选案件均已列入{taken[0].open_proposal}，请在该方案上办理", code="cases_in_open_proposal")
        proposal = NettingProposal.objects.create(
            court_id=court_id, number=_next_number(court_id), version=1, multilateral=bool(multilateral),
            computed_on=timezone.localdate(), reason=reason.strip()[:500], created_by=actor,
        )
        _recompute(proposal, ids, facts=facts)
    return proposal


def proposal_update(*, actor: User, proposal: NettingProposal, case_ids=None, multilateral: bool | None = None,
                    refused_parties=None, joint_shares=None, reason: str | None = None) -> NettingProposal:
    """Change a draft: its cases, whether cycles may be cancelled, who refused, a joint case's
    apportionment. The proposal is worked out again from the cases as they are now."""
    ensure_role(actor, rules.DRAFTERS, "修改抵销方案")
    ensure_can_act(actor, proposal.court_id)
    with transaction.atomic():
        proposal = _locked(proposal)
        _draft(proposal)
        ids = _clean_ids(case_ids) if case_ids is not None else _case_ids(proposal)
        facts = compute.load_cases(proposal.court_id, ids, exclude_proposal_id=proposal.pk)
        _refuse_missing(sorted(set(ids) - set(facts)))
        if multilateral is not None:
            proposal.multilateral = bool(multilateral)
        if refused_parties is not None:
            names = {**_parties(proposal), **{p.key: p.name for f in facts.values() for p in f.parties if p.key}}
            unknown = [str(key) for key in refused_parties if key not in names]
            if unknown:
                raise ValidationFailed([FieldError("refused_parties", f"不是本方案的当事人：{'、'.join(unknown[:5])}")])
            proposal.refused_parties = sorted(set(refused_parties))
        if joint_shares is not None:
            proposal.joint_shares = _check_joint_shares(joint_shares, facts)
        if reason is not None:
            proposal.reason = reason.strip()[:500]
        proposal.save(update_fields=["multilateral", "refused_parties", "joint_shares", "reason"])
        _recompute(proposal, ids, facts=facts)
    return proposal


def counter_claim_add(*, actor: User, proposal: NettingProposal, creditor_key: str, debtor_key: str, amount_fen: int,
                      due_on: dt.date, document_number: str = "", issuing_authority: str = "",
                      note: str = "") -> CounterClaim:
    """抵销债权: a claim between two parties of the draft that is not one of this court's enforcement
    cases. Due claims only (互负到期债务); confirmed by an effective legal document (its number), or else
    set off only once its debtor's acceptance is recorded (rules.SET_OFF)."""
    ensure_role(actor, rules.DRAFTERS, "登记抵销债权")
    ensure_can_act(actor, proposal.court_id)
    creditor_key, debtor_key = creditor_key.strip().upper(), debtor_key.strip().upper()
    with transaction.atomic():
        proposal = _locked(proposal)
        _draft(proposal)
        names = _parties(proposal)
        errors = []
        if creditor_key not in names:
            errors.append(FieldError("creditor_key", "债权人须为本方案案件的当事人"))
        if debtor_key not in names:
            errors.append(FieldError("debtor_key", "债务人须为本方案案件的当事人"))
        if creditor_key == debtor_key:
            errors.append(FieldError("debtor_key", "债权人与债务人不能为同一人"))
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            errors.append(FieldError("amount_fen", "金额须为大于零的整数“分”"))
        elif amount_fen >= MAX_AMOUNT_FEN:
            errors.append(FieldError("amount_fen", "金额超出可记录范围"))
        if due_on > timezone.localdate():
            errors.append(FieldError("due_on", f"该债权{due_on:%Y-%m-%d}才到期：只有互负到期债务可以抵销（{rules.SET_OFF.citation}）"))
        if document_number.strip() and not issuing_authority.strip():
            errors.append(FieldError("issuing_authority", "请填写作出该法律文书的机关"))
        if errors:
            raise ValidationFailed(errors)
        if proposal.counter_claims.count() >= rules.MAX_COUNTER_CLAIMS:
            raise DomainError(f"一个抵销方案最多登记{rules.MAX_COUNTER_CLAIMS}项抵销债权", code="too_many_claims")
        position = (proposal.counter_claims.aggregate(p=Max("position"))["p"] or 0) + 1
        claim = CounterClaim.objects.create(
            court_id=proposal.court_id, proposal=proposal, position=position, creditor_key=creditor_key,
            creditor_name=names[creditor_key][:100], debtor_key=debtor_key, debtor_name=names[debtor_key][:100],
            amount_fen=amount_fen, due_on=due_on, document_number=document_number.strip()[:100],
            issuing_authority=issuing_authority.strip()[:100], note=note.strip()[:300], created_by=actor,
        )
        _recompute(proposal, _case_ids(proposal))
        claim.refresh_from_db()
    return claim


def counter_claim_remove(*, actor: User, claim: CounterClaim) -> NettingProposal:
    """Take a claim off a draft (the served versions keep theirs)."""
    ensure_role(actor, rules.DRAFTERS, "删除抵销债权")
    ensure_can_act(actor, claim.court_id)
    with transaction.atomic():
        proposal = _locked(claim.proposal)
        _draft(proposal)
        CounterClaim.objects.filter(pk=claim.pk, proposal=proposal).delete()
        _recompute(proposal, _case_ids(proposal))
    return proposal


# ---------------------------------------------------------------- serving, consents, approval


def proposal_submit(*, actor: User, proposal: NettingProposal) -> NettingProposal:
    """送达: the draft, worked out once more from the cases as they are now, is served on the parties
    and never changed again; the consents it needs are recorded against this version."""
    ensure_role(actor, rules.DRAFTERS, "送达抵销方案")
    ensure_can_act(actor, proposal.court_id)
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status == ProposalStatus.CONSENTS:
            return proposal  # a retry
        _draft(proposal)
        ids = _case_ids(proposal)
        _lock_cases(ids)  # no other proposal takes these cases meanwhile
        result = _recompute(proposal, ids)
        if result.set_off_total_fen <= 0:
            raise DomainError("本方案没有可以抵销的债务，不能送达", code="nothing_to_set_off")
        proposal.status = ProposalStatus.CONSENTS
        proposal.submitted_by, proposal.submitted_at = actor, timezone.now()
        proposal.save(update_fields=["status", "submitted_by", "submitted_at"])
    return proposal


def consent_record(*, actor: User, proposal: NettingProposal, party_key: str, method: str, document_reference: str,
                   given_on: dt.date, note: str = "") -> Consent:
    """A party consented to this version (and, where asked, accepted the claim against it): how, with
    which written record, on which day. The same consent recorded twice is a retry."""
    ensure_role(actor, rules.CONSENT_RECORDERS, "登记当事人同意")
    ensure_can_act(actor, proposal.court_id)
    party_key = party_key.strip().upper()
    errors = []
    if method not in ConsentMethod.values:
        errors.append(FieldError("method", f"请选择方式（{'、'.join(ConsentMethod.labels)}）"))
    if not document_reference.strip():
        errors.append(FieldError("document_reference", "请写明同意的书面材料（同意书、笔录等）"))
    if given_on > timezone.localdate():
        errors.append(FieldError("given_on", f"{given_on} 晚于今天"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        proposal = _locked(proposal)
        existing = proposal.consents.filter(party_key=party_key).first()
        if existing is not None:
            if (existing.method, existing.document_reference, existing.given_on) == (
                    method, document_reference.strip()[:200], given_on):
                return existing
            raise Conflict(f"已登记{existing.party_name}于{existing.given_on:%Y-%m-%d}的同意", code="consent_recorded")
        if proposal.status != ProposalStatus.CONSENTS:
            raise Conflict(f"{proposal.title}{proposal.get_status_display()}，只有已送达的方案可以登记当事人同意",
                           code="proposal_not_served")
        names = _parties(proposal)
        if party_key not in names:
            raise ValidationFailed([FieldError("party_key", "不是本方案的当事人")])
        served_on = timezone.localtime(proposal.submitted_at).date()
        if given_on < served_on:
            raise ValidationFailed([FieldError("given_on", f"早于方案送达日期 {served_on}：同意须针对本版本")])
        return Consent.objects.create(
            court_id=proposal.court_id, proposal=proposal, party_key=party_key, party_name=names[party_key][:100],
            method=method, document_reference=document_reference.strip()[:200], given_on=given_on,
            note=note.strip()[:300], recorded_by=actor,
        )


def missing_consents(proposal: NettingProposal) -> list[dict]:
    given = set(proposal.consents.values_list("party_key", flat=True))
    return [row for row in proposal.required_consents if row["party"] not in given]


def _approve_refusal(user: User, proposal: NettingProposal) -> DomainError | None:
    if proposal.status != ProposalStatus.CONSENTS:
        return Conflict(f"{proposal.title}{proposal.get_status_display()}，只有已送达的方案可以审批",
                        code="proposal_not_served")
    if not (user.is_superuser or user.role in rules.APPROVERS):
        return NotAllowed(f"抵销方案由执行局长或院长审批（{rules.SEPARATION.citation}）")
    if user.pk in (proposal.created_by_id, proposal.submitted_by_id):
        return NotAllowed(f"拟定人、送达人不能审批本方案（{rules.SEPARATION.full}）")
    missing = missing_consents(proposal)
    if missing:
        who = "；".join(f"{row['name']}（{'、'.join(row['reasons'])}）" for row in missing[:5])
        return DomainError(f"尚缺{len(missing)}名当事人的同意：{who}", code="consent_missing")
    return None


def approve_refusal(user: User, proposal: NettingProposal) -> str | None:
    """Why `user` may not approve the proposal now, or None. Pages offer the button by it."""
    refusal = _approve_refusal(user, proposal)
    return refusal.message if refusal else None


def proposal_approve(*, actor: User, proposal: NettingProposal, note: str = "") -> NettingProposal:
    """批准: by the bureau head (or president), never the drafter or whoever served it (rules.SEPARATION);
    every consent the version needs is recorded (rules.MULTILATERAL, rules.JOINT, acceptance under
    rules.SET_OFF). Each case it sets off is told in its execution log."""
    ensure_can_act(actor, proposal.court_id)
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status == ProposalStatus.APPROVED and proposal.approved_by_id == actor.pk:
            return proposal  # a retry
        refusal = _approve_refusal(actor, proposal)
        if refusal:
            raise refusal
        proposal.status = ProposalStatus.APPROVED
        proposal.approved_by, proposal.approved_at = actor, timezone.now()
        proposal.approval_note = note.strip()[:500]
        proposal.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
        _log_cases(proposal, actor, f"{proposal.title}经{actor.get_role_display()}{actor.display_name}批准：本案拟抵销 {{amount}}",
                   reason=note.strip() or rules.SET_OFF.full)
    return proposal


# ---------------------------------------------------------------- applying and reversing


def proposal_apply(*, actor: User, proposal: NettingProposal) -> NettingProposal:
    """执行: in one transaction, record each approved set-off in its case through case money (non-cash
    performance with its basis, idempotent by rules.reference), then close the cases now performed in
    full (执行完毕); a case that cannot be closed now stays open with the reason shown. Refused as a
    whole when a case has meanwhile been closed or paid so that its set-off no longer fits."""
    ensure_role(actor, rules.APPLIERS, "执行抵销方案")
    ensure_can_act(actor, proposal.court_id)
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status == ProposalStatus.APPLIED:
            return proposal  # a retry
        if proposal.status != ProposalStatus.APPROVED:
            raise Conflict(f"{proposal.title}{proposal.get_status_display()}，只有已批准的方案可以执行", code="proposal_not_approved")
        lines = list(proposal.lines.filter(excluded_reason="", set_off_fen__gt=0).order_by("position"))
        cases = _lock_cases(line.case_id for line in lines)
        stale = [line for line in lines if cases[line.case_id].status != CaseStatus.OPEN
                 or cases[line.case_id].claim_amount_fen - cases[line.case_id].performed_amount_fen < line.set_off_fen]
        if stale:
            shown = "、".join(line.case_number for line in stale[:5]) + ("等" if len(stale) > 5 else "")
            raise Conflict(f"{shown}已结案或尚欠金额已少于拟抵销金额，本方案不能执行；请生成新版本重新计算",
                           code="proposal_stale")
        today = timezone.localdate()
        for line in lines:
            line.reference = rules.reference(proposal.pk, line.case_id)
            money.set_off_settle(actor=actor, case=cases[line.case_id], amount_fen=line.set_off_fen,
                                 basis=f"{proposal.title}：{line.basis}", reference=line.reference, on=today)
        for line in lines:
            line.closed, line.outcome = _close_if_performed(actor, proposal, line)
        ProposalLine.objects.bulk_update(lines, ["reference", "closed", "outcome"])
        proposal.status = ProposalStatus.APPLIED
        proposal.applied_by, proposal.applied_at = actor, timezone.now()
        proposal.save(update_fields=["status", "applied_by", "applied_at"])
    return proposal


def _close_if_performed(actor: User, proposal: NettingProposal, line: ProposalLine) -> tuple[bool, str]:
    case = EnforcementCase.objects.get(pk=line.case_id)
    left = case.claim_amount_fen - case.performed_amount_fen
    if left > 0:
        return False, f"尚欠 {yuan(left)}，继续执行"
    waiting = money_selectors.case_summary(case)["balance_fen"]
    if waiting > 0:  # performed in full, but cash received earlier still waits to be paid out
        return False, f"已全部履行，案款账户尚有 {yuan(waiting)} 未发放，发放后结案"
    try:
        case_close(actor=actor, case=case, closing_type=ClosingType.PERFORMED, performed_amount_fen=case.performed_amount_fen,
                   reason=f"{proposal.title}执行：以抵销方式全部履行（{rules.SET_OFF.citation}）")
    except DomainError as exc:  # a lock, say: the case stays open and the judge sees why
        return False, f"已全部履行，但未能结案：{exc.message}"[:300]
    return True, "已全部履行，已结案（执行完毕）"


def proposal_reverse(*, actor: User, proposal: NettingProposal, reason: str) -> NettingProposal:
    """撤销: every set-off of an applied proposal is answered by a reversing record in case money (the
    originals stay). Cases it closed are not reopened automatically — the case spine has no reopening
    — so each gets a log entry saying what is owed again, and the proposal lists them for the judge."""
    ensure_role(actor, rules.REVERSERS, "撤销已执行的抵销方案")
    ensure_can_act(actor, proposal.court_id)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "撤销抵销方案须写明理由")])
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status == ProposalStatus.REVERSED:
            return proposal  # a retry
        if proposal.status != ProposalStatus.APPLIED:
            raise Conflict(f"{proposal.title}{proposal.get_status_display()}，只有已执行的方案可以撤销", code="proposal_not_applied")
        lines = list(proposal.lines.exclude(reference="").order_by("position"))
        _lock_cases(line.case_id for line in lines)
        for line in lines:
            money.set_off_reverse(actor=actor, reference=line.reference, court_id=proposal.court_id,
                                  reason=f"{proposal.title}撤销：{reason.strip()}")
        for line in lines:
            case = EnforcementCase.objects.get(pk=line.case_id)
            if case.status != CaseStatus.OPEN:
                left = case.claim_amount_fen - case.performed_amount_fen
                log_append(case=case, actor=actor, action=LogAction.NOTE,
                           summary=f"{proposal.title}已撤销，本案抵销的 {yuan(line.set_off_fen)} 已冲正，尚欠 {yuan(left)}；"
                                   f"本案已以“{case.get_closing_type_display()}”结案，请承办法官依法处理"[:300],
                           after={"proposal": proposal.pk, "reference": line.reference, "owed_fen": left},
                           reason=reason.strip()[:500])
        proposal.status = ProposalStatus.REVERSED
        proposal.closed_by, proposal.closed_at, proposal.closed_note = actor, timezone.now(), reason.strip()[:500]
        proposal.save(update_fields=["status", "closed_by", "closed_at", "closed_note"])
    return proposal


# ---------------------------------------------------------------- new versions and withdrawal


def proposal_amend(*, actor: User, proposal: NettingProposal, reason: str) -> NettingProposal:
    """A new version, as a draft worked out afresh from the cases (same cases, claims, refusals and
    apportionments, to be edited); this one is superseded and its consents stay with it. The way to
    change a served proposal: a party refused, an amount changed, the judge corrects it."""
    ensure_role(actor, rules.DRAFTERS, "修改抵销方案")
    ensure_can_act(actor, proposal.court_id)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请填写修改理由（如：某当事人不同意多方抵销）")])
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status == ProposalStatus.SUPERSEDED:
            successor = NettingProposal.objects.get(supersedes=proposal)
            if successor.reason == reason.strip()[:500]:
                return successor  # a retry
            raise Conflict(f"{proposal.title}已被第{successor.version}版取代", code="proposal_superseded")
        if proposal.status not in AMENDABLE_STATUSES:
            raise Conflict(f"{proposal.title}{proposal.get_status_display()}，不能生成新版本"
                           + ("（草稿可直接修改）" if proposal.status == ProposalStatus.DRAFT else ""),
                           code="proposal_not_amendable")
        was_approved = proposal.status == ProposalStatus.APPROVED
        ids = _case_ids(proposal)
        proposal.status = ProposalStatus.SUPERSEDED
        proposal.closed_by, proposal.closed_at, proposal.closed_note = actor, timezone.now(), reason.strip()[:500]
        proposal.save(update_fields=["status", "closed_by", "closed_at", "closed_note"])
        new = NettingProposal.objects.create(
            court_id=proposal.court_id, number=proposal.number, version=proposal.version + 1, supersedes=proposal,
            multilateral=proposal.multilateral, refused_parties=proposal.refused_parties,
            joint_shares=proposal.joint_shares, computed_on=timezone.localdate(), reason=reason.strip()[:500],
            created_by=actor,
        )
        CounterClaim.objects.bulk_create([
            CounterClaim(court_id=c.court_id, proposal=new, position=c.position, creditor_key=c.creditor_key,
                         creditor_name=c.creditor_name, debtor_key=c.debtor_key, debtor_name=c.debtor_name,
                         amount_fen=c.amount_fen, due_on=c.due_on, document_number=c.document_number,
                         issuing_authority=c.issuing_authority, note=c.note, created_by=actor)
            for c in proposal.counter_claims.order_by("position")
        ])
        if was_approved:
            _log_cases(proposal, actor, f"已批准的{proposal.title}未执行，由第{new.version}版取代（原拟抵销 {{amount}}）",
                       reason=reason)
        _recompute(new, ids)
    return new


def proposal_withdraw(*, actor: User, proposal: NettingProposal, reason: str) -> NettingProposal:
    """撤回 a proposal not yet applied (the parties settled otherwise, the bundle was split…)."""
    ensure_role(actor, rules.DRAFTERS | rules.APPROVERS, "撤回抵销方案")
    ensure_can_act(actor, proposal.court_id)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请填写撤回理由")])
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status == ProposalStatus.WITHDRAWN:
            return proposal
        if proposal.status not in OPEN_STATUSES:
            raise Conflict(f"{proposal.title}{proposal.get_status_display()}，不能撤回", code="proposal_closed")
        was_approved = proposal.status == ProposalStatus.APPROVED
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.closed_by, proposal.closed_at, proposal.closed_note = actor, timezone.now(), reason.strip()[:500]
        proposal.save(update_fields=["status", "closed_by", "closed_at", "closed_note"])
        if was_approved:
            _log_cases(proposal, actor, f"已批准的{proposal.title}撤回，未执行（原拟抵销 {{amount}}）", reason=reason)
    return proposal
