"""Forms of the documents pages: generating one document (with the kind's extra inputs), marking it
signed or sealed, uploading a court template, and choosing the cases of a batch."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from zhixing.cases.choices import CaseStatus, Stage
from zhixing.cases.exceptions import FieldError, ValidationFailed
from zhixing.cases.forms import DateInput, DomainErrorsMixin
from zhixing.cases.models import EnforcementCase
from zhixing.courts.models import Team

from .models import DocumentTemplate
from .rules import DOCUMENT_KINDS, KIND_CHOICES
from .services import MAX_TEMPLATE_BYTES


class GenerateForm(DomainErrorsMixin, forms.Form):
    """The kind, the template version (default: the court's current one) and the kind's extras,
    named extras.<name> by the service — `error_fields` maps them back here."""

    kind = forms.ChoiceField(label="文书", choices=KIND_CHOICES)
    template = forms.TypedChoiceField(label="模板版本", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, case: EnforcementCase, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        kind = (self.data.get("kind") if self.is_bound else kind) or kind
        self.spec = DOCUMENT_KINDS.get(kind or "") or next(iter(DOCUMENT_KINDS.values()))
        self.fields["kind"].initial = self.spec.code
        versions = DocumentTemplate.objects.filter(Q(court__isnull=True) | Q(court_id=case.court_id), kind=self.spec.code)
        self.fields["template"].choices = [("", "本院当前使用的模板")] + [
            (t.pk, f"{'内置' if t.court_id is None else '本院'}第{t.version}版{'（已停用）' if t.withdrawn_at else ''}")
            for t in sorted(versions, key=lambda t: (t.court_id is None, -t.version))
        ]
        self.error_fields = {}
        for extra in self.spec.extras:
            name = f"x_{extra.name}"
            self.error_fields[extra.name] = name
            if extra.kind == "date":
                field = forms.DateField(widget=DateInput())
            elif extra.kind == "measure":
                from zhixing.property.models import ControlMeasure

                measures = ControlMeasure.objects.filter(case=case).select_related("asset").order_by("-started_on", "-id")
                field = forms.ChoiceField(choices=[("", "最近一项有效措施")] + [
                    (m.pk, f"{m.get_kind_display()} {m.asset.description}（{m.get_status_display()}）") for m in measures])
            elif extra.kind == "party":
                field = forms.ChoiceField(choices=[("", "第一被执行人")] + [
                    (p.pk, f"{p.get_role_display()} {p.name}") for p in case.parties.order_by("role", "position", "id")])
            else:
                field = forms.CharField(max_length=200)
            field.label, field.required, field.help_text = extra.label, extra.required, extra.help
            self.fields[name] = field

    def extras(self) -> dict:
        """The raw extras for the service (it checks and converts them)."""
        out = {}
        for extra in self.spec.extras:
            value = self.cleaned_data.get(f"x_{extra.name}")
            if value not in (None, ""):
                out[extra.name] = value.isoformat() if hasattr(value, "isoformat") else value
        return out

    def extra_fields(self):
        return [self[f"x_{e.name}"] for e in self.spec.extras]


class MarkForm(DomainErrorsMixin, forms.Form):
    signed = forms.BooleanField(label="已签名", required=False)
    sealed = forms.BooleanField(label="已加盖院印", required=False)
    note = forms.CharField(label="说明", required=False, max_length=200)


KNOWN_FIELDS_PREFIX = "可用字段："  # services.template_upload's second error: every known field


class TemplateUploadForm(DomainErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label="文书", choices=KIND_CHOICES)
    file = forms.FileField(label="Word 模板（.docx）")
    note = forms.CharField(label="版本说明", required=False, max_length=300)
    error_fields = {"file": "file"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_TEMPLATE_BYTES:  # refused before it is read into memory
            raise forms.ValidationError(f"模板文件超过 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB")
        return upload

    def add_domain_error(self, exc) -> None:
        """An unknown field is named next to the file; the known ones are not repeated there as one
        long line: they are the page's 字段说明 list."""
        if isinstance(exc, ValidationFailed) and any(e.message.startswith(KNOWN_FIELDS_PREFIX) for e in exc.errors):
            exc = ValidationFailed([
                FieldError(e.field, "可用字段见本页下方“字段说明”") if e.message.startswith(KNOWN_FIELDS_PREFIX) else e
                for e in exc.errors
            ], message=exc.message)
        super().add_domain_error(exc)


class BatchForm(DomainErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label="文书", choices=KIND_CHOICES, initial="enforcement_notice")
    filed_from = forms.DateField(label="立案日期从", widget=DateInput())
    filed_to = forms.DateField(label="至", widget=DateInput())
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *CaseStatus.choices],
                               initial=CaseStatus.OPEN)
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部"), *Stage.choices])
    team = forms.ModelChoiceField(label="团队", required=False, queryset=Team.objects.none(), empty_label="全部")
    with_pdf = forms.BooleanField(label="同时生成 PDF", required=False)

    def __init__(self, *args, court_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(court_id=court_id, active=True).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("filed_from") and data.get("filed_to") and data["filed_from"] > data["filed_to"]:
            self.add_error("filed_to", "结束日期早于开始日期")
        return data

    def describe(self) -> str:
        d = self.cleaned_data
        parts = [f"立案日期 {d['filed_from']:%Y-%m-%d} 至 {d['filed_to']:%Y-%m-%d}"]
        if d.get("status"):
            parts.append(CaseStatus(d["status"]).label)
        if d.get("stage"):
            parts.append(f"{Stage(d['stage']).label}阶段")
        if d.get("team"):
            parts.append(d["team"].name)
        return "，".join(parts)
