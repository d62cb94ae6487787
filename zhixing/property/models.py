"""Property investigation and control: what was asked of whom, what was found, and what is held.

An `Asset` is one thing in the world (a flat, an account) and may be found in many cases, of many
courts; `CaseAsset` says it was found in a case. Everything a court does to it is a `ControlMeasure`
of one case. Rows are never deleted: a measure is released or renewed, a query is answered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .rules import ASSET_KIND_CHOICES, Group


class ChecklistSetting(models.Model):
    """A court's own 5+X+Y list: which items it uses and in which order (the national list is the default)."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("事项代码", max_length=40)
    name = models.CharField("事项", max_length=50)
    group = models.CharField("类别", max_length=10, choices=list(Group.LABELS.items()))
    agency_kind = models.CharField("协查单位类别", max_length=40, blank=True)
    network = models.BooleanField("经网络查控", default=True)
    position = models.PositiveSmallIntegerField("排序", default=0)
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "查控清单设置"
        ordering = ["court", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["court", "code"], name="checklist_setting_unique")]

    def __str__(self) -> str:
        return f"{self.court} {self.name}"


class QueryState(models.TextChoices):
    NOT_SENT = "not_sent", "未发送"
    SENT = "sent", "已发送"
    NONE = "replied_none", "反馈无财产"
    FOUND = "replied_found", "反馈有财产"
    FAILED = "failed", "查询失败"


