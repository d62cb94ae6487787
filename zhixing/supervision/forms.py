"""Forms of the supervision pages. They parse what was typed; the rules (who may decide, when an
extension may be asked, how long a deferral lasts) are checked once, by the services, whose errors
the forms show next to their fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhixing.cases.forms import DateInput, DomainErrorsMixin

from .models import RULE_CHOICES, Level
from .rules import SuspensionKind

LEVEL_CHOICES = [("", "全部"), *[(str(v), label) for v, label in Level.choices if v > Level.NONE]]
DECISIONS = [("approve", "批准"), ("reject", "驳回")]


class InboxFilterForm(forms.Form):
    level = forms.ChoiceField(label="预警等级", required=False, choices=LEVEL_CHOICES)
    rule = forms.ChoiceField(label="期限规则", required=False, choices=[("", "全部"), *RULE_CHOICES])
    overdue = forms.BooleanField(label="只看已逾期", required=False)

    def filters(self) -> dict:
        """{level, rule_code, overdue}; a value that does not parse is left out."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "level": int(data["level"]) if data.get("level") else None,
            "rule_code": data.get("rule") or "",
            "overdue": bool(data.get("overdue")),
        }


class UnlockRequestForm(DomainErrorsMixin, forms.Form):
    prefix = "unlock"
    reason = forms.CharField(label="申请解锁理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="写明补救事项的办理情况和仍需办理的其他事项")


class DecisionForm(DomainErrorsMixin, forms.Form):
    """Approve or reject (an unlock request, an extension); a rejection needs its reason."""

    decision = forms.ChoiceField(label="审批结果", choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(label="审批意见", required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "驳回须写明理由")
        return data

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class SuspensionStartForm(DomainErrorsMixin, forms.Form):
    prefix = "suspension"
    kind = forms.ChoiceField(label="类型", choices=SuspensionKind.CHOICES)
    start_on = forms.DateField(label="开始日期", widget=DateInput())
    reason = forms.CharField(label="依据（文书号或事由）", max_length=300)


class SuspensionEndForm(DomainErrorsMixin, forms.Form):
    prefix = "resume"
    end_on = forms.DateField(label="结束日期", widget=DateInput())
    reason = forms.CharField(label="说明", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_on"].initial = timezone.localdate()


class ExtensionRequestForm(DomainErrorsMixin, forms.Form):
    prefix = "extension"
    reason = forms.CharField(label="申请延长理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
