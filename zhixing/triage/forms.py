"""Forms of the triage and assignment pages. Amounts are typed in 元 and cleaned to integer fen
(`YuanField`, never float); the services check the rules and name the field that broke one."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhixing.cases.choices import CaseType, Track
from zhixing.cases.forms import DateInput, DomainErrorsMixin, YuanField
from zhixing.cases.models import EnforcementCase
from zhixing.courts.choices import CourtLevel, TeamType
from zhixing.courts.models import Court

from .choices import SPECIAL_SUBJECTS, ConditionKind, Tag
from .rules import CONDITIONS, MAX_WEIGHT, PRESETS
from .selectors import UnassignedFilter

TEAM_TYPE_CHOICES = [("", "（按分流）"), *[(t.value, t.label) for t in (
    TeamType.FAST, TeamType.EXECUTION_110, TeamType.ORDINARY, TeamType.SPECIAL, TeamType.TERMINATION)]]

# ---------------------------------------------------------------- on the case page


class OverrideForm(DomainErrorsMixin, forms.Form):
    track = forms.ChoiceField(label="改定为", choices=Track.choices)
    team_type = forms.ChoiceField(label="优先团队类型", choices=TEAM_TYPE_CHOICES, required=False)
    reason = forms.CharField(label="理由（必填）", max_length=500, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "如：涉众案件，需特执团队办理"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="triage-override", **kwargs)


class ClearOverrideForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="triage-clear", **kwargs)


class TagForm(DomainErrorsMixin, forms.Form):
    tag = forms.ChoiceField(label="标记", choices=Tag.choices)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="triage-tag", **kwargs)


class TagRemoveForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label="撤销理由（必填）", max_length=300, required=False)

    def __init__(self, *args, tag_id: int, **kwargs):
        super().__init__(*args, prefix=f"triage-untag-{tag_id}", **kwargs)


# ---------------------------------------------------------------- the assignment worklist


class UnassignedFilterForm(forms.Form):
    track = forms.ChoiceField(label="分流", required=False, choices=[("", "全部"), *Track.choices])
    overdue = forms.BooleanField(label="只看超过分案期限的", required=False)
    filed_from = forms.DateField(label="立案日期从", required=False, widget=DateInput())
    filed_to = forms.DateField(label="至", required=False, widget=DateInput())
    case_number = forms.CharField(label="案号", required=False, max_length=40)

    def to_filter(self) -> UnassignedFilter:
        if not self.is_valid():
            return UnassignedFilter()
        d = self.cleaned_data
        return UnassignedFilter(track=d["track"], overdue=d["overdue"], filed_from=d["filed_from"],
                                filed_to=d["filed_to"], case_number=d["case_number"])


class AbsenceForm(DomainErrorsMixin, forms.Form):
    starts_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="结束日期", widget=DateInput())
    reason = forms.CharField(label="事由", max_length=300, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "休假、培训、借调……"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="absence", **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()


class ReassignForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label="改派理由（必填）", max_length=300, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "如：休产假"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="reassign", **kwargs)


# ---------------------------------------------------------------- the rules page


class PolicyForm(DomainErrorsMixin, forms.Form):
    default_track = forms.ChoiceField(label="无规则命中时分流至", choices=Track.choices)
    weight_fast = forms.IntegerField(label="快执案件权重", min_value=1, max_value=MAX_WEIGHT)
    weight_ordinary = forms.IntegerField(label="普执案件权重", min_value=1, max_value=MAX_WEIGHT)
    weight_special = forms.IntegerField(label="特执案件权重", min_value=1, max_value=MAX_WEIGHT)
    note = forms.CharField(label="修改说明", max_length=500, required=False)

    error_fields = {"fast": "weight_fast", "ordinary": "weight_ordinary", "special": "weight_special"}

    def weights(self) -> dict[str, int]:
        d = self.cleaned_data
        return {Track.FAST: d["weight_fast"], Track.ORDINARY: d["weight_ordinary"], Track.SPECIAL: d["weight_special"]}


class RuleForm(forms.Form):
    """One row of the rule editor. Only the parameters of the chosen condition are used."""

    position = forms.IntegerField(label="顺序", min_value=1, max_value=99, required=False)
    kind = forms.ChoiceField(label="条件", choices=[("", "（删除此行）"), *ConditionKind.choices], required=False)
    amount = YuanField(label="金额（元）")
    count = forms.IntegerField(label="人数", min_value=2, max_value=1000, required=False)
    percent = forms.IntegerField(label="百分比", min_value=1, max_value=1000, required=False)
    subjects = forms.MultipleChoiceField(label="特殊主体", required=False, widget=forms.CheckboxSelectMultiple,
                                         choices=[(s.value, s.label) for s in SPECIAL_SUBJECTS])
    case_types = forms.MultipleChoiceField(label="案件类型", required=False, widget=forms.CheckboxSelectMultiple,
                                           choices=[(t, t) for t in (CaseType.FIRST, CaseType.RESTORED, CaseType.PRESERVATION)])
    track = forms.ChoiceField(label="分流至", choices=Track.choices, required=False)
    team_type = forms.ChoiceField(label="优先团队", choices=TEAM_TYPE_CHOICES, required=False)
    reason = forms.CharField(label="理由", max_length=300, required=False)
    citation = forms.CharField(label="依据", max_length=300, required=False)

    def rule(self) -> dict | None:
        """{kind, params, track, team_type, reason, citation}, or None for an empty (deleted) row."""
        d = self.cleaned_data
        kind = d.get("kind")
        if not kind:
            return None
        params: dict = {}
        for param in CONDITIONS[kind].params:
            if param.kind == "fen":
                params[param.name] = d.get("amount")
            elif param.kind == "count":
                params[param.name] = d.get("count")
            elif param.kind == "percent":
                params[param.name] = d.get("percent") or 100
            elif param.kind == "subjects":
                params[param.name] = list(d.get("subjects") or [])
            elif param.kind == "case_types":
                params[param.name] = list(d.get("case_types") or [])
        return {"kind": kind, "params": params, "track": d.get("track") or "", "team_type": d.get("team_type") or "",
                "reason": d.get("reason") or "", "citation": d.get("citation") or ""}


RuleFormSet = forms.formset_factory(RuleForm, extra=2, max_num=30)


def rule_initial(rules) -> list[dict]:
    rows = []
    for position, rule in enumerate(rules, start=1):
        p = dict(rule.params)
        amount = p.get("max_fen", p.get("min_fen"))
        rows.append({
            "position": position, "kind": rule.kind, "track": rule.track, "team_type": rule.team_type,
            "reason": rule.reason, "citation": rule.citation,
            "amount": f"{amount // 100}.{amount % 100:02d}" if amount is not None else "",
            "count": p.get("count"), "percent": p.get("percent"),
            "subjects": p.get("subjects") or [], "case_types": p.get("case_types") or [],
        })
    return rows


class PresetForm(forms.Form):
    preset = forms.ChoiceField(label="规则模板", choices=[(k, v[0]) for k, v in PRESETS.items()])


# ---------------------------------------------------------------- transfers


class TransferOrderForm(DomainErrorsMixin, forms.Form):
    case_number = forms.CharField(label="案号", max_length=40)
    to_court = forms.ModelChoiceField(label="指定执行法院", queryset=Court.objects.none(), empty_label="请选择")
    reason = forms.CharField(label="理由（必填）", max_length=500, required=False)

    error_fields = {"case": "case_number", "transfer_refused": "case_number"}

    def __init__(self, *args, intermediate: Court, **kwargs):
        super().__init__(*args, prefix="transfer", **kwargs)
        self.intermediate = intermediate
        self.fields["to_court"].queryset = Court.objects.filter(parent=intermediate, level=CourtLevel.BASIC).order_by("court_code")

    def clean_case_number(self):
        number = self.cleaned_data["case_number"].strip()
        case = (EnforcementCase.objects.select_related("court__parent")
                .filter(case_number=number, court__parent=self.intermediate).first())
        if case is None:
            raise forms.ValidationError(f"辖区法院没有案号为 {number} 的案件")
        self.case = case
        return number


class TransferCancelForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label="撤回理由", max_length=500, required=False)
