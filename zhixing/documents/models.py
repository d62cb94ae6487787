"""Templates, generated documents and batches. A generated document is a record: who generated which
template version for which case when, with the file's hash; regenerating makes a new version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .rules import DOCUMENT_KINDS, KIND_CHOICES


class DocumentFile(models.Model):
    """File content, stored once per SHA-256 (the same template bytes or the same PDF is one row)."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveIntegerField("字节数")
    content = models.BinaryField("内容")
    created_at = models.DateTimeField("存入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "文书文件"

    def __str__(self) -> str:
        return self.sha256[:12]


class DocumentTemplate(models.Model):
    """A version of a template: built-in (court empty) or a court's own upload. Versions are never
    changed or deleted; the newest usable one of a court is used, else the newest built-in one."""

    kind = models.CharField("文书", max_length=40, choices=KIND_CHOICES)
    court = models.ForeignKey("courts.Court", verbose_name="法院", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    version = models.PositiveIntegerField("版本")
    file = models.ForeignKey(DocumentFile, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    note = models.CharField("说明", max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")
    withdrawn_at = models.DateTimeField("停用时间", null=True, blank=True)  # stops being the default; stays usable by choice
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "文书模板"
        ordering = ["kind", "court", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "court", "version"], name="template_unique_court_version"),
            models.UniqueConstraint(fields=["kind", "version"], condition=Q(court__isnull=True),
                                    name="template_unique_builtin_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}（{self.owner_label}）"

    @property
    def title(self) -> str:
        return DOCUMENT_KINDS[self.kind].title

    @property
    def owner_label(self) -> str:
        return "内置" if self.court_id is None else self.court.name

    @property
    def is_builtin(self) -> bool:
        return self.court_id is None


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class DocumentBatch(models.Model):
    """One document for every case of a selection, made by a background job with progress."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("文书", max_length=40, choices=KIND_CHOICES)
    selection = models.CharField("选择条件", max_length=300)
    case_ids = models.JSONField("案件", default=list)  # frozen at creation: the selection does not drift
    total = models.PositiveIntegerField("案件数")
    done_count = models.PositiveIntegerField("已生成", default=0)
    skipped = models.JSONField("未生成", default=list)  # [{"case_id": pk, "case": number, "reason": …}]
    status = models.CharField("状态", max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    error = models.CharField("错误", max_length=500, blank=True)
    with_pdf = models.BooleanField("同时生成PDF", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("发起时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "批量生成"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.total}"

    @property
    def percent(self) -> int:
        handled = self.done_count + len(self.skipped)
        return 100 if not self.total else min(100, handled * 100 // self.total)

    @property
    def finished(self) -> bool:
        return self.status in (BatchStatus.DONE, BatchStatus.FAILED)


class GeneratedDocument(models.Model):
    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书", max_length=40, choices=KIND_CHOICES)
    version = models.PositiveIntegerField("版本")  # 1, 2, … per case and kind
    title = models.CharField("标题", max_length=100)
    number = models.CharField("文书号", max_length=60)
    template = models.ForeignKey(DocumentTemplate, verbose_name="模板", on_delete=models.PROTECT, related_name="+")
    file = models.ForeignKey(DocumentFile, on_delete=models.PROTECT, related_name="+")  # file_id is the SHA-256
    pdf = models.ForeignKey(DocumentFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    extras = models.JSONField("填写内容", default=dict, blank=True)  # the values typed in for this document
    batch = models.ForeignKey(DocumentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", on_delete=models.PROTECT,
                                     related_name="+")
    generated_at = models.DateTimeField("生成时间")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField("签名时间", null=True, blank=True)
    sealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    sealed_at = models.DateTimeField("用印时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "生成的文书"
        ordering = ["case", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "version"], name="document_unique_version"),
            # a batch makes at most one document per case: a retried batch skips what it made
            models.UniqueConstraint(fields=["batch", "case"], condition=Q(batch__isnull=False),
                                    name="document_once_per_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.title} 第{self.version}版"

    @property
    def sha256(self) -> str:
        return self.file_id

    @property
    def spec(self):
        return DOCUMENT_KINDS[self.kind]

    @property
    def missing_marks(self) -> list[str]:
        """What the defect check will still find missing: 院印, 签名."""
        out = []
        if self.spec.needs_seal and not self.sealed_at:
            out.append("院印")
        if self.spec.needs_signature and not self.signed_at:
            out.append(self.spec.signature_label)
        return out
