"""Closing right: findings on 终本 conditions, the 终本 pool and its query rounds, restoration
proposals, the 终本 sample review, 执转破 transfers, and archiving explanations.

Every case-owned table carries `court` directly (sharding by court). Nothing is edited away: a
finding is withdrawn by a later row, a pool round is a new row, a review mark is logged with what
it replaced in the case's execution log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    ACTIVE_TRANSFER_STATUSES,
    ConsentBy,
    PoolStatus,
    ProposalSource,
    ProposalStatus,
    TransferDocumentKind,
    TransferStatus,
    Verdict,
)


class ConditionFinding(models.Model):
    """The handling judge's finding that a conditional 终本 condition does not apply here (the
    respondent's whereabouts are known, there was no obstruction …), with reasons. The latest row of a
    case and condition counts; a withdrawal is a later row with `withdrawn`."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="condition_findings")
    condition = models.CharField("终本条件", max_length=40)  # rules.ZHONGBEN_CONDITIONS code
    text = models.CharField("认定理由", max_length=500)
    withdrawn = models.BooleanField("撤回", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认定人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("认定时间")

    class Meta:
        verbose_name = verbose_name_plural = "终本条件认定"
        ordering = ["case", "recorded_at", "id"]
        indexes = [models.Index(fields=["case", "condition"], name="finding_case_condition")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.condition}"


class PoolEntry(models.Model):
    """A 终本 case in the 终本 pool: re-queried on the schedule of rules.POOL_SCHEDULE until it is
    restored, moved to bankruptcy or the five years are over. `next_query_due` is stored and indexed:
    what is due is a range query."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField("cases.EnforcementCase", on_delete=models.CASCADE, related_name="pool_entry")
    entered_on = models.DateField("终本日期")
    ends_on = models.DateField("定期查询截止")
    status = models.CharField("状态", max_length=12, choices=PoolStatus.choices, default=PoolStatus.IN_POOL)
    next_round = models.PositiveSmallIntegerField("下次查询轮次", default=1)
    next_query_due = models.DateField("下次查询日期", null=True, blank=True)
    rounds_done = models.PositiveSmallIntegerField("已查询次数", default=0)
    last_query_on = models.DateField("最近查询日期", null=True, blank=True)
    left_on = models.DateField("出库日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "终本案件库"
        ordering = ["next_query_due", "id"]
        indexes = [
            models.Index(fields=["court", "next_query_due"], condition=Q(status=PoolStatus.IN_POOL), name="pool_due"),
            models.Index(fields=["court", "status"], name="pool_court_status"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} 第{self.next_round}次"


class PoolRound(models.Model):
    """One scheduled re-query of a pool case: the network queries sent for it."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(PoolEntry, on_delete=models.CASCADE, related_name="rounds")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="+")
    round_no = models.PositiveSmallIntegerField("轮次")
    due_on = models.DateField("应查询日期")
    sent_on = models.DateField("发送日期")
    queries = models.PositiveIntegerField("查询项数", default=0)
    batches = models.CharField("批次号", max_length=300, blank=True)
    skipped = models.CharField("未发送原因", max_length=300, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "终本定期查询"
        ordering = ["case", "round_no"]
        constraints = [models.UniqueConstraint(fields=["case", "round_no"], name="pool_round_once")]

    def __str__(self) -> str:
        return f"{self.case_id} 第{self.round_no}次"


class RestorationProposal(models.Model):
    """恢复执行 suggested for a 终本 case: property found, a clue, or the applicant's application.
    Confirmed by the judge (the property is there and may be enforced), it must be restored within
    rules.RESTORATION_LIMIT working days; restoring opens a 执恢 case linked to the original."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="restoration_proposals")
    source = models.CharField("来源", max_length=20, choices=ProposalSource.choices)
    description = models.CharField("内容", max_length=1000)
    provider = models.CharField("提供人", max_length=100, blank=True)
    asset = models.ForeignKey("property.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    found_in_case = models.ForeignKey("cases.EnforcementCase", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")  # where the asset was found, if not in this case
    detected_on = models.DateField("发现日期")
    status = models.CharField("状态", max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    restore_due = models.DateField("恢复执行期限", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_note = models.CharField("处理说明", max_length=500, blank=True)
    restored_case = models.ForeignKey("cases.EnforcementCase", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="restored_from_proposals")
    restored_on = models.DateField("恢复执行日期", null=True, blank=True)
    outstanding_fen = models.BigIntegerField("恢复时未履行金额（分）", null=True, blank=True)
    dossier = models.JSONField("原案卷宗索引", default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "恢复执行建议"
        ordering = ["-detected_on", "-id"]
        constraints = [
            # the nightly detection proposes each asset once per case: a second run adds nothing
            models.UniqueConstraint(fields=["case", "asset"], condition=Q(asset__isnull=False),
                                    name="proposal_once_per_asset"),
            models.CheckConstraint(condition=Q(outstanding_fen__isnull=True) | Q(outstanding_fen__gte=0),
                                   name="proposal_outstanding_not_negative"),
        ]
        indexes = [models.Index(fields=["court", "status", "restore_due"], name="proposal_court_status")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_source_display()}"


class ArchiveExplanation(models.Model):
    """Why a case is archived with money still in its account (or what happens to it)."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="archive_explanations")
    balance_fen = models.BigIntegerField("说明时余额（分）")
    text = models.CharField("说明", max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("说明时间")

    class Meta:
        verbose_name = verbose_name_plural = "归档案款说明"
        ordering = ["case", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.balance_fen}"


class SampleReview(models.Model):
    """终本合格率评查: a seeded random sample of a court's 终本 cases closed in a period."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField("结案日期从")
    period_end = models.DateField("结案日期至")
    seed = models.BigIntegerField("随机种子")
    population = models.PositiveIntegerField("期间终本案件数")
    size = models.PositiveIntegerField("抽查件数")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽取人", on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField("抽取时间")

    class Meta:
        verbose_name = verbose_name_plural = "终本评查"
        ordering = ["-period_end", "court", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["court", "period_start", "period_end"], name="review_once_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="review_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.court} {self.period_start}–{self.period_end}"


class SampleItem(models.Model):
    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(SampleReview, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("序号")
    closed_on = models.DateField("结案日期")  # copied: the rate by period reads this index, not the cases
    verdict = models.CharField("评查结论", max_length=10, choices=Verdict.choices, default=Verdict.PENDING)
    reasons = models.JSONField("不合格原因", default=list, blank=True)  # condition codes / rules.EXTRA_FAIL_REASONS
    note = models.CharField("评查说明", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField("评查时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评查案件"
        ordering = ["review", "position"]
        constraints = [models.UniqueConstraint(fields=["review", "case"], name="sample_item_once")]
        indexes = [models.Index(fields=["court", "closed_on", "verdict"], name="sample_item_rate")]

    def __str__(self) -> str:
        return f"{self.review_id} #{self.position}"


class BankruptcyThreshold(models.Model):
    """A court's own thresholds for the 执转破 candidate list; each save is a new row, the latest counts."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    min_cases = models.PositiveSmallIntegerField("同一被执行人案件数不少于")
    min_outstanding_fen = models.BigIntegerField("未履行金额合计不少于（分）", default=0)
    min_claims_to_assets_bp = models.PositiveIntegerField("未履行金额不少于财产价值的（万分比）")
    note = models.CharField("说明", max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = verbose_name_plural = "执转破筛选标准"
        ordering = ["court", "-set_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_cases__gte=1), name="threshold_min_cases_positive"),
            models.CheckConstraint(condition=Q(min_outstanding_fen__gte=0), name="threshold_outstanding_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.court} {self.set_at:%Y-%m-%d}"


class BankruptcyTransfer(models.Model):
    """执转破: moving one corporate respondent's enforcement cases to bankruptcy review, step by step
    (法发〔2017〕2号; rules.md §10). One active transfer per respondent and court."""

    court = models.ForeignKey("courts.Court", verbose_name="执行法院", on_delete=models.PROTECT, related_name="+")
    respondent_name = models.CharField("被执行人", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    status = models.CharField("进度", max_length=14, choices=TransferStatus.choices, default=TransferStatus.PROPOSED)
    opinion = models.CharField("移送意见（破产原因）", max_length=1000)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT,
                                    related_name="+")
    proposed_on = models.DateField("提出日期")
    consent_by = models.CharField("同意人身份", max_length=12, choices=ConsentBy.choices, blank=True)
    consent_party = models.CharField("同意人", max_length=100, blank=True)
    consent_on = models.DateField("书面同意日期", null=True, blank=True)
    panel_on = models.DateField("合议庭评议日期", null=True, blank=True)
    panel_note = models.CharField("评议意见", max_length=500, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_number = models.CharField("决定书文号", max_length=60, blank=True)
    receiving_court = models.CharField("受移送法院", max_length=100, blank=True)
    serve_due = models.DateField("送达期限", null=True, blank=True)
    served_on = models.DateField("送达日期", null=True, blank=True)
    transferred_on = models.DateField("材料移送日期", null=True, blank=True)
    review_due = models.DateField("受理审查期限", null=True, blank=True)
    outcome_on = models.DateField("审查结果日期", null=True, blank=True)
    outcome_number = models.CharField("受理（不予受理）裁定文号", max_length=60, blank=True)
    outcome_note = models.CharField("审查结果说明", max_length=500, blank=True)
    closed_reason = models.CharField("撤回理由", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执转破"
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["court", "credit_code"], condition=Q(status__in=ACTIVE_TRANSFER_STATUSES),
                                    name="transfer_one_active_per_respondent"),
        ]
        indexes = [models.Index(fields=["court", "status"], name="transfer_court_status")]

    def __str__(self) -> str:
        return f"{self.respondent_name}（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_TRANSFER_STATUSES


class TransferCase(models.Model):
    """An enforcement case of the respondent moved with the transfer."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    transfer = models.ForeignKey(BankruptcyTransfer, on_delete=models.CASCADE, related_name="moved")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="bankruptcy_moves")
    open_when_moved = models.BooleanField("移送时在办", default=True)
    suspension = models.ForeignKey("supervision.Suspension", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "移送的执行案件"
        ordering = ["transfer", "case"]
        constraints = [models.UniqueConstraint(fields=["transfer", "case"], name="transfer_case_once")]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.case_id}"


class TransferDocument(models.Model):
    """A document of the transfer (征询意见书, 决定书, 中止执行裁定书, 告知函, 材料清单), stored by hash."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    transfer = models.ForeignKey(BankruptcyTransfer, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("文书", max_length=20, choices=TransferDocumentKind.choices)
    version = models.PositiveIntegerField("版本")
    file = models.ForeignKey("documents.DocumentFile", on_delete=models.PROTECT, related_name="+")
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = verbose_name_plural = "执转破文书"
        ordering = ["transfer", "kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["transfer", "kind", "version"], name="transfer_document_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} 第{self.version}版"
