"""抵销方案: a proposal to set off mutual money obligations among the parties of a court's cases.

A `NettingProposal` is one version of a proposal (number N, version v). Only a draft is edited; once
served on the parties it is never changed: amending makes the next version and this one is
superseded. Its `ProposalLine`s are the cases it covers — each case's outstanding amount, what is set
off and on what basis, or why the case is not nettable; `CounterClaim`s are claims between the parties
that are not this court's enforcement cases; `Consent`s record the parties' consent (multilateral
set-off, acceptance of a claim, a joint case's apportionment). Applied, the set-offs are recorded in
every case through case money; reversed, by reversing records — nothing is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .choices import ConsentMethod, ProposalStatus


class NettingProposal(models.Model):
    """抵销方案（第N号第v版）."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField("方案编号")
    version = models.PositiveSmallIntegerField("版本")
    supersedes = models.OneToOneField("self", verbose_name="取代的版本", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    status = models.CharField("状态", max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT)
    multilateral = models.BooleanField("允许多方（循环）抵销", default=True)
    # Inputs of the computation besides the cases: parties who refused (no multilateral set-off, no
    # acceptance), and joint cases' apportionment {case id: {party key: fen}}.
    refused_parties = models.JSONField("不同意的当事人", default=list, blank=True)
    joint_shares = models.JSONField("共同被执行人分担", default=dict, blank=True)
    computed_on = models.DateField("计算日期")
    case_count = models.PositiveIntegerField("案件数", default=0)
    nettable_count = models.PositiveIntegerField("可抵销案件数", default=0)
    set_off_total_fen = models.BigIntegerField("抵销合计（分）", default=0)
    residual_total_fen = models.BigIntegerField("抵销后仍须给付（分）", default=0)
    # [{"party", "name", "reasons": [...]}]: whose recorded consent the approval waits for.
    required_consents = models.JSONField("须经同意的当事人", default=list, blank=True)
    reason = models.CharField("制作或修改理由", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="拟定人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("拟定时间", auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="送达人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("送达时间", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="批准人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    approval_note = models.CharField("审批意见", max_length=500, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="执行人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField("执行时间", null=True, blank=True)
    closed_note = models.CharField("撤回、取代或撤销理由", max_length=500, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤回或撤销人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("撤回或撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抵销方案"
        ordering = ["court", "-number", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["court", "number", "version"], name="netting_proposal_unique_version"),
            models.CheckConstraint(condition=Q(set_off_total_fen__gte=0, residual_total_fen__gte=0),
                                   name="netting_proposal_totals_not_negative"),
            models.CheckConstraint(condition=~Q(status=ProposalStatus.APPROVED) | Q(approved_by__isnull=False),
                                   name="netting_proposal_approved_has_approver"),
            models.CheckConstraint(condition=~Q(status__in=(ProposalStatus.APPLIED, ProposalStatus.REVERSED))
                                   | Q(approved_by__isnull=False, applied_by__isnull=False),
                                   name="netting_proposal_applied_was_approved"),
        ]
        indexes = [models.Index(fields=["court", "status", "-number"], name="netting_proposal_court_status")]

    def __str__(self) -> str:
        return f"抵销方案第{self.number}号第{self.version}版"

    @property
    def title(self) -> str:
        return str(self)


class ProposalLine(models.Model):
    """One case of the proposal: who owes whom (as of `computed_on`), what is set off and its basis —
    or why the case cannot be netted (`excluded_reason`)."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", db_index=False)
    # Both foreign keys are served by the unique (proposal, case) and the (case, proposal) indexes.
    proposal = models.ForeignKey(NettingProposal, on_delete=models.PROTECT, related_name="lines", db_index=False)
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    position = models.PositiveIntegerField("序号")
    case_number = models.CharField("案号", max_length=40)
    filed_on = models.DateField("立案日期")
    debtor_key = models.CharField("被执行人证件号", max_length=18, blank=True)
    debtor_name = models.CharField("被执行人", max_length=500, blank=True)
    creditor_key = models.CharField("申请执行人证件号", max_length=18, blank=True)
    creditor_name = models.CharField("申请执行人", max_length=500, blank=True)
    title = models.CharField("执行依据", max_length=300, blank=True)
    claim_fen = models.BigIntegerField("申请执行标的（分）")
    outstanding_fen = models.BigIntegerField("尚欠金额（分）")
    set_off_fen = models.BigIntegerField("抵销金额（分）", default=0)
    multilateral_fen = models.BigIntegerField("其中多方抵销（分）", default=0)
    excluded_reason = models.CharField("不纳入抵销的原因", max_length=300, blank=True)
    basis = models.TextField("抵销依据", blank=True)
    # A case with several respondents (共同被执行人): {"respondents": [[key, name], …], "shares": {key:
    # [share_fen, set_off_fen]}} — the apportionment and what each share had set off. Empty otherwise.
    joint = models.JSONField("共同被执行人分担", default=dict, blank=True)
    # After applying: the case money reference, and whether the case was closed (or why not).
    reference = models.CharField("抵销记录编号", max_length=60, blank=True)
    closed = models.BooleanField("本方案执行后结案", default=False)
    outcome = models.CharField("执行结果", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抵销方案明细"
        ordering = ["proposal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "case"], name="netting_line_unique_case"),
            models.CheckConstraint(condition=Q(set_off_fen__gte=0, set_off_fen__lte=F("outstanding_fen")),
                                   name="netting_line_set_off_within_outstanding"),
            models.CheckConstraint(condition=Q(multilateral_fen__gte=0, multilateral_fen__lte=F("set_off_fen")),
                                   name="netting_line_multilateral_within_set_off"),
            models.CheckConstraint(condition=Q(excluded_reason="") | Q(set_off_fen=0),
                                   name="netting_line_excluded_not_set_off"),
        ]
        indexes = [models.Index(fields=["case", "proposal"], name="netting_line_case")]

    def __str__(self) -> str:
        return f"{self.case_number} 抵销 {self.set_off_fen} 分"

    @property
    def nettable(self) -> bool:
        return not self.excluded_reason

    @property
    def left_fen(self) -> int:
        return self.outstanding_fen - self.set_off_fen


class CounterClaim(models.Model):
    """抵销债权: a money claim between two parties of the proposal that is not one of this court's
    enforcement cases. It is set off only with its basis: an effective legal document confirming it,
    or its debtor's recorded acceptance (异议复议规定第19条)."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", db_index=False)
    proposal = models.ForeignKey(NettingProposal, on_delete=models.PROTECT, related_name="counter_claims",
                                 db_index=False)  # the unique (proposal, position) index serves it
    position = models.PositiveSmallIntegerField("序号")
    creditor_key = models.CharField("债权人证件号", max_length=18)
    creditor_name = models.CharField("债权人", max_length=100)
    debtor_key = models.CharField("债务人证件号", max_length=18)
    debtor_name = models.CharField("债务人", max_length=100)
    amount_fen = models.BigIntegerField("债权金额（分）")
    due_on = models.DateField("到期日")
    document_number = models.CharField("确认该债权的生效法律文书", max_length=100, blank=True)
    issuing_authority = models.CharField("作出机关", max_length=100, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    set_off_fen = models.BigIntegerField("抵销金额（分）", default=0)
    multilateral_fen = models.BigIntegerField("其中多方抵销（分）", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "抵销债权"
        ordering = ["proposal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "position"], name="netting_counter_claim_unique_position"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="netting_counter_claim_amount_positive"),
            models.CheckConstraint(condition=Q(set_off_fen__gte=0, set_off_fen__lte=F("amount_fen")),
                                   name="netting_counter_claim_set_off_within_amount"),
            models.CheckConstraint(condition=~Q(creditor_key=F("debtor_key")),
                                   name="netting_counter_claim_two_parties"),
        ]

    def __str__(self) -> str:
        return f"{self.creditor_name}对{self.debtor_name}的债权 {self.amount_fen} 分"

    @property
    def confirmed(self) -> bool:
        return bool(self.document_number)


class Consent(models.Model):
    """A party's consent to one proposal version: to a multilateral set-off, to a claim against it
    (acceptance), to a joint case's apportionment. Recorded by the court with how it was given."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", db_index=False)
    proposal = models.ForeignKey(NettingProposal, on_delete=models.PROTECT, related_name="consents",
                                 db_index=False)  # the unique (proposal, party_key) index serves it
    party_key = models.CharField("当事人证件号", max_length=18)
    party_name = models.CharField("当事人", max_length=100)
    method = models.CharField("方式", max_length=12, choices=ConsentMethod.choices)
    document_reference = models.CharField("材料", max_length=200, help_text="如：同意书（2026年11月20日）、谈话笔录第3页")
    given_on = models.DateField("同意日期")
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "当事人同意"
        ordering = ["proposal", "given_on", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "party_key"], name="netting_consent_once_per_party")]

    def __str__(self) -> str:
        return f"{self.party_name}同意{self.proposal}"
