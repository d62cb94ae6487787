"""Forms of the indicator pages: the filter bar (which court, team or handler, which period), the
records a clerk enters (petitions, review outcomes, disclosures, an import file) and the scorecard
weights. They parse; the services check the rules and their refusals appear next to the fields."""

from __future__ import annotations

from django import forms

from zhixing.cases.exceptions import FieldError, ValidationFailed
from zhixing.cases.forms import DateInput, DomainErrorsMixin
from zhixing.cases.models import EnforcementCase

from .choices import DisclosureKind, Group, PetitionChannel, ReviewKind, ReviewOutcome
from .imports import KINDS
from .rules import INDICATORS, SCORECARD_GROUPS, SCORED_CODES


class FilterForm(forms.Form):
    """The filter bar of every indicator page (GET)."""

    court = forms.IntegerField(required=False, widget=forms.HiddenInput)
    team = forms.IntegerField(required=False)
    handler = forms.IntegerField(required=False)
    region = forms.BooleanField(label="含辖区法院", required=False)
    period = forms.CharField(label="期间", required=False, max_length=40)
    start = forms.DateField(label="自", required=False, widget=DateInput())
    end = forms.DateField(label="至", required=False, widget=DateInput())


def case_for(court_id: int | None, case_number: str) -> EnforcementCase:
    """The court's case of that number, or a field error naming 案号."""
    from zhixing.cases import casenumbers

    text = (case_number or "").strip()
    try:
        text = str(casenumbers.parse_case_number(text))
    except ValueError:
        pass  # looked up as typed; not found below if it is no case number
    cases = EnforcementCase.objects.filter(case_number=text)
    case = (cases if court_id is None else cases.filter(court_id=court_id)).first()
    if case is None:
        raise ValidationFailed([FieldError("case_number", f"本院没有案件 {text or '（空）'}")])
    return case


class RecordForm(DomainErrorsMixin, forms.Form):
    case_number = forms.CharField(label="案号", max_length=40, help_text="如（2026）京0108执123号")


class PetitionForm(RecordForm):
    received_on = forms.DateField(label="收到日期", widget=DateInput())
    channel = forms.ChoiceField(label="信访方式", choices=PetitionChannel.choices, initial=PetitionChannel.VISIT)
    reference = forms.CharField(label="信访编号", max_length=60, required=False, help_text="同一编号只登记一次")
    summary = forms.CharField(label="信访事项", max_length=300)
    closed_on = forms.DateField(label="办结日期", required=False, widget=DateInput(), help_text="已办结的可同时填写")
    outcome = forms.CharField(label="办理结果", max_length=300, required=False)


class PetitionCloseForm(DomainErrorsMixin, forms.Form):
    closed_on = forms.DateField(label="办结日期", widget=DateInput())
    outcome = forms.CharField(label="办理结果", max_length=300)


class ReviewForm(RecordForm):
    kind = forms.ChoiceField(label="审查类型", choices=ReviewKind.choices)
    outcome = forms.ChoiceField(label="审查结果", choices=ReviewOutcome.choices)
    decided_on = forms.DateField(label="决定日期", widget=DateInput())
    document_number = forms.CharField(label="文书号", max_length=60, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)


class DisclosureForm(RecordForm):
    kind = forms.ChoiceField(label="公开事项", choices=DisclosureKind.choices)
    disclosed_on = forms.DateField(label="公开日期", widget=DateInput())
    reference = forms.CharField(label="公开载体或网址", max_length=200, required=False)


class ImportForm(DomainErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label="记录类别", choices=[(k, label) for k, (label, _cols) in KINDS.items()])
    file = forms.FileField(label="文件（CSV 或 XLSX）")


class WeightsForm(DomainErrorsMixin, forms.Form):
    """Nine lines — weight, full marks at, zero marks at — and the reason for the change."""

    reason = forms.CharField(label="调整理由", max_length=300, help_text="如：依据本院《执行工作考核办法》（2026年）")

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        for code in SCORED_CODES:
            line = scheme.lines[code] if scheme else None
            unit = INDICATORS[code].unit_label
            self.fields[f"{code}__weight"] = forms.IntegerField(label="权重", min_value=0, max_value=100,
                                                                initial=line.weight if line else None)
            self.fields[f"{code}__full_at"] = forms.DecimalField(label=f"满分值（{unit}）", max_digits=9, decimal_places=2,
                                                                 initial=line.full_at if line else None)
            self.fields[f"{code}__zero_at"] = forms.DecimalField(label=f"零分值（{unit}）", max_digits=9, decimal_places=2,
                                                                 initial=line.zero_at if line else None)

    def rows(self, scheme):
        """(group label on a group's first row, indicator, weight, full and zero fields, where the line in
        force was set) for the template."""
        rows = []
        for group, codes in SCORECARD_GROUPS:
            for index, code in enumerate(codes):
                court = scheme.set_by_court.get(code)
                rows.append((Group(group).label if index == 0 else "", INDICATORS[code], self[f"{code}__weight"],
                             self[f"{code}__full_at"], self[f"{code}__zero_at"], court.name if court else "默认值"))
        return rows

    def lines(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {code: {"weight": data[f"{code}__weight"], "full_at": data[f"{code}__full_at"],
                       "zero_at": data[f"{code}__zero_at"]} for code in SCORED_CODES}

    def add_domain_error(self, exc) -> None:
        errors = exc.errors if isinstance(exc, ValidationFailed) else [FieldError("", exc.message)]
        for error in errors:
            name = error.field.replace(".", "__")
            self.add_error(name if name in self.fields else None, error.message)
