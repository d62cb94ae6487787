"""Forms of the measures, clues and investigations panels. They parse what a clerk typed; the rules
are checked once, by the services (measures.py, clues.py), whose errors appear next to the field."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhixing.cases.choices import PartyRole
from zhixing.cases.forms import DateInput, DomainErrorsMixin, YuanField

from .models import (
    Asset,
    AuditStatus,
    ClueOutcome,
    ClueSource,
    FoundVia,
    LeadOutcome,
    LeadSource,
    MeasureKind,
)
from .rules import ASSET_KIND_CHOICES, ASSET_KINDS

# One input per detail field name across the kinds; the service says which ones a kind needs.
DETAIL_FIELDS: dict[str, tuple[str, str]] = {}
for _kind in ASSET_KINDS.values():
    for _field in _kind.fields:
        DETAIL_FIELDS.setdefault(_field.name, (_field.label, _field.kind))


def _today_initial(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].initial = timezone.localdate()


class AssetDetailFields:
    """The detail fields of every asset kind, prefixed d_; the page shows the chosen kind's only."""

    def add_detail_fields(self) -> None:
        for name, (label, kind) in DETAIL_FIELDS.items():
            self.fields[f"d_{name}"] = forms.CharField(label=label + ("（元）" if kind == "money" and "元" not in label else ""),
                                                       required=False, max_length=200)
        self.error_fields = {**getattr(self, "error_fields", {}), **{name: f"d_{name}" for name in DETAIL_FIELDS}}

    def details(self) -> dict:
        return {name: self.cleaned_data.get(f"d_{name}", "") for name in DETAIL_FIELDS}

    def detail_fields(self):
        return [self[f"d_{name}"] for name in DETAIL_FIELDS]

    def detail_rows(self) -> list[tuple]:
        """(field, the kinds that use it)."""
        return [
            (self[f"d_{name}"], " ".join(k.code for k in ASSET_KINDS.values() if any(f.name == name for f in k.fields)))
            for name in DETAIL_FIELDS
        ]


class AssetForm(AssetDetailFields, DomainErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label="财产类别", choices=ASSET_KIND_CHOICES)
    owner_party = forms.ModelChoiceField(label="权利人（被执行人）", queryset=None, empty_label=None)
    found_on = forms.DateField(label="发现日期", widget=DateInput())
    found_via = forms.ChoiceField(label="发现途径", choices=FoundVia.choices, initial=FoundVia.ONSITE)
    note = forms.CharField(label="说明", required=False, max_length=300)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, prefix="asset", **kwargs)
        self.fields["owner_party"].queryset = case.parties.filter(role=PartyRole.RESPONDENT)
        self.add_detail_fields()
        _today_initial(self, "found_on")


class MeasureForm(DomainErrorsMixin, forms.Form):
    asset = forms.ModelChoiceField(label="财产", queryset=None, empty_label=None)
    kind = forms.ChoiceField(label="措施", choices=MeasureKind.choices)
    started_on = forms.DateField(label="起始日", widget=DateInput())
    amount = YuanField(label="金额（元，扣划必填）")
    document_number = forms.CharField(label="文书号", required=False, max_length=60)
    queue_rank = forms.IntegerField(label="顺位", min_value=1, initial=1)
    ahead = forms.CharField(label="在先查封（法院、案号）", required=False, max_length=200)

    error_fields = {"amount_fen": "amount"}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, prefix="measure", **kwargs)
        self.fields["asset"].queryset = Asset.objects.filter(case_links__case=case).order_by("id")
        self.fields["asset"].label_from_instance = lambda a: a.description
        _today_initial(self, "started_on")


class RenewForm(DomainErrorsMixin, forms.Form):
    started_on = forms.DateField(label="续行生效日（空：原期限届满次日）", required=False, widget=DateInput())
    document_number = forms.CharField(label="文书号", required=False, max_length=60)


class ReleaseForm(DomainErrorsMixin, forms.Form):
    released_on = forms.DateField(label="解除日期", widget=DateInput())
    reason = forms.CharField(label="解除理由", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "released_on")


class LapseForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label="说明", required=False, max_length=300, initial="期限届满未续行")


