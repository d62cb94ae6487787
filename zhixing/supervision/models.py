"""Supervision state: rule versions, court policy, each case's deadlines with their warning level,
locks and unlock requests, pauses and extensions, and the history of supervision runs.

Deadlines are derived rows, recomputed set-based by `engine.supervise`; what happens to a case
because of them (escalation, lock, unlock, pause, extension, re-base) goes into its execution log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .rules import RULES, SuspensionKind

RULE_CHOICES = [(rule.code, rule.name) for rule in RULES]
UNIT_CHOICES = [("days", "日"), ("working_days", "工作日"), ("months", "个月")]


class Level(models.IntegerChoices):
    """Graded warning (逐级预警)."""

    NONE = 0, "正常"
    YELLOW = 1, "黄色预警"
    ORANGE = 2, "橙色预警"
    RED = 3, "红色预警"


class Escalation(models.IntegerChoices):
    """Who a red warning has reached (限时督办)."""

    HANDLER = 0, "承办人"
    TEAM_LEAD = 1, "团队负责人"
    DIVISION_HEAD = 2, "执行局长/庭长"
    PRESIDENT = 3, "院长"


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", "进行中"
    MET = "met", "已完成"
    PAUSED = "paused", "暂停计算"
    VOID = "void", "已结案不再计算"


class RuleVersion(models.Model):
    """One version of a deadline rule: national (court empty) or a court's stricter own.

    Rows are never edited: a change is a new version. A case's deadline keeps the version it
    started under until an administrator re-bases it (logged)."""

    rule_code = models.CharField("规则", max_length=40, choices=RULE_CHOICES)
    court = models.ForeignKey("courts.Court", verbose_name="适用法院", null=True, blank=True, on_delete=models.PROTECT)
    version = models.PositiveIntegerField("版本")
    amount = models.PositiveIntegerField("期限")
    unit = models.CharField("单位", max_length=15, choices=UNIT_CHOICES)
    extra_days = models.PositiveIntegerField("另加日数", default=0)
    citation = models.CharField("依据", max_length=300)
    effective_from = models.DateField("生效日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("修改理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "期限规则版本"
        ordering = ["rule_code", "court", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule_code", "court", "version"], name="rule_version_unique"),
            models.UniqueConstraint(
                fields=["rule_code", "version"], condition=Q(court__isnull=True), name="rule_version_unique_national"
            ),
        ]

    def __str__(self) -> str:
        where = self.court.name if self.court_id else "全国"
        return f"{self.get_rule_code_display()} v{self.version}（{where}）{self.period_text}"

    @property
    def period_text(self) -> str:
        text = f"{self.amount}{self.get_unit_display()}"
        return text + (f"{self.extra_days}日" if self.extra_days else "")


class SupervisionPolicy(models.Model):
    """A court's supervision settings. Without a row the defaults below apply."""

    court = models.OneToOneField("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="supervision_policy")
    yellow_lead_days = models.PositiveSmallIntegerField("提前黄色预警天数", default=3)
    team_lead_after_days = models.PositiveSmallIntegerField("红色后升级至团队负责人（工作日）", default=2)
    division_head_after_days = models.PositiveSmallIntegerField("红色后升级至局长/庭长（工作日）", default=5)
    president_after_days = models.PositiveSmallIntegerField("红色后升级至院长（工作日）", default=10)
    # Locking counts red days from this date only: switching it on does not lock a backlog overnight.
    lock_from = models.DateField("程序锁死启用日期", null=True, blank=True, help_text="空：不锁定")
    lock_after_red_days = models.PositiveSmallIntegerField("红色超过N日锁定", default=15)
    lock_rules = models.CharField(
        "锁定适用的期限规则", max_length=400, blank=True, help_text="规则代码，逗号分隔；空：全部规则"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办设置"

    def __str__(self) -> str:
        return f"{self.court} 督办设置"


class DeadlineQuerySet(models.QuerySet):
    def warned(self) -> DeadlineQuerySet:
        """Deadlines with a warning. Say it whenever filtering by court, team or handler: only the
        partial indexes below cover those columns, and SQLite uses one only if the query says `level > 0`."""
        return self.filter(level__gt=Level.NONE)


class Deadline(models.Model):
    """One rule's current instance on one case (a repeating rule — clues, payouts, measures — keeps
    its oldest open instance here). `level` and `escalation` are as of the last supervision run.

    Eight rows per case, a province's millions of them written at the first run: so no index on a
    foreign key by itself (the unique (case, rule) serves the case; courts, teams and handlers are
    looked up only for warnings, through the partial indexes), and no database check of the case,
    court, team, handler and rule version — the engine writes them from the case row and the court's
    versions; PostgreSQL checking millions of them at commit took as long as the write."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, db_index=False, db_constraint=False)
    case = models.ForeignKey(
        "cases.EnforcementCase", on_delete=models.CASCADE, related_name="deadlines", db_index=False, db_constraint=False
    )
    rule_code = models.CharField("规则", max_length=40, choices=RULE_CHOICES)
    rule_version = models.ForeignKey(
        RuleVersion, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+", db_index=False,
        db_constraint=False,
    )
    team = models.ForeignKey(
        "courts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False,
        db_constraint=False,
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False,
        db_constraint=False,
    )
    start_on = models.DateField("起算日")
    due_on = models.DateField("届满日")
    met_on = models.DateField("完成日", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=DeadlineStatus.choices)
    paused_days = models.PositiveIntegerField("不计入天数", default=0)
    extension_months = models.PositiveSmallIntegerField("延长月数", default=0)
    level = models.PositiveSmallIntegerField("预警", choices=Level.choices, default=Level.NONE)
    escalation = models.PositiveSmallIntegerField("督办层级", choices=Escalation.choices, default=Escalation.HANDLER)
    red_since = models.DateField("红色起始", null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "案件期限"
        constraints = [models.UniqueConstraint(fields=["case", "rule_code"], name="deadline_unique_rule_per_case")]
        indexes = [
            models.Index(fields=["court", "level"], condition=Q(level__gt=0), name="deadline_court_warned"),
            models.Index(fields=["handler", "level"], condition=Q(level__gt=0), name="deadline_handler_warned"),
            models.Index(fields=["team", "level"], condition=Q(level__gt=0), name="deadline_team_warned"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.rule_code} {self.due_on}"


class DueDate(models.Model):
    """Memo of the calendar: the dates a rule version gives for a start date (plus pauses and
    extensions) under a policy. Filled for the distinct keys a run needs; cleared when holidays change."""

    rule_version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="+")
    policy_key = models.CharField(max_length=40)
    start_on = models.DateField()
    paused_days = models.PositiveIntegerField()
    extension_months = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    yellow_on = models.DateField()
    red_on = models.DateField()
    team_lead_on = models.DateField()
    division_head_on = models.DateField()
    president_on = models.DateField()
    lock_on = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule_version", "policy_key", "start_on", "paused_days", "extension_months"], name="due_date_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_version_id} {self.start_on} → {self.due_on}"


class Suspension(models.Model):
    """A period that does not count in the enforcement period (暂缓、中止、公告、评估、拍卖 …)."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="suspensions")
    kind = models.CharField("类型", max_length=20, choices=SuspensionKind.CHOICES)
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期", null=True, blank=True)
    reason = models.CharField("理由/文书", max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "不计入执行期限的期间"
        ordering = ["case", "start_on"]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")), name="suspension_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_on}–{self.end_on or ''}"


class Extension(models.Model):
    """延长执行期限: requested by the handler, approved by the president (or a vice-president)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="extensions")
    months = models.PositiveSmallIntegerField("延长月数")
    reason = models.CharField("理由", max_length=500)
    requested_on = models.DateField("申请日期")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "延长执行期限"
        ordering = ["case", "requested_on"]

    def __str__(self) -> str:
        return f"{self.case_id} 延长{self.months}个月（{self.get_status_display()}）"


class CaseLock(models.Model):
    """程序锁死: a case red for too long. Only the remedy may be done until an unlock is approved."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="locks")
    sequence = models.PositiveSmallIntegerField("第几次锁定")
    rule_codes = models.CharField("超期规则", max_length=300)  # comma-separated rule codes
    reason = models.CharField("锁定原因", max_length=500)
    locked_on = models.DateField("锁定日期")
    released_on = models.DateField("解锁日期", null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    relock_not_before = models.DateField("再次锁定不早于", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "程序锁死"
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="case_lock_unique_sequence"),
            models.UniqueConstraint(fields=["case"], condition=Q(released_on__isnull=True), name="case_lock_one_active"),
        ]
        indexes = [models.Index(fields=["court", "released_on"], name="case_lock_court_active")]

    def __str__(self) -> str:
        return f"{self.case} 第{self.sequence}次锁定"

    @property
    def is_active(self) -> bool:
        return self.released_on is None

    @property
    def needs_intermediate_court(self) -> bool:
        return self.sequence >= 2


class UnlockRequest(models.Model):
    """A request to unlock, with its reason; approved one level up (the intermediate court after a
    second lock)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT)
    lock = models.ForeignKey(CaseLock, on_delete=models.PROTECT, related_name="requests")
    reason = models.CharField("申请理由", max_length=500)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    approver_court = models.ForeignKey("courts.Court", verbose_name="审批法院", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "解锁申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["lock"], condition=Q(status="pending"), name="unlock_request_one_pending")
        ]

    def __str__(self) -> str:
        return f"{self.lock} 解锁申请（{self.get_status_display()}）"


class EscalationEvent(models.Model):
    """A red warning reaching the next person up (限时督办). Append-only, written in bulk by the run;
    the case's execution log records what changes the case itself (locks, unlocks, pauses …)."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, db_index=False, db_constraint=False)
    case = models.ForeignKey(
        "cases.EnforcementCase", on_delete=models.PROTECT, related_name="escalations", db_index=False, db_constraint=False
    )
    rule_code = models.CharField("规则", max_length=40, choices=RULE_CHOICES)
    escalation = models.PositiveSmallIntegerField("升级至", choices=Escalation.choices)
    due_on = models.DateField("届满日")
    as_of = models.DateField("基准日")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "督办升级记录"
        ordering = ["case", "at", "id"]
        # The first run writes a backlog's worth (a million rows): two indexes, no more.
        indexes = [
            models.Index(fields=["case", "at"], name="escalation_case_at"),
            models.Index(fields=["court", "as_of"], name="escalation_court_day"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.rule_code} → {self.get_escalation_display()}"


class SupervisionRun(models.Model):
    """One run of `zhixing supervise` (or of the single-case update), with what it changed."""

    as_of = models.DateField("基准日")
    started_at = models.DateTimeField("开始")
    seconds = models.FloatField("用时（秒）")  # a duration, not money
    scope = models.CharField("范围", max_length=20, default="all")
    deadlines_changed = models.PositiveIntegerField("期限变更", default=0)
    warnings_changed = models.PositiveIntegerField("预警变更", default=0)
    escalations = models.PositiveIntegerField("升级督办", default=0)
    locks = models.PositiveIntegerField("锁定", default=0)
    summary = models.CharField("摘要", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "督办运行记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.summary


class WarningSnapshot(models.Model):
    """Counts per court, team and day after a run: the big screen's "warnings over time"."""

    court = models.ForeignKey("courts.Court", on_delete=models.CASCADE)
    team = models.ForeignKey("courts.Team", null=True, blank=True, on_delete=models.CASCADE)
    day = models.DateField()
    yellow = models.PositiveIntegerField(default=0)
    orange = models.PositiveIntegerField(default=0)
    red = models.PositiveIntegerField(default=0)
    locked = models.PositiveIntegerField(default=0)
    open_cases = models.PositiveIntegerField(default=0)
    wuchao = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["court", "team", "day"], name="warning_snapshot_unique")]
        indexes = [models.Index(fields=["court", "day"], name="warning_snapshot_court_day")]

    def __str__(self) -> str:
        return f"{self.court_id}/{self.team_id} {self.day}"


class DailyDigest(models.Model):
    """A person's daily summary of the warnings that are theirs (每日督办摘要)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField()
    counts = models.JSONField(default=dict)
    body = models.TextField()

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="daily_digest_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
