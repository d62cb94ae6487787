"""Forms of the distribution pages: they parse what the judge typed (money in 元 → fen, dates) into the
services' arguments; the rules are checked once, by the services, whose errors land next to the field."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhixing.cases.forms import DateInput, DomainErrorsMixin, YuanField
from zhixing.cases.templatetags.money import fen_to_yuan_text, yuan_plain

from . import rules
from .choices import Method, ObjectionStatus, PriorityKind, Tier
from .models import DistributionPlan


def _today():
    return timezone.localdate()


class PlanCreateForm(DomainErrorsMixin, forms.Form):
    proceeds = YuanField(label="可供分配金额（元）", help_text="不填：本案案款可用余额")
    method = forms.ChoiceField(label="普通债权受偿方式", required=False,
                               choices=[("", "按被执行人类型确定"), *Method.choices])
    prefill = forms.BooleanField(label="列入本案及对同一财产采取措施的案件", required=False, initial=True)
    reason = forms.CharField(label="说明", required=False, max_length=500)
    error_fields = {"proceeds_fen": "proceeds"}


class PlanUpdateForm(DomainErrorsMixin, forms.Form):
    proceeds = YuanField(label="可供分配金额（元）", required=True)
    method = forms.ChoiceField(label="普通债权受偿方式", choices=Method.choices)
    reason = forms.CharField(label="修改理由", required=False, max_length=500)
    error_fields = {"proceeds_fen": "proceeds"}

    @classmethod
    def for_plan(cls, plan: DistributionPlan) -> PlanUpdateForm:
        return cls(prefix="plan", initial={"proceeds": yuan_plain(plan.proceeds_fen), "method": plan.method})


class LineForm(DomainErrorsMixin, forms.Form):
    tier = forms.ChoiceField(label="受偿顺序", choices=Tier.choices, initial=Tier.ORDINARY)
    creditor_name = forms.CharField(label="债权人（费用项目）", max_length=100)
    creditor_case_number = forms.CharField(label="案号", required=False, max_length=40,
                                           help_text="本院案件：执行时划转至该案")
    claim = YuanField(label="债权额（元）", required=True)
    priority_kind = forms.ChoiceField(label="优先权类别", required=False, choices=[("", "—"), *PriorityKind.choices])
    rank = forms.IntegerField(label="优先顺位", required=False, min_value=1, max_value=rules.MAX_RANK,
                              help_text="1 为最先受偿；同一顺位按比例受偿")
    basis = forms.CharField(label="依据或说明", required=False, max_length=300,
                            help_text="优先受偿须写明依据（如抵押登记证明号、生效裁判）")
    seized_on = forms.DateField(label="查封（冻结、扣押）日期", required=False, widget=DateInput())
    retained = forms.BooleanField(label="本院收取（执行费，由财务结算）", required=False)
    payee_name = forms.CharField(label="收款人", required=False, max_length=100)
    payee_account = forms.CharField(label="收款账号", required=False, max_length=40)
    payee_bank = forms.CharField(label="开户行", required=False, max_length=100)
    error_fields = {"claim_fen": "claim"}

    def line_data(self) -> dict:
        d = dict(self.cleaned_data)
        d["claim_fen"] = d.pop("claim")
        return d


class PayeeForm(DomainErrorsMixin, forms.Form):
    payee_name = forms.CharField(label="收款人", max_length=100)
    payee_account = forms.CharField(label="收款账号", max_length=40)
    payee_bank = forms.CharField(label="开户行", required=False, max_length=100)


class ServeForm(DomainErrorsMixin, forms.Form):
    served_on = forms.DateField(label="送达日期", widget=DateInput(), initial=_today,
                                help_text="送达全部债权人和被执行人之日；异议期自次日起算")


class ReasonForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label="理由", max_length=500)


class ConfirmForm(DomainErrorsMixin, forms.Form):
    """No input: the button itself (its refusals are shown above it)."""


class ObjectionForm(DomainErrorsMixin, forms.Form):
    objector_name = forms.CharField(label="异议人", max_length=100)
    lodged_on = forms.DateField(label="提出日期", widget=DateInput(), initial=_today,
                                help_text="邮寄的，以邮戳日期为准")
    text = forms.CharField(label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class NotifyForm(DomainErrorsMixin, forms.Form):
    notified_on = forms.DateField(label="通知其他债权人和被执行人日期", widget=DateInput(), initial=_today)


class OpposeForm(DomainErrorsMixin, forms.Form):
    opposer_name = forms.CharField(label="反对人", max_length=100)
    opposed_on = forms.DateField(label="反对意见通知异议人日期", widget=DateInput(), initial=_today)


class DecideForm(DomainErrorsMixin, forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=[
        (s.value, s.label) for s in ObjectionStatus if s not in (ObjectionStatus.PENDING, ObjectionStatus.SUIT_ENDED)])
    note = forms.CharField(label="说明", required=False, max_length=500)
    withheld_line_ids = forms.TypedMultipleChoiceField(label="暂缓发放的分配项（起诉时）", required=False, coerce=int,
                                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, plan: DistributionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withheld_line_ids"].choices = [
            (line.pk, f"{line.creditor_name}（{fen_to_yuan_text(line.share_fen)} 元）")
            for line in plan.lines.all() if line.share_fen > 0]


class SuitEndForm(DomainErrorsMixin, forms.Form):
    note = forms.CharField(label="诉讼结果（判决书号）", max_length=500)
