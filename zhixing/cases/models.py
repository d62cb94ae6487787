"""The case spine: an enforcement case, its parties, basis and claim, its flow nodes and its execution log.

Every case-owned table carries `court` directly so that a national deployment can shard by court.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    CaseStatus,
    CaseType,
    ClaimKind,
    ClosingType,
    LogAction,
    PartyKind,
    PartyRole,
    RegistrationSource,
    Stage,
    Track,
)


class CaseNumberSequence(models.Model):
    """The last sequence number used per court, year and case type (法〔2015〕137号 Arts 9–10)."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    case_type = models.CharField(max_length=4, choices=CaseType.choices)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "案号序号"
        constraints = [
            models.UniqueConstraint(fields=["court", "year", "case_type"], name="case_number_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.court_id} {self.year} {self.case_type} #{self.last_value}"


class ImportBatch(models.Model):
    """One imported file. The file's hash makes a repeated import a no-op (all-or-nothing, idempotent)."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT)
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField("文件摘要", max_length=64)
    case_count = models.PositiveIntegerField("案件数")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT)

    class Meta:
        verbose_name = verbose_name_plural = "导入批次"
        constraints = [models.UniqueConstraint(fields=["court", "file_sha256"], name="import_batch_unique_file")]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.case_count} 件）"


class EnforcementCase(models.Model):
    """执行案件. Dates ending in `_due` are stored deadlines, recomputed by the services that change their inputs."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="cases")
    case_number = models.CharField("案号", max_length=40, unique=True)
    case_type = models.CharField("案件类型", max_length=4, choices=CaseType.choices, default=CaseType.FIRST)
    year = models.PositiveSmallIntegerField("收案年度")
    sequence = models.PositiveIntegerField("序号")
    filed_on = models.DateField("立案日期")
    origin_case = models.ForeignKey(
        "self", verbose_name="原案", null=True, blank=True, on_delete=models.PROTECT, related_name="restored_cases"
    )

    stage = models.CharField("阶段", max_length=10, choices=Stage.choices, default=Stage.QUERY)
    status = models.CharField("状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    track = models.CharField("分流", max_length=10, choices=Track.choices, blank=True)
    team = models.ForeignKey("courts.Team", verbose_name="承办团队", null=True, blank=True, on_delete=models.PROTECT)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    claim_amount_fen = models.BigIntegerField("申请执行标的（分）", default=0)
    performed_amount_fen = models.BigIntegerField("实际执行到位（分）", default=0)
    # Denormalised for the worklist: kept in step by the services that change parties.
    applicant_names = models.CharField("申请执行人", max_length=500, blank=True)
    respondent_names = models.CharField("被执行人", max_length=500, blank=True)

    closing_type = models.CharField("结案方式", max_length=20, choices=ClosingType.choices, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    archived_on = models.DateField("归档日期", null=True, blank=True)

    assign_due = models.DateField("分案期限", null=True, blank=True)
    notice_due = models.DateField("执行通知期限", null=True, blank=True)
    close_due = models.DateField("结案期限", null=True, blank=True)
    archive_due = models.DateField("归档期限", null=True, blank=True)

    source = models.CharField("登记来源", max_length=10, choices=RegistrationSource.choices, default=RegistrationSource.FORM)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="立案人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "执行案件"
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["court", "year", "case_type", "sequence"], name="case_sequence_unique"),
            models.CheckConstraint(condition=Q(claim_amount_fen__gte=0), name="case_claim_not_negative"),
            models.CheckConstraint(condition=Q(performed_amount_fen__gte=0), name="case_performed_not_negative"),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.OPEN, closing_type="", closed_on__isnull=True)
                | (~Q(status=CaseStatus.OPEN) & ~Q(closing_type="") & Q(closed_on__isnull=False)),
                name="case_closed_iff_closing_recorded",
            ),
        ]
        indexes = [
            models.Index(fields=["court", "status", "stage"], name="case_court_status_stage"),
            models.Index(fields=["court", "-filed_on", "-id"], name="case_court_filed"),
            models.Index(fields=["court", "handler", "status"], name="case_court_handler"),
            models.Index(fields=["court", "team", "status"], name="case_court_team"),
            models.Index(fields=["court", "claim_amount_fen"], name="case_court_amount"),
            models.Index(fields=["close_due"], condition=Q(status=CaseStatus.OPEN), name="case_open_close_due"),
        ]

    def __str__(self) -> str:
        return self.case_number

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class ExecutionBasis(models.Model):
    """执行依据: the effective judgment, ruling, mediation or arbitral award being enforced."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT)
    case = models.OneToOneField(EnforcementCase, on_delete=models.CASCADE, related_name="basis")
    document_number = models.CharField("依据文书号", max_length=60)
    issuing_court = models.CharField("作出机关", max_length=100)
    effective_on = models.DateField("生效日期")
    main_text = models.TextField("判决主文", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执行依据"

    def __str__(self) -> str:
        return self.document_number


class Party(models.Model):
    """当事人 of one case. The same person in another case is another row, matched by ID number."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField("诉讼地位", max_length=12, choices=PartyRole.choices)
    kind = models.CharField("当事人类型", max_length=20, choices=PartyKind.choices)
    name = models.CharField("姓名/名称", max_length=100)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    birth_on = models.DateField("出生日期", null=True, blank=True)
    legal_representative = models.CharField("法定代表人/负责人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "当事人"
        ordering = ["case", "position"]
        indexes = [
            models.Index(fields=["court", "id_number"], name="party_court_id_number"),
            models.Index(fields=["court", "credit_code"], name="party_court_credit_code"),
            # Covering for the worklist's name search (name LIKE '%…%' per court): the index alone is read.
            models.Index(fields=["court", "name", "case"], name="party_court_name_case"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=PartyKind.NATURAL_PERSON) | Q(credit_code=""), name="party_person_has_no_credit_code"
            ),
            models.CheckConstraint(
                condition=Q(kind=PartyKind.NATURAL_PERSON) | Q(id_number=""), name="party_unit_has_no_id_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identity_number(self) -> str:
        return self.id_number or self.credit_code

    @property
    def masked_identity(self) -> str:
        number = self.identity_number
        return f"{number[:6]}********{number[-4:]}" if len(number) == 18 else number


class ClaimItem(models.Model):
    """One item of the claim (标的) in integer fen."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField("类别", max_length=20, choices=ClaimKind.choices)
    amount_fen = models.BigIntegerField("金额（分）")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请执行标的"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gte=0), name="claim_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen} 分"


class NodeRecord(models.Model):
    """A flow node recorded on a case. Never edited: a correction is another node with a reason."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.CASCADE, related_name="node_records")
    node_code = models.CharField("节点", max_length=40)  # a code of rules.NODES; kept as data, not choices
    occurred_on = models.DateField("发生日期")
    recorded_at = models.DateTimeField("记录时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "流程节点记录"
        ordering = ["case", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["court", "node_code", "occurred_on"], name="node_court_code_date"),
            # Covering for supervision's one pass over each case's nodes: the index alone is read.
            models.Index(fields=["case", "node_code", "occurred_on"], name="node_case_code_date"),
        ]

    def __str__(self) -> str:
        return f"{self.node_code} {self.occurred_on}"


class LogEntry(models.Model):
    """执行日志: append-only. Each entry hashes its content and the previous entry's hash.

    The database refuses UPDATE and DELETE on this table (triggers in migration 0002).
    """

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="log_entries")
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("操作人", max_length=50)
    action = models.CharField("操作", max_length=20, choices=LogAction.choices)
    node_code = models.CharField("节点", max_length=40, blank=True)
    summary = models.CharField("摘要", max_length=300)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.CharField("理由", max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "执行日志"
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="log_entry_unique_seq")]
        indexes = [models.Index(fields=["court", "at"], name="log_court_at")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.summary}"


class DataAccessLog(models.Model):
    """Who looked up whose personal data, when and why (查询个人信息留痕)."""

    court = models.ForeignKey("courts.Court", null=True, on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    case = models.ForeignKey(EnforcementCase, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("查询方式", max_length=20)  # case_view, party_search, api_case_view …
    query = models.CharField("查询内容", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "个人信息查询记录"
        indexes = [models.Index(fields=["court", "at"], name="access_court_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
