"""Related cases and bundles (关联案件, 捆绑/打包执行).

A `Bundle` is a group of open cases found related by the detection run (`detection.relate`): one per
scope, kind and key, kept across runs so that its link and its hand-over history stay valid. Its
members (`BundleCase`) are derived data, replaced by each run; a bundle whose cases are no longer
related is marked dissolved, never deleted. Hand-overs (`BundleHandover`) are append-only history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import RelationKind


class Bundle(models.Model):
    """关联案件组. `scope_court` is the court whose cases it groups; for a cross-court bundle
    (`cross_court`) the intermediate court whose courts' cases it groups."""

    scope_court = models.ForeignKey("courts.Court", verbose_name="范围法院", on_delete=models.PROTECT, related_name="+")
    cross_court = models.BooleanField("跨院", default=False)
    kind = models.CharField("关联类型", max_length=30, choices=RelationKind.choices)
    # The identity number or credit code; name|birth date (possible); the asset id; for a mutual group
    # the smallest identity key among its parties.
    key = models.CharField("识别键", max_length=200)
    label = models.CharField("名称", max_length=200)
    case_count = models.PositiveIntegerField("案件数", default=0)
    court_count = models.PositiveSmallIntegerField("法院数", default=1)
    # The worklist's figures, as of the last run or hand-over (the bundle's own page counts them live):
    # a page of bundles must not add up a bank's thousands of cases on every view.
    claim_fen = models.BigIntegerField("标的合计（分）", default=0)
    outstanding_fen = models.BigIntegerField("未执行到位（分）", default=0)
    unassigned = models.PositiveIntegerField("未分案", default=0)
    teams = models.CharField("承办团队", max_length=300, blank=True)
    found_at = models.DateTimeField("发现时间")
    changed_at = models.DateTimeField("最近变动")
    dissolved_at = models.DateTimeField("解散时间", null=True, blank=True)  # no longer ≥ 2 related open cases
    last_handover = models.ForeignKey(
        "BundleHandover", verbose_name="最近交办", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "关联案件组"
        constraints = [
            models.UniqueConstraint(fields=["scope_court", "cross_court", "kind", "key"], name="bundle_unique_key"),
            models.CheckConstraint(condition=Q(case_count__gte=0), name="bundle_case_count_not_negative"),
        ]
        indexes = [
            # The worklist, biggest first: one court's active bundles; several courts' (a supervisor's)
            # by walking all active bundles in order, which finds a page at once.
            models.Index(fields=["scope_court", "-case_count", "id"], condition=Q(dissolved_at__isnull=True),
                         name="bundle_active_by_size"),
            models.Index(fields=["-case_count", "id"], condition=Q(dissolved_at__isnull=True), name="bundle_active_size"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.label}"

    @property
    def is_active(self) -> bool:
        return self.dissolved_at is None


class BundleCase(models.Model):
    """A case in a bundle (as of the last detection run). Carries the case's court (sharding by court)."""

    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="members")
    # Derived rows, rewritten by each run from the cases themselves: no database check on the case and
    # its copied court. On PostgreSQL each check would lock the case row (FOR KEY SHARE) at commit —
    # seconds for the first run's 400,000 rows — and cases are never deleted (their log protects them).
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", db_constraint=False)

    class Meta:
        verbose_name = verbose_name_plural = "关联案件组成员"
        constraints = [models.UniqueConstraint(fields=["bundle", "case"], name="bundle_case_unique")]
        indexes = [
            models.Index(fields=["case"], name="bundle_case_by_case"),
            models.Index(fields=["court", "bundle"], name="bundle_case_by_court"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.case_id}"


class BundleHandover(models.Model):
    """打包交办: a bundle's open cases of one court handed to one team in one transaction. Append-only:
    each case's own execution log also records its reassignment, with the bundle and the reason."""

    bundle = models.ForeignKey(Bundle, verbose_name="关联案件组", on_delete=models.PROTECT, related_name="handovers")
    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("courts.Team", verbose_name="承办团队", on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="交办人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("交办时间")
    reason = models.CharField("理由", max_length=500)
    # Case ids reassigned now; those already with this team and handler; those left alone, with why.
    reassigned = models.JSONField("改派案件", default=list)
    unchanged = models.JSONField("已由该团队承办", default=list)
    skipped = models.JSONField("未改派", default=list)  # [{"case_id", "case_number", "why"}]

    class Meta:
        verbose_name = verbose_name_plural = "打包交办记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["bundle", "-at"], name="bundle_handover_by_bundle")]

    def __str__(self) -> str:
        return f"{self.bundle_id} → {self.team_id} {self.at:%Y-%m-%d %H:%M}"


class RelateRun(models.Model):
    """One detection run (`zhixing relate`, nightly or from the page): what it looked at and changed."""

    court = models.ForeignKey("courts.Court", verbose_name="范围", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")  # None: every court
    started_at = models.DateTimeField("开始时间")
    seconds = models.FloatField("用时（秒）")
    open_cases = models.PositiveIntegerField("在办案件数")
    created = models.PositiveIntegerField("新增组")
    changed = models.PositiveIntegerField("变动组")
    dissolved = models.PositiveIntegerField("解散组")
    active = models.PositiveIntegerField("现有组")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "关联检测记录"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} +{self.created} ~{self.changed} -{self.dissolved}"
