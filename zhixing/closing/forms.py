"""Forms of the closing pages: each parses what a service needs; a service's refusal lands on the
form (DomainErrorsMixin) next to the field it names, or above the form."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhixing.cases.choices import ClosingType
from zhixing.cases.forms import DateInput, DomainErrorsMixin, YuanField

from .choices import ConsentBy, PoolStatus, ProposalSource, ProposalStatus, TransferStatus
from .review import FAIL_REASONS
from .rules import ZHONGBEN_CONDITIONS

FINDABLE = [(c.code, f"{c.title}（{c.citation}）") for c in ZHONGBEN_CONDITIONS if c.findable]


def _today(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].initial = timezone.localdate()


class FindingForm(DomainErrorsMixin, forms.Form):
    condition = forms.ChoiceField(label="终本条件", choices=FINDABLE)
    text = forms.CharField(label="认定理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="finding", **kwargs)


class FindingWithdrawForm(DomainErrorsMixin, forms.Form):
    condition = forms.ChoiceField(label="终本条件", choices=FINDABLE, widget=forms.HiddenInput)
    reason = forms.CharField(label="撤回理由", max_length=500)
    error_fields = {"condition": "reason"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="withdraw", **kwargs)


class ProposalForm(DomainErrorsMixin, forms.Form):
    source = forms.ChoiceField(label="来源", choices=[(ProposalSource.CLUE, ProposalSource.CLUE.label),
                                                     (ProposalSource.APPLICATION, ProposalSource.APPLICATION.label)])
    description = forms.CharField(label="线索内容或申请理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    provider = forms.CharField(label="提供人", max_length=100, required=False)
    received_on = forms.DateField(label="收到日期", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="proposal", **kwargs)
        _today(self, "received_on")


class ExplanationForm(DomainErrorsMixin, forms.Form):
    text = forms.CharField(label="余款去向或未发放的原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="explain", **kwargs)


class ConfirmForm(DomainErrorsMixin, forms.Form):
    confirmed_on = forms.DateField(label="确认日期", widget=DateInput())
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today(self, "confirmed_on")


class DismissForm(DomainErrorsMixin, forms.Form):
    note = forms.CharField(label="不予恢复的理由", max_length=500)


class RestoreForm(DomainErrorsMixin, forms.Form):
    filed_on = forms.DateField(label="恢复执行立案日期", widget=DateInput())
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today(self, "filed_on")


class DrawForm(DomainErrorsMixin, forms.Form):
    period_start = forms.DateField(label="结案日期从", widget=DateInput())
    period_end = forms.DateField(label="至", widget=DateInput())
    size = forms.IntegerField(label="抽查件数（空：按比例）", required=False, min_value=1)
    error_fields = {"start": "period_start", "end": "period_end"}


class MarkForm(DomainErrorsMixin, forms.Form):
    verdict = forms.ChoiceField(label="评查结论", choices=[("pass", "合格"), ("fail", "不合格")], widget=forms.RadioSelect)
    reasons = forms.MultipleChoiceField(label="不合格原因", choices=list(FAIL_REASONS.items()), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="评查说明", max_length=500, required=False)

    def __init__(self, *args, item_id: int, **kwargs):
        super().__init__(*args, prefix=f"item{item_id}", **kwargs)
        self.item_id = item_id


class ThresholdForm(DomainErrorsMixin, forms.Form):
    min_cases = forms.IntegerField(label="同一被执行人案件数不少于", min_value=1)
    min_outstanding = YuanField(label="未履行金额合计不少于（元）")
    min_ratio_percent = forms.IntegerField(label="未履行金额不少于已查明财产的（%）", min_value=100)
    note = forms.CharField(label="说明", max_length=300, required=False)
    error_fields = {"min_outstanding_fen": "min_outstanding", "min_claims_to_assets_bp": "min_ratio_percent"}


class ProposeForm(DomainErrorsMixin, forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    opinion = forms.CharField(label="移送意见（破产原因）", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(DomainErrorsMixin, forms.Form):
    consent_by = forms.ChoiceField(label="同意人身份", choices=ConsentBy.choices)
    party_name = forms.CharField(label="同意人", max_length=100)
    consent_on = forms.DateField(label="书面同意日期", widget=DateInput())
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today(self, "consent_on")


class PanelForm(DomainErrorsMixin, forms.Form):
    panel_on = forms.DateField(label="合议庭评议日期", widget=DateInput())
    note = forms.CharField(label="评议意见", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today(self, "panel_on")


class DecideForm(DomainErrorsMixin, forms.Form):
    decided_on = forms.DateField(label="决定日期", widget=DateInput())
    decision_number = forms.CharField(label="决定书文号", max_length=60)
    receiving_court = forms.CharField(label="受移送法院", max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today(self, "decided_on")


class ServeForm(DomainErrorsMixin, forms.Form):
    served_on = forms.DateField(label="送达日期", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today(self, "served_on")


class SendForm(DomainErrorsMixin, forms.Form):
    transferred_on = forms.DateField(label="材料移送日期", widget=DateInput())
    received_on = forms.DateField(label="受移送法院收到日期", widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today(self, "transferred_on")


class OutcomeForm(DomainErrorsMixin, forms.Form):
    accepted = forms.TypedChoiceField(label="审查结果", choices=[("1", "裁定受理"), ("0", "裁定不予受理")],
                                      coerce=lambda v: v == "1")
    outcome_on = forms.DateField(label="裁定日期", widget=DateInput())
    ruling_number = forms.CharField(label="裁定书文号", max_length=60)
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today(self, "outcome_on")


class ReasonForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label="撤回理由", max_length=500)


TRANSFER_STEPS = {
    # step: (form, label, the status it follows)
    "consent": (ConsentForm, "登记书面同意", (TransferStatus.PROPOSED,)),
    "panel": (PanelForm, "合议庭评议同意", (TransferStatus.CONSENTED,)),
    "decide": (DecideForm, "院长签署移送决定", (TransferStatus.PANEL_AGREED,)),
    "serve": (ServeForm, "登记送达", (TransferStatus.DECIDED,)),
    "send": (SendForm, "移送材料", (TransferStatus.DECIDED,)),
    "outcome": (OutcomeForm, "登记破产审查结果", (TransferStatus.TRANSFERRED,)),
    "withdraw": (ReasonForm, "撤回移送", (TransferStatus.PROPOSED, TransferStatus.CONSENTED, TransferStatus.PANEL_AGREED)),
}


# ---------------------------------------------------------------- list filters


class ListFilter(forms.Form):
    q = forms.CharField(label="案号或被执行人", required=False)

    def value(self, name: str, default=""):
        if self.is_valid():
            return self.cleaned_data.get(name) or default
        return default


class PoolFilter(ListFilter):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *PoolStatus.choices])
    due = forms.BooleanField(label="只看到期待查询", required=False)


class ProposalFilter(ListFilter):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *ProposalStatus.choices])
    overdue = forms.BooleanField(label="只看逾期未恢复", required=False)


class ArchiveFilter(ListFilter):
    closing_type = forms.ChoiceField(label="结案方式", required=False, choices=[("", "全部"), *ClosingType.choices])
    overdue = forms.BooleanField(label="只看超期未归档", required=False)


class TransferFilter(forms.Form):
    status = forms.ChoiceField(label="进度", required=False, choices=[("", "全部"), *TransferStatus.choices])

    def value(self, name: str, default=""):
        return (self.cleaned_data.get(name) or default) if self.is_valid() else default
