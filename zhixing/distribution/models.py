"""参与分配: the plans sharing one case's proceeds among the creditors of the same respondent.

A `DistributionPlan` is one version of the plan for one case (the case whose account holds the
proceeds). Only a draft is edited. Once served, a version is never changed: amending it, or an
objection upheld, makes the next version and this one is superseded. Its `DistributionLine`s say who
is owed what and gets what; `DistributionObjection`s record the objections and how each was dealt with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .choices import (
    OPEN_PLAN_STATUSES,
    Method,
    ObjectionStatus,
    PlanStatus,
    PriorityKind,
    Tier,
)


class DistributionPlan(models.Model):
    """财产分配方案（第N版）."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="distribution_plans")
    version = models.PositiveSmallIntegerField("版本")
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    proceeds_fen = models.BigIntegerField("可供分配金额（分）")
    distributed_fen = models.BigIntegerField("分配合计（分）", default=0)
    method = models.CharField("普通债权受偿方式", max_length=12, choices=Method.choices)
    method_citation = models.CharField("依据", max_length=200)
    reason = models.CharField("制作或修改理由", max_length=500, blank=True)
    supersedes = models.OneToOneField("self", verbose_name="取代的版本", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    served_on = models.DateField("送达日期", null=True, blank=True)
    objection_due = models.DateField("异议期限", null=True, blank=True)
    finalised_on = models.DateField("生效日期", null=True, blank=True)
    executed_at = models.DateTimeField("执行时间", null=True, blank=True)
    executed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请发放人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制作人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("制作时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "财产分配方案"
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="distribution_plan_unique_version"),
            models.UniqueConstraint(fields=["case"], condition=Q(status__in=OPEN_PLAN_STATUSES),
                                    name="distribution_one_open_plan_per_case"),
            models.CheckConstraint(condition=Q(proceeds_fen__gt=0), name="distribution_plan_proceeds_positive"),
            models.CheckConstraint(condition=Q(distributed_fen__gte=0, distributed_fen__lte=F("proceeds_fen")),
                                   name="distribution_plan_distributes_at_most_the_proceeds"),
            models.CheckConstraint(condition=Q(status__in=(PlanStatus.DRAFT, PlanStatus.WITHDRAWN))
                                   | Q(served_on__isnull=False, objection_due__isnull=False),
                                   name="distribution_plan_served_has_date"),
        ]
        indexes = [
            # the plans whose objection period runs (a "due for finalising" list is a range query)
            models.Index(fields=["court", "objection_due"], condition=Q(status=PlanStatus.SERVED),
                         name="distribution_plan_window"),
        ]

    def __str__(self) -> str:
        return f"{self.case} 财产分配方案第{self.version}版"

    @property
    def surplus_fen(self) -> int:
        """What is left after every claim is paid in full (returned to the respondent)."""
        return self.proceeds_fen - self.distributed_fen


class DistributionLine(models.Model):
    """One creditor's (or one cost's) place in the plan: what is claimed and what it gets."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", db_index=False)
    plan = models.ForeignKey(DistributionPlan, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField("序号")
    tier = models.CharField("受偿顺序", max_length=10, choices=Tier.choices)
    priority_kind = models.CharField("优先权类别", max_length=15, choices=PriorityKind.choices, blank=True)
    rank = models.PositiveSmallIntegerField("优先顺位", null=True, blank=True)
    basis = models.CharField("依据或说明", max_length=300, blank=True)
    creditor_name = models.CharField("债权人（费用项目）", max_length=100)
    creditor_case = models.ForeignKey("cases.EnforcementCase", verbose_name="债权人案件", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    creditor_case_number = models.CharField("案号", max_length=40, blank=True)
    claim_fen = models.BigIntegerField("债权额（分）")
    share_fen = models.BigIntegerField("分配金额（分）", default=0)
    seized_on = models.DateField("查封（冻结、扣押）日期", null=True, blank=True)
    retained = models.BooleanField("本院收取（不发放）", default=False,
                                   help_text="执行费等由本院收取的费用：款项留在案款账户，由财务结算，不生成付款单")
    payee_name = models.CharField("收款人", max_length=100, blank=True)
    payee_account = models.CharField("收款账号", max_length=40, blank=True)
    payee_bank = models.CharField("开户行", max_length=100, blank=True)
    order = models.ForeignKey("money.PayoutOrder", verbose_name="付款单", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    withheld_by = models.ForeignKey("DistributionObjection", verbose_name="因诉讼暂缓发放", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="withheld_lines")

    class Meta:
        verbose_name = verbose_name_plural = "分配明细"
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="distribution_line_unique_position"),
            models.CheckConstraint(condition=Q(claim_fen__gt=0), name="distribution_line_claim_positive"),
            models.CheckConstraint(condition=Q(share_fen__gte=0, share_fen__lte=F("claim_fen")),
                                   name="distribution_line_share_within_claim"),
            models.CheckConstraint(condition=~Q(tier=Tier.PRIORITY) | Q(rank__gte=1),
                                   name="distribution_line_priority_has_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.creditor_name} {self.get_tier_display()}"

    @property
    def is_withheld(self) -> bool:
        return self.withheld_by_id is not None and self.withheld_by.status == ObjectionStatus.SUIT


class DistributionObjection(models.Model):
    """分配方案异议: lodged by a creditor or the respondent within the period, then the others are told
    and may oppose; unopposed, the plan is amended; opposed, the objector may sue, else the plan stands."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", db_index=False)
    plan = models.ForeignKey(DistributionPlan, on_delete=models.PROTECT, related_name="objections")
    objector_name = models.CharField("异议人", max_length=100)
    lodged_on = models.DateField("提出日期")
    text = models.TextField("异议内容", max_length=2000)
    status = models.CharField("处理结果", max_length=12, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.PENDING)
    notified_on = models.DateField("通知其他当事人日期", null=True, blank=True)
    opposition_due = models.DateField("反对意见期限", null=True, blank=True)
    opposer_name = models.CharField("反对人", max_length=100, blank=True)
    opposed_on = models.DateField("反对意见通知异议人日期", null=True, blank=True)
    suit_due = models.DateField("起诉期限", null=True, blank=True)
    decided_on = models.DateField("处理日期", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decision_note = models.CharField("处理说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "分配方案异议"
        ordering = ["plan", "lodged_on", "id"]

    def __str__(self) -> str:
        return f"{self.objector_name}对{self.plan}的异议"