class QueryBatch(models.Model):
    """One request file to one kind of agency (集约查控): many cases' respondents at once."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("批次号", max_length=40, unique=True)
    agency_kind = models.CharField("协查单位类别", max_length=40)
    item_code = models.CharField("查控事项", max_length=40)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("发起时间")
    request_file = models.CharField("请求文件", max_length=300, blank=True)
    requests = models.PositiveIntegerField("查询数", default=0)
    replied = models.PositiveIntegerField("已反馈数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "查控批次"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["court", "-created_at"], name="query_batch_court_created")]

    def __str__(self) -> str:
        return self.number


class PropertyQuery(models.Model):
    """One checklist item asked about one respondent of one case: sent, answered, or failed."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="property_queries")
    party = models.ForeignKey("cases.Party", verbose_name="被执行人", on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField("查控事项", max_length=40)
    identity_number = models.CharField("证件号码", max_length=18)  # as sent: replies are matched by it
    name = models.CharField("姓名/名称", max_length=100)
    batch = models.ForeignKey(QueryBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="queries")
    state = models.CharField("状态", max_length=20, choices=QueryState.choices, default=QueryState.SENT)
    sent_on = models.DateField("发送日期", null=True, blank=True)
    replied_on = models.DateField("反馈日期", null=True, blank=True)
    result_note = models.CharField("反馈说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "财产查询"
        ordering = ["case", "item_code", "id"]
        indexes = [
            models.Index(fields=["case", "item_code"], name="query_case_item"),
            models.Index(fields=["batch", "identity_number"], name="query_batch_identity"),
            models.Index(fields=["court", "item_code", "identity_number"], name="query_court_item_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.item_code} {self.get_state_display()}"


class ReplyImport(models.Model):
    """An agency's reply file, imported whole or not at all; the same file again changes nothing."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(QueryBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间")
    rows = models.PositiveIntegerField("行数", default=0)
    queries_answered = models.PositiveIntegerField("反馈查询数", default=0)
    assets_found = models.PositiveIntegerField("发现财产数", default=0)
    report = models.JSONField("导入报告", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "反馈文件导入"
        ordering = ["-imported_at"]
        constraints = [models.UniqueConstraint(fields=["court", "sha256"], name="reply_import_once_per_court")]

    def __str__(self) -> str:
        return self.file_name


class Asset(models.Model):
    """A thing found: the same flat is one row however many cases and courts find it."""

    kind = models.CharField("财产类别", max_length=30, choices=ASSET_KIND_CHOICES)
    identity_key = models.CharField("识别键", max_length=200)  # kind's identity fields joined, normalised
    owner_name = models.CharField("权利人", max_length=100)
    owner_identity = models.CharField("权利人证件号码", max_length=18)
    details = models.JSONField("财产信息", default=dict)  # the kind's fields (rules.ASSET_KINDS)
    value_fen = models.BigIntegerField("金额/价值（分）", null=True, blank=True)  # balance, market value…
    value_on = models.DateField("金额日期", null=True, blank=True)
    description = models.CharField("摘要", max_length=300)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "财产"
        constraints = [models.UniqueConstraint(fields=["kind", "identity_key"], name="asset_unique_identity")]
        indexes = [models.Index(fields=["owner_identity"], name="asset_owner_identity")]

    def __str__(self) -> str:
        return self.description


class FoundVia(models.TextChoices):
    NETWORK = "network_query", "网络查控"
    CLUE = "clue", "财产线索"
    REPORT = "property_report", "被执行人报告"
    ONSITE = "onsite", "现场调查"
    LAWYER = "lawyer_order", "律师调查令"
    AUDIT = "audit", "审计"
    OTHER = "other", "其他"


class CaseAsset(models.Model):
    """An asset found in a case (for its respondent)."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="case_assets")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="case_links")
    found_on = models.DateField("发现日期")
    found_via = models.CharField("发现途径", max_length=20, choices=FoundVia.choices)
    query = models.ForeignKey(PropertyQuery, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clue = models.ForeignKey("Clue", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件财产"
        ordering = ["case", "found_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "asset"], name="case_asset_unique")]
        indexes = [models.Index(fields=["asset", "case"], name="case_asset_by_asset")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.asset_id}"


class MeasureKind(models.TextChoices):
    FREEZE = "freeze", "冻结"
    SEAL = "seal", "查封"
    DETAIN = "detain", "扣押"
    DEDUCT = "deduct", "扣划"


class MeasureStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    QUEUED = "queued", "轮候"
    RENEWED = "renewed", "已续行"  # superseded by its renewal
    RELEASED = "released", "已解除"
    LAPSED = "lapsed", "到期失效"
    DONE = "done", "已扣划"


OPEN_MEASURE_STATUSES = (MeasureStatus.ACTIVE, MeasureStatus.QUEUED)  # still holding (or waiting for) the asset


class ControlMeasure(models.Model):
    """冻结/查封/扣押/扣划 of one asset in one case. A renewal is a new row pointing at the one it renews."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="control_measures")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField("措施", max_length=10, choices=MeasureKind.choices)
    period_class = models.CharField("期限类别", max_length=20, blank=True)  # rules.PERIOD_CLASSES; "" for a deduction
    started_on = models.DateField("起始日")
    ends_on = models.DateField("法定届满日", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=MeasureStatus.choices)
    queue_rank = models.PositiveSmallIntegerField("顺位", default=1)  # 1 = first; 2… = 轮候
    ahead = models.CharField("在先查封", max_length=200, blank=True)  # who is ahead (another court's measure)
    amount_fen = models.BigIntegerField("金额（分）", null=True, blank=True)  # freeze limit, or the sum deducted
    document_number = models.CharField("文书号", max_length=60, blank=True)
    renewal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal")
    ended_on = models.DateField("终止日", null=True, blank=True)  # released, lapsed or renewed on
    end_reason = models.CharField("终止原因", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "控制措施"
        ordering = ["case", "started_on", "id"]
        indexes = [
            models.Index(fields=["case", "status"], name="measure_case_status"),
            models.Index(fields=["asset", "status", "queue_rank"], name="measure_asset_queue"),
            models.Index(fields=["court", "ends_on"], condition=Q(status="active"), name="measure_active_ends"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__isnull=True) | Q(amount_fen__gte=0), name="measure_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.asset_id}"


class ClueSource(models.TextChoices):
    APPLICANT = "applicant", "申请执行人"
    PUBLIC = "public", "社会公众（举报）"
    LAWYER = "lawyer_order", "律师调查令"
    AUDIT = "audit", "审计"
    OTHER = "other", "其他"


class ClueOutcome(models.TextChoices):
    PENDING = "pending", "待核查"
    FOUND = "found", "属实，发现财产"
    NOT_FOUND = "not_found", "不属实"
    UNUSABLE = "unusable", "无法核查"


class Clue(models.Model):
    """财产线索 from the applicant or the public, verified within 7 days (urgent 3)."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="clues")
    source = models.CharField("来源", max_length=20, choices=ClueSource.choices)
    provider = models.CharField("提供人", max_length=100, blank=True)
    asset_kind = models.CharField("财产类别", max_length=30, choices=ASSET_KIND_CHOICES, blank=True)
    description = models.CharField("线索内容", max_length=1000)
    urgent = models.BooleanField("紧急", default=False)
    received_on = models.DateField("收到日期")
    verify_due = models.DateField("核查期限")
    outcome = models.CharField("核查结果", max_length=20, choices=ClueOutcome.choices, default=ClueOutcome.PENDING)
    verified_on = models.DateField("核查日期", null=True, blank=True)
    outcome_note = models.CharField("核查说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "财产线索"
        ordering = ["case", "received_on", "id"]
        indexes = [models.Index(fields=["court", "outcome", "verify_due"], name="clue_court_pending")]

    def __str__(self) -> str:
        return self.description[:40]


class LawyerOrder(models.Model):
    """律师调查令: the applicant's lawyer investigates at an agency on the court's order."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="lawyer_orders")
    number = models.CharField("调查令编号", max_length=60)
    lawyer = models.CharField("律师", max_length=50)
    law_firm = models.CharField("律师事务所", max_length=100)
    licence_number = models.CharField("执业证号", max_length=30)
    target = models.CharField("调查对象（单位）", max_length=200)
    scope = models.CharField("调查事项", max_length=500)
    issued_on = models.DateField("签发日期")
    valid_until = models.DateField("有效期至")
    returned_on = models.DateField("交回日期", null=True, blank=True)
    result = models.CharField("调查结果", max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "律师调查令"
        ordering = ["case", "issued_on", "id"]

    def __str__(self) -> str:
        return self.number


class AuditStatus(models.TextChoices):
    APPLIED = "applied", "已申请"
    GRANTED = "granted", "准许审计"
    REFUSED = "refused", "不予准许"
    DONE = "done", "审计完成"


class AuditInvestigation(models.Model):
    """审计执行: an auditor examines a company respondent's finances on the applicant's written application."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="audits")
    party = models.ForeignKey("cases.Party", verbose_name="被审计人", on_delete=models.PROTECT, related_name="+")
    applied_on = models.DateField("申请日期")
    decide_due = models.DateField("决定期限")
    status = models.CharField("状态", max_length=10, choices=AuditStatus.choices, default=AuditStatus.APPLIED)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    auditor = models.CharField("审计机构", max_length=100, blank=True)
    fee_fen = models.BigIntegerField("审计费用（分）", null=True, blank=True)
    evasion_found = models.BooleanField("查实规避执行", null=True, blank=True)
    result = models.CharField("审计结论", max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "审计调查"
        ordering = ["case", "applied_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} 审计"


class LeadSource(models.TextChoices):
    POLICE = "police", "公安协查"
    GRID = "grid_worker", "网格员"
    BIG_DATA = "big_data", "大数据（定位、消费记录）"
    APPLICANT = "applicant", "申请执行人"
    OTHER = "other", "其他"


class LeadOutcome(models.TextChoices):
    PENDING = "pending", "待核实"
    LOCATED = "located", "已找到"
    NOT_LOCATED = "not_located", "未找到"


class PersonLead(models.Model):
    """A lead to where a respondent is (查人), with its source and what came of it."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.CASCADE, related_name="person_leads")
    party = models.ForeignKey("cases.Party", verbose_name="被执行人", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("来源", max_length=20, choices=LeadSource.choices)
    content = models.CharField("线索内容", max_length=1000)
    received_on = models.DateField("收到日期")
    outcome = models.CharField("结果", max_length=20, choices=LeadOutcome.choices, default=LeadOutcome.PENDING)
    outcome_on = models.DateField("结果日期", null=True, blank=True)
    outcome_note = models.CharField("结果说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "查人线索"
        ordering = ["case", "received_on", "id"]

    def __str__(self) -> str:
        return self.content[:40]


