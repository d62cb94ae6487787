"""Triage (繁简分流) and assignment (分案): a court's rules as data in versions, the facts a clerk
records by hand (tags), every triage decision of a case (append-only), judges' absences, and the
designation of a new case to another basic court by the intermediate court (指定执行).

Every case-owned table carries `court` directly (sharding by court). Nothing here is edited in
place: a court's rules are saved as a new version, a decision is followed by the next one, a tag
is removed by recording who removed it and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhixing.cases.choices import Track
from zhixing.courts.choices import TeamType

from .choices import OPEN_TRANSFER_STATUSES, ConditionKind, DecisionSource, Tag, TransferStatus


class TriagePolicy(models.Model):
    """A court's triage rules and assignment weights (繁简分流与分案设置). Saving makes a new version;
    a decision points at the version whose rule decided it, so old decisions stay explainable."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("版本")
    default_track = models.CharField("无规则命中时", max_length=10, choices=Track.choices, default=Track.ORDINARY)
    weight_fast = models.PositiveSmallIntegerField("快执案件权重", default=1)
    weight_ordinary = models.PositiveSmallIntegerField("普执案件权重", default=2)
    weight_special = models.PositiveSmallIntegerField("特执案件权重", default=3)
    note = models.CharField("修改说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("修改时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "繁简分流设置"
        ordering = ["court", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["court", "version"], name="triage_policy_unique_version"),
            models.CheckConstraint(condition=Q(weight_fast__gte=1, weight_ordinary__gte=1, weight_special__gte=1),
                                   name="triage_policy_weights_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.court} 第{self.version}版"

    @property
    def weights(self) -> dict[str, int]:
        return {Track.FAST: self.weight_fast, Track.ORDINARY: self.weight_ordinary, Track.SPECIAL: self.weight_special}


class TriageRule(models.Model):
    """One rule of a version, in order: the first whose condition holds decides the track."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(TriagePolicy, verbose_name="版本", on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField("顺序")
    kind = models.CharField("条件", max_length=30, choices=ConditionKind.choices)
    params = models.JSONField("参数", default=dict, blank=True)  # rules.CONDITIONS[kind].params; amounts in fen
    track = models.CharField("分流至", max_length=10, choices=Track.choices)
    team_type = models.CharField("优先团队类型", max_length=20, choices=TeamType.choices, blank=True)
    reason = models.CharField("理由", max_length=300)
    citation = models.CharField("依据", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "繁简分流规则"
        ordering = ["policy", "position"]
        constraints = [models.UniqueConstraint(fields=["policy", "position"], name="triage_rule_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()} → {self.get_track_display()}"


class CaseTag(models.Model):
    """案件标记 (涉金融、被执行人下落不明…) set by the registering clerk or the judge. A removed tag
    keeps its row with who removed it and why."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="triage_tags")
    tag = models.CharField("标记", max_length=30, choices=Tag.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="标记人", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("标记时间")
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField("撤销时间", null=True, blank=True)
    removal_reason = models.CharField("撤销理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件标记"
        ordering = ["case", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "tag"], condition=Q(removed_at__isnull=True), name="case_tag_once"),
        ]
        indexes = [models.Index(fields=["court", "tag"], condition=Q(removed_at__isnull=True), name="case_tag_court_active")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_tag_display()}"

    @property
    def active(self) -> bool:
        return self.removed_at is None


class TriageDecision(models.Model):
    """分流决定: which track, decided by which rule (or by whom), on which facts. Append-only: the
    latest row of a case is in force; an override stays until a judge clears it."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="triage_decisions")
    track = models.CharField("分流", max_length=10, choices=Track.choices)
    team_type = models.CharField("优先团队类型", max_length=20, choices=TeamType.choices, blank=True)
    source = models.CharField("方式", max_length=10, choices=DecisionSource.choices)
    # The version whose rules were applied; null: the shipped default rules (rules.DEFAULT_RULES).
    policy = models.ForeignKey(TriagePolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The rule as it read when it decided ({position, kind, params, track, reason, citation, text});
    # for an override, what the rules said at the time. Empty position: no rule matched (default track).
    rule = models.JSONField("规则", default=dict, blank=True)
    facts = models.JSONField("案件情况", default=dict)
    reason = models.CharField("理由", max_length=500, blank=True)  # the override's reason, or what triggered re-triage
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")  # null: the system applied the rules
    decided_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "分流决定"
        ordering = ["case", "id"]
        indexes = [models.Index(fields=["case", "-id"], name="triage_decision_case_latest")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_track_display()}（{self.get_source_display()}）"

    @property
    def is_override(self) -> bool:
        return self.source == DecisionSource.OVERRIDE


class Absence(models.Model):
    """A judge away (leave, training, secondment): no new cases in the period; the open ones may be
    spread over the team."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="法官", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "法官不在岗"
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start")]
        indexes = [models.Index(fields=["court", "ends_on"], name="absence_court_ends")]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_on}—{self.ends_on}"


class CaseTransfer(models.Model):
    """指定执行 of a new case from one basic court to another by their intermediate court (统一执行中心
    均衡调配, seed 001 case 12). The case keeps its court and number: the receiving court registers its
    own 执 case and the original is closed as 销案 (法明传〔2018〕335号 point 3; rules.TRANSFER_CITATION)."""

    court = models.ForeignKey("courts.Court", verbose_name="原执行法院", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="原案", on_delete=models.PROTECT,
                             related_name="transfers_out")
    to_court = models.ForeignKey("courts.Court", verbose_name="受指定法院", on_delete=models.PROTECT, related_name="+")
    ordering_court = models.ForeignKey("courts.Court", verbose_name="决定法院", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=TransferStatus.choices, default=TransferStatus.ORDERED)
    reason = models.CharField("理由", max_length=500)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField("决定时间")
    new_case = models.OneToOneField("cases.EnforcementCase", verbose_name="新案", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="transfer_in")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    registered_at = models.DateTimeField("立案时间", null=True, blank=True)
    finished_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # closed the original, or withdrew the order
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    finish_note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指定执行（均衡调配）"
        ordering = ["-ordered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status__in=OPEN_TRANSFER_STATUSES),
                                    name="case_transfer_one_open"),
            models.CheckConstraint(condition=~Q(court=models.F("to_court")), name="case_transfer_other_court"),
        ]
        indexes = [
            models.Index(fields=["court", "status"], name="transfer_from_status"),
            models.Index(fields=["to_court", "status"], name="transfer_to_status"),
            models.Index(fields=["ordering_court", "status"], name="transfer_ordering_status"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_court_id}（{self.get_status_display()}）"