class ClueForm(DomainErrorsMixin, forms.Form):
    source = forms.ChoiceField(label="来源", choices=ClueSource.choices)
    provider = forms.CharField(label="提供人", required=False, max_length=100)
    asset_kind = forms.ChoiceField(label="财产类别", required=False, choices=[("", "—"), *ASSET_KIND_CHOICES])
    description = forms.CharField(label="线索内容", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    urgent = forms.BooleanField(label="紧急（3日内核查）", required=False)
    received_on = forms.DateField(label="收到日期", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="clue", **kwargs)
        _today_initial(self, "received_on")


class ClueVerifyForm(AssetDetailFields, DomainErrorsMixin, forms.Form):
    """The verification, and — when the clue proved true — the asset it led to, registered at once."""

    outcome = forms.ChoiceField(label="核查结果", choices=[c for c in ClueOutcome.choices if c[0] != ClueOutcome.PENDING])
    verified_on = forms.DateField(label="核查日期", widget=DateInput())
    note = forms.CharField(label="核查说明", max_length=500)
    kind = forms.ChoiceField(label="登记财产（属实时）", required=False,
                             choices=[("", "不在此登记"), *ASSET_KIND_CHOICES])
    owner_party = forms.ModelChoiceField(label="权利人（被执行人）", queryset=None, required=False, empty_label=None)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "verified_on")
        parties = case.parties.filter(role=PartyRole.RESPONDENT) if case is not None else None
        if parties is not None:
            self.fields["owner_party"].queryset = parties
        else:
            del self.fields["owner_party"], self.fields["kind"]
        self.add_detail_fields()

    def asset(self) -> dict | None:
        """The service's `asset` argument, or None when no asset is registered with the verification."""
        kind = self.cleaned_data.get("kind")
        if not kind:
            return None
        return {"kind": kind, "details": self.details(), "owner_party": self.cleaned_data.get("owner_party")}


class LawyerOrderForm(DomainErrorsMixin, forms.Form):
    number = forms.CharField(label="调查令编号", max_length=60)
    lawyer = forms.CharField(label="律师", max_length=50)
    law_firm = forms.CharField(label="律师事务所", max_length=100)
    licence_number = forms.CharField(label="执业证号", max_length=30)
    target = forms.CharField(label="调查对象（单位）", max_length=200)
    scope = forms.CharField(label="调查事项", max_length=500)
    issued_on = forms.DateField(label="签发日期", widget=DateInput())
    valid_until = forms.DateField(label="有效期至", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="lawyer", **kwargs)
        _today_initial(self, "issued_on")


class LawyerReturnForm(DomainErrorsMixin, forms.Form):
    returned_on = forms.DateField(label="交回日期", widget=DateInput())
    result = forms.CharField(label="调查结果", max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "returned_on")


class AuditApplyForm(DomainErrorsMixin, forms.Form):
    party = forms.ModelChoiceField(label="被审计人", queryset=None, empty_label=None)
    applied_on = forms.DateField(label="申请日期", widget=DateInput())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, prefix="audit", **kwargs)
        self.fields["party"].queryset = case.parties.filter(role=PartyRole.RESPONDENT)
        _today_initial(self, "applied_on")


class AuditDecideForm(DomainErrorsMixin, forms.Form):
    decision = forms.ChoiceField(label="决定", choices=[(AuditStatus.GRANTED, "准许审计"), (AuditStatus.REFUSED, "不予准许")])
    decided_on = forms.DateField(label="决定日期", widget=DateInput())
    auditor = forms.CharField(label="审计机构", required=False, max_length=100)
    fee = YuanField(label="审计费用（元，申请人预交）")
    reason = forms.CharField(label="理由", required=False, max_length=500)

    error_fields = {"fee_fen": "fee"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "decided_on")


class AuditFinishForm(DomainErrorsMixin, forms.Form):
    result = forms.CharField(label="审计结论", max_length=1000)
    evasion_found = forms.BooleanField(label="查实规避执行", required=False)
    finished_on = forms.DateField(label="完成日期", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "finished_on")


class LeadForm(DomainErrorsMixin, forms.Form):
    party = forms.ModelChoiceField(label="被执行人", queryset=None, empty_label=None)
    source = forms.ChoiceField(label="来源", choices=LeadSource.choices)
    content = forms.CharField(label="线索内容", max_length=1000)
    received_on = forms.DateField(label="收到日期", widget=DateInput())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, prefix="lead", **kwargs)
        self.fields["party"].queryset = case.parties.filter(role=PartyRole.RESPONDENT)
        _today_initial(self, "received_on")


class LeadOutcomeForm(DomainErrorsMixin, forms.Form):
    outcome = forms.ChoiceField(label="结果", choices=[c for c in LeadOutcome.choices if c[0] != LeadOutcome.PENDING])
    outcome_on = forms.DateField(label="结果日期", widget=DateInput())
    note = forms.CharField(label="结果说明", max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "outcome_on")

