"""Forms of the netting pages. They parse what the judge typed — identity numbers and case numbers one
per line, amounts in 元 exactly into integer fen (`YuanField`) — and the services check the rules; a
service's refusal is shown next to the field it names (`error_fields`)."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone

from zhixing.cases.forms import DateInput, DomainErrorsMixin, YuanField
from zhixing.cases.models import EnforcementCase

from .choices import ConsentMethod, ProposalStatus
from .models import NettingProposal

SEPARATORS = re.compile(r"[\s,，;；、]+")


def _today():
    return timezone.localdate()


def split_lines(text: str) -> list[str]:
    """Identity numbers typed one per line (or separated by spaces, commas, 、)."""
    return [part.strip().upper() for part in SEPARATORS.split(text or "") if part.strip()]


def case_number_lines(text: str) -> list[str]:
    """Case numbers one per line (a case number holds no spaces but may hold Chinese brackets)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def cases_by_number(court_id: int, numbers: list[str]) -> tuple[list[int], list[str]]:
    """The court's cases of these numbers, and the numbers it does not have."""
    found = dict(EnforcementCase.objects.filter(court_id=court_id, case_number__in=numbers)
                 .values_list("case_number", "pk"))
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


class FindForm(forms.Form):
    """Where a proposal starts: the parties (identity numbers) and/or case numbers."""

    parties = forms.CharField(label="当事人身份证号或统一社会信用代码", required=False,
                              widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一个")
    expand = forms.BooleanField(label="同时查找与其互为申请人、被执行人的当事人", required=False, initial=True)
    case_numbers = forms.CharField(label="或直接填写案号", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text="每行一个，如（2026）京0108执123号")


class CreateForm(DomainErrorsMixin, forms.Form):
    case_ids = forms.TypedMultipleChoiceField(label="纳入方案的案件", coerce=int, widget=forms.CheckboxSelectMultiple)
    multilateral = forms.BooleanField(label="允许多方（循环）抵销（须循环中每一方当事人同意）", required=False, initial=True)
    reason = forms.CharField(label="说明", required=False, max_length=500)

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_ids"].choices = [(c.pk, c.case_number) for c in cases]
        self.fields["case_ids"].initial = [c.pk for c in cases]


class DraftForm(DomainErrorsMixin, forms.Form):
    """A draft's inputs: its cases, cycles allowed, who refused, each joint case's apportionment."""

    case_numbers = forms.CharField(label="案件（每行一个案号）", widget=forms.Textarea(attrs={"rows": 6}))
    multilateral = forms.BooleanField(label="允许多方（循环）抵销", required=False)
    refused = forms.MultipleChoiceField(label="不同意多方抵销或不认可抵销债权的当事人", required=False,
                                        widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label="说明", required=False, max_length=500)
    error_fields = {"case_ids": "case_numbers", "refused_parties": "refused"}

    def __init__(self, *args, proposal: NettingProposal, parties, joint_lines=(), **kwargs):
        self.proposal = proposal
        self.joint_lines = list(joint_lines)
        initial = {"case_numbers": "\n".join(line.case_number for line in proposal.lines.all()),
                   "multilateral": proposal.multilateral, "refused": proposal.refused_parties, "reason": proposal.reason}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["refused"].choices = [(key, f"{name}（{key[-4:]}）") for key, name in parties]
        shares = proposal.joint_shares
        self.share_fields = []
        for line in self.joint_lines:
            row = []
            for i, (key, name) in enumerate(line.joint["respondents"]):
                field_name = f"share_{line.case_id}_{i}"
                self.fields[field_name] = YuanField(label=f"{line.case_number}：{name}分担（元）")
                fen = shares.get(str(line.case_id), {}).get(key)
                if fen is not None:
                    self.initial[field_name] = f"{fen // 100}.{fen % 100:02d}"
                row.append((field_name, key))
            self.share_fields.append((line, row))

    def clean_case_numbers(self) -> list[int]:
        """The court's cases of the numbers typed; an unknown number is named."""
        ids, unknown = cases_by_number(self.proposal.court_id, case_number_lines(self.cleaned_data["case_numbers"]))
        if unknown:
            raise forms.ValidationError(f"本院没有这些案号：{'、'.join(unknown[:5])}")
        return ids

    def joint_shares(self) -> dict:
        shares = {}
        for line, row in self.share_fields:
            parts = {key: self.cleaned_data.get(name) or 0 for name, key in row}
            shares[line.case_id] = {key: fen for key, fen in parts.items() if fen}
        return shares

    def joint_bound_rows(self):
        return [(line, [self[name] for name, _ in row]) for line, row in self.share_fields]


class CounterClaimForm(DomainErrorsMixin, forms.Form):
    creditor_key = forms.ChoiceField(label="债权人")
    debtor_key = forms.ChoiceField(label="债务人")
    amount = YuanField(label="债权金额（元）", required=True)
    due_on = forms.DateField(label="到期日", widget=DateInput())
    document_number = forms.CharField(label="确认该债权的生效法律文书", required=False, max_length=100,
                                      help_text="没有的，须经债务人认可（登记其同意）后方可抵销")
    issuing_authority = forms.CharField(label="作出机关", required=False, max_length=100)
    note = forms.CharField(label="说明", required=False, max_length=300)
    error_fields = {"amount_fen": "amount"}

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(key, f"{name}（{key[-4:]}）") for key, name in parties]
        self.fields["creditor_key"].choices = self.fields["debtor_key"].choices = choices


class ConsentForm(DomainErrorsMixin, forms.Form):
    party_key = forms.ChoiceField(label="当事人")
    method = forms.ChoiceField(label="方式", choices=ConsentMethod.choices)
    document_reference = forms.CharField(label="材料", max_length=200, help_text="如：同意书、谈话笔录第3页")
    given_on = forms.DateField(label="同意日期", widget=DateInput(), initial=_today)
    note = forms.CharField(label="说明", required=False, max_length=300)

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_key"].choices = [(key, f"{name}（{key[-4:]}）") for key, name in parties]


class ApproveForm(DomainErrorsMixin, forms.Form):
    note = forms.CharField(label="审批意见", required=False, max_length=500)


class ReasonForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label="理由", max_length=500)


class ConfirmForm(DomainErrorsMixin, forms.Form):
    """No input: the button itself (its refusals are shown above it)."""


class ListFilter(forms.Form):
    q = forms.CharField(label="方案编号、案号或当事人", required=False, max_length=100)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *ProposalStatus.choices])
