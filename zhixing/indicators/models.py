"""Quality indicators (质效指标): the snapshots that keep past periods stable, each court's scorecard
weights, and the three records the indicators need that no other app keeps — petitions (信访),
reviews of enforcement acts (异议、复议、监督、国家赔偿) and disclosures (执行公开).

The indicators themselves are data in rules.py; their figures are computed set-based by engine.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import DisclosureKind, Grain, Level, PetitionChannel, ReviewKind, ReviewOutcome, RunKind
from .rules import INDICATOR_CHOICES, SCORED_CHOICES

# ---------------------------------------------------------------- records the indicators read


class Petition(models.Model):
    """执行信访: a petition or complaint about the enforcement of one case, from receipt to 办结."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", on_delete=models.PROTECT, related_name="petitions")
    reference = models.CharField("信访编号", max_length=60, blank=True, help_text="同一编号只登记一次")
    channel = models.CharField("信访方式", max_length=12, choices=PetitionChannel.choices, default=PetitionChannel.VISIT)
    received_on = models.DateField("收到日期")
    closed_on = models.DateField("办结日期", null=True, blank=True)
    summary = models.CharField("信访事项", max_length=300)
    outcome = models.CharField("办理结果", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结登记人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "执行信访"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["court", "reference"], condition=~Q(reference=""),
                                    name="petition_reference_unique_per_court"),
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("received_on")),
                                   name="petition_closed_after_received"),
        ]
        indexes = [
            models.Index(fields=["court", "received_on"], name="petition_court_received"),
            models.Index(fields=["court", "closed_on"], name="petition_court_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} {self.summary[:20]}"


class ConductReview(models.Model):
    """The outcome of a review of an enforcement act (执行行为): objection, review, supervision, or a
    state-compensation decision. 撤销 or 变更 counts in 执行行为撤改率; 决定赔偿 in 国家赔偿率."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="执行案件", on_delete=models.PROTECT,
                             related_name="conduct_reviews")
    kind = models.CharField("审查类型", max_length=20, choices=ReviewKind.choices)
    outcome = models.CharField("审查结果", max_length=20, choices=ReviewOutcome.choices)
    decided_on = models.DateField("决定日期")
    document_number = models.CharField("文书号", max_length=60, blank=True, help_text="同一文书号只登记一次")
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "执行行为审查结果"
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["court", "document_number"], condition=~Q(document_number=""),
                                    name="conduct_review_document_unique_per_court"),
            # A compensation outcome belongs to a compensation claim, and only to it.
            models.CheckConstraint(
                condition=(Q(kind=ReviewKind.STATE_COMPENSATION)
                           & Q(outcome__in=[ReviewOutcome.COMPENSATED, ReviewOutcome.NOT_COMPENSATED]))
                | (~Q(kind=ReviewKind.STATE_COMPENSATION)
                   & Q(outcome__in=[ReviewOutcome.UPHELD, ReviewOutcome.REVOKED, ReviewOutcome.CHANGED])),
                name="conduct_review_outcome_fits_kind",
            ),
        ]
        indexes = [models.Index(fields=["court", "decided_on"], name="conduct_review_court_decided")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_outcome_display()} {self.decided_on}"


class Disclosure(models.Model):
    """执行公开: something of the case made public or told to the parties, on a date."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="disclosures")
    kind = models.CharField("公开事项", max_length=20, choices=DisclosureKind.choices)
    disclosed_on = models.DateField("公开日期")
    reference = models.CharField("公开载体或网址", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "执行公开记录"
        ordering = ["-disclosed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "disclosed_on"], name="disclosure_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.disclosed_on}"


# ---------------------------------------------------------------- scorecard weights


class ScorecardWeight(models.Model):
    """One indicator's weight and scoring line in a court's scorecard. Rows are never edited: a change
    adds a row, the latest per indicator counts, so every past scheme can be shown with who set it and why.

    A court without rows uses its higher court's scheme, and at the top the defaults of rules.py."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField("指标", max_length=40, choices=SCORED_CHOICES)
    weight = models.PositiveSmallIntegerField("权重（分值）")
    full_at = models.DecimalField("满分值", max_digits=9, decimal_places=2)
    zero_at = models.DecimalField("零分值", max_digits=9, decimal_places=2)
    set_at = models.DateTimeField("设置时间")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, on_delete=models.PROTECT,
                               related_name="+")
    reason = models.CharField("理由", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "评分权重"
        ordering = ["court", "indicator", "-set_at", "-id"]
        indexes = [models.Index(fields=["court", "indicator", "set_at"], name="weight_court_indicator")]
        constraints = [models.CheckConstraint(condition=~Q(full_at=models.F("zero_at")), name="weight_line_not_flat")]

    def __str__(self) -> str:
        return f"{self.court_id} {self.indicator} {self.weight}"


# ---------------------------------------------------------------- snapshots


class SnapshotRun(models.Model):
    """One run of `zhixing indicators snapshot` or `recompute`: when, by whom, why, what it wrote."""

    kind = models.CharField("类型", max_length=10, choices=RunKind.choices)
    as_of = models.DateField("数据截至")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    periods = models.CharField("期间", max_length=2000, blank=True)
    rows = models.PositiveIntegerField("写入行数", default=0)
    changed = models.PositiveIntegerField("数值变化行数", default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("理由", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标快照运行记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.as_of}"


class SnapshotPeriod(models.Model):
    """A month, quarter or year whose figures are kept. `final`: taken after the period ended — the
    nightly run leaves it alone; only `zhixing indicators recompute` (with a reason) replaces it."""

    grain = models.CharField("期间类型", max_length=10, choices=Grain.choices)
    start = models.DateField("起始日")
    end = models.DateField("截止日")
    as_of = models.DateField("数据截至")
    final = models.BooleanField("已定稿", default=False)
    computed_at = models.DateTimeField("计算时间")
    run = models.ForeignKey(SnapshotRun, verbose_name="运行", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "快照期间"
        ordering = ["-start", "grain"]
        constraints = [
            models.UniqueConstraint(fields=["grain", "start"], name="snapshot_period_unique"),
            models.CheckConstraint(condition=~Q(grain=Grain.RANGE), name="snapshot_period_not_range"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.start}–{self.end}"


class IndicatorSnapshot(models.Model):
    """One indicator's figures for one scope (a court, a team or a handler) and one kept period.
    value = numerator ÷ denominator × the indicator's scale (None when the denominator is 0)."""

    period = models.ForeignKey(SnapshotPeriod, on_delete=models.PROTECT, related_name="rows")
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    # The court, team or user id the row is for (with `level`): unique and cheap to index, where
    # nullable team/handler columns would not be unique in SQL.
    scope_id = models.BigIntegerField("对象")
    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    team = models.ForeignKey("courts.Team", null=True, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                db_constraint=False)
    indicator = models.CharField("指标", max_length=40, choices=INDICATOR_CHOICES)
    numerator = models.BigIntegerField("分子")
    denominator = models.BigIntegerField("分母")
    value = models.DecimalField("指标值", max_digits=16, decimal_places=4, null=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标快照"
        constraints = [
            models.UniqueConstraint(fields=["period", "level", "scope_id", "indicator"], name="indicator_snapshot_unique"),
        ]
        indexes = [
            models.Index(fields=["period", "level", "court"], name="snapshot_period_level_court"),
            models.Index(fields=["level", "scope_id", "indicator"], name="snapshot_scope_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.level}:{self.scope_id} {self.numerator}/{self.denominator}"
