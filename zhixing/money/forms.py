"""Forms of the money pages. They parse what the desk typed — amounts in 元, exactly, into integer
fen (`YuanField`, never float), case numbers into cases of the court — and the services check the
rules; a service's refusal is shown next to the field it names (`error_fields`)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.cases.forms import DateInput, DomainErrorsMixin, YuanField
from zhixing.cases.models import EnforcementCase

from .choices import DeferralReason, JournalKind, OrderKind, OrderStatus, ReceiptChannel, ReceiptStatus
from .rules import APPROVER_ROLES
from .selectors import MAX_CHAIN_STEPS
from .services_settings import MAX_PREFIX_DIGITS


class ActionForm(DomainErrorsMixin, forms.Form):
    """A small form posted by htmx from a panel; it knows where it posts and what its button says
    (`money/_action.html` renders any of them)."""

    submit_label = "提交"
    danger = False
    grid = False  # many fields: laid out in a grid, not in a row
    two_buttons = False  # 同意 / 不予批准 instead of one submit button

    def __init__(self, *args, action: str = "", dom_id: str = "", intro: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.action, self.dom_id, self.intro = action, dom_id, intro


def case_in_court(court_id: int | None, case_number: str) -> EnforcementCase | None:
    """The court's case of that number (a system administrator, of no court: any court's)."""
    cases = EnforcementCase.objects.filter(case_number=case_number.strip())
    return (cases if court_id is None else cases.filter(court_id=court_id)).first()


# ---------------------------------------------------------------- receipts


class ReceiptForm(ActionForm):
    """到账登记: the case by its number or the sub-account number the payer used; neither — with
    不明款 ticked — puts the money in suspense, to be assigned within 3 working days."""

    submit_label = "登记到账"
    grid = True
    target = forms.CharField(label="案号或子账号", required=False, max_length=60,
                             help_text="如（2026）京0108执123号，或付款人填写的子账号")
    unidentified = forms.BooleanField(label="无法确定案件，记为不明款", required=False)
    amount = YuanField(label="金额（元）", required=True, help_text="如 12,345.67")
    received_on = forms.DateField(label="到账日期", widget=DateInput())
    channel = forms.ChoiceField(label="来源", choices=ReceiptChannel.choices, initial=ReceiptChannel.VOLUNTARY)
    payer_name = forms.CharField(label="付款人", required=False, max_length=100)
    payer_account = forms.CharField(label="付款账号", required=False, max_length=40)
    bank_reference = forms.CharField(label="银行流水号", required=False, max_length=60,
                                     help_text="同一流水号只入账一次")
    note = forms.CharField(label="附言", required=False, max_length=300)
    error_fields = {"amount_fen": "amount", "sub_account_number": "target", "case": "target"}

    def __init__(self, *args, court_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.court_id = court_id
        self.fields["received_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        target = (data.get("target") or "").strip()
        data["case"], data["sub_account_number"] = None, ""
        if not target:
            if not data.get("unidentified"):
                self.add_error("target", "请填写案号或子账号；无法确定案件的，勾选“记为不明款”")
            return data
        if data.get("unidentified"):
            self.add_error("unidentified", "已填写案号或子账号，不能同时记为不明款")
        elif target.isdigit():
            data["sub_account_number"] = target
        else:
            case = case_in_court(self.court_id, target)
            if case is None:
                self.add_error("target", f"本院没有案号 {target}")
            data["case"] = case
        return data


class AssignForm(ActionForm):
    submit_label = "认领至该案"
    case_number = forms.CharField(label="案号", max_length=60)
    reason = forms.CharField(label="认领依据", required=False, max_length=300, help_text="如：付款人来电确认、附言载明案号")
    error_fields = {"case": "case_number"}

    def __init__(self, *args, court_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.court_id = court_id

    def clean_case_number(self):
        number = self.cleaned_data["case_number"].strip()
        case = case_in_court(self.court_id, number)
        if case is None:
            raise forms.ValidationError(f"本院没有案号 {number}")
        self.case = case
        return number


class ReturnForm(ActionForm):
    submit_label = "退回付款人"
    danger = True
    reason = forms.CharField(label="退回理由", max_length=300)
    bank_reference = forms.CharField(label="退款银行流水号", required=False, max_length=60)


# ---------------------------------------------------------------- fee, orders, payment, reversal


class FeeForm(ActionForm):
    submit_label = "结算执行费"
    reason = forms.CharField(label="说明", required=False, max_length=300)


class OrderForm(ActionForm):
    """付款申请. The hidden key makes a double click (or a resent form) one order, not two."""

    submit_label = "提交申请"
    grid = True
    kind = forms.ChoiceField(label="类型", choices=OrderKind.choices, initial=OrderKind.PAYOUT)
    amount = YuanField(label="金额（元）", required=True)
    payee_name = forms.CharField(label="收款人", required=False, max_length=100)
    payee_account = forms.CharField(label="收款账号", required=False, max_length=40)
    payee_bank = forms.CharField(label="开户行", required=False, max_length=100)
    target_case_number = forms.CharField(label="划入案件（划转时填写案号）", required=False, max_length=60)
    non_cash = forms.BooleanField(label="非现金清偿（抵销）", required=False)
    reason = forms.CharField(label="事由", max_length=500)
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    error_fields = {"amount_fen": "amount", "target_case": "target_case_number"}

    def __init__(self, *args, case: EnforcementCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["key"].initial = f"order-{case.pk}-{uuid.uuid4().hex}"

    def clean(self):
        data = super().clean()
        data["target_case"] = None
        number = (data.get("target_case_number") or "").strip()
        if number:
            target = case_in_court(self.case.court_id, number)
            if target is None:
                self.add_error("target_case_number", f"本院没有案号 {number}")
            data["target_case"] = target
        return data


class DecideForm(ActionForm):
    """审批: 同意 or 不予批准 (with the reason), the two buttons of the form."""

    two_buttons = True

    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "同意"), ("reject", "不予批准")],
                                 widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="审批意见", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="不予批准须写明理由")

    def clean_decision(self):
        decision = self.cleaned_data.get("decision")
        if decision not in ("approve", "reject"):
            raise forms.ValidationError("请选择同意或不予批准")
        return decision


class DeferralForm(ActionForm):
    """申请暂缓发放: on one of the grounds of 法发〔2017〕6号, approved by the bureau head or a leader."""

    submit_label = "提交暂缓发放申请"
    reason_kind = forms.ChoiceField(label="暂缓事由", choices=DeferralReason.choices)
    reason = forms.CharField(label="具体理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="如：另有（2026）京0108执456号申请参与分配")


class DeferralEndForm(ActionForm):
    submit_label = "登记事由消除"
    ended_on = forms.DateField(label="事由消除日", widget=DateInput())
    note = forms.CharField(label="消除情况", max_length=500, help_text="如：分配方案已生效；冻结已解除")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class RemitForm(ActionForm):
    """执行费上缴: settled fee income paid to the treasury."""

    submit_label = "登记上缴"
    grid = True
    amount = YuanField(label="金额（元）", required=True)
    remitted_on = forms.DateField(label="上缴日期", widget=DateInput())
    bank_reference = forms.CharField(label="银行流水号", max_length=60, help_text="与对账单支出行匹配")
    note = forms.CharField(label="说明", required=False, max_length=300, help_text="如：2026年10月执行费上缴财政")
    error_fields = {"amount_fen": "amount"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remitted_on"].initial = timezone.localdate()


class CancelForm(ActionForm):
    submit_label = "撤回申请"
    danger = True
    reason = forms.CharField(label="撤回理由", max_length=500)


class PayForm(ActionForm):
    submit_label = "确认支付"
    paid_on = forms.DateField(label="支付日期", widget=DateInput())
    bank_reference = forms.CharField(label="银行流水号", required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class ReverseForm(ActionForm):
    submit_label = "冲正"
    danger = True
    reason = forms.CharField(label="冲正理由", max_length=500)


# ---------------------------------------------------------------- list filters


class FilterForm(forms.Form):
    """A list's filters; an invalid one is ignored (and shown with its error)."""

    def values(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}


class CaseListFilter(FilterForm):
    q = forms.CharField(label="案号或子账号", required=False, max_length=60)
    mine = forms.BooleanField(label="只看我的案件", required=False)
    overdue = forms.BooleanField(label="只看超期未发放", required=False)


class OrderListFilter(FilterForm):
    q = forms.CharField(label="案号或收款人", required=False, max_length=60)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *OrderStatus.choices])
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *OrderKind.choices])
    mine = forms.BooleanField(label="只看我的案件", required=False)
    to_approve = forms.BooleanField(label="只看待我审批", required=False)


class UnidentifiedFilter(FilterForm):
    q = forms.CharField(label="付款人、流水号或附言", required=False, max_length=60)
    status = forms.ChoiceField(label="状态", required=False, initial=ReceiptStatus.UNIDENTIFIED, choices=[
        (ReceiptStatus.UNIDENTIFIED, "待认领"), (ReceiptStatus.ASSIGNED, "已认领"), (ReceiptStatus.RETURNED, "已退回"),
        (ReceiptStatus.REVERSED, "已冲正"), ("all", "全部")])
    overdue = forms.BooleanField(label="只看超过认领期限", required=False)


class JournalFilter(FilterForm):
    q = forms.CharField(label="案号或摘要", required=False, max_length=60)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *JournalKind.choices])
    date_from = forms.DateField(label="记账日期从", required=False, widget=DateInput())
    date_to = forms.DateField(label="至", required=False, widget=DateInput())


# ---------------------------------------------------------------- settings


APPROVER_CHOICES = [(role.value, role.label) for role in Role if role in APPROVER_ROLES]


class SettingsForm(DomainErrorsMixin, forms.Form):
    bank_name = forms.CharField(label="开户银行", required=False, max_length=100)
    account_name = forms.CharField(label="户名", required=False, max_length=100)
    account_number = forms.CharField(label="执行款专户账号", required=False, max_length=40)
    sub_account_prefix = forms.CharField(label="子账号前缀", max_length=MAX_PREFIX_DIGITS,
                                         help_text="数字；只影响此后开立的案款子账户，已告知当事人的账号不变")


class StepForm(forms.Form):
    """One step of the approval chain: a role and the amount from which it applies."""

    role = forms.ChoiceField(label="审批角色", required=False, choices=[("", "—"), *APPROVER_CHOICES])
    min_amount = YuanField(label="起点金额（元）", help_text="0：每笔都须此步审批")

    def step(self) -> dict | None:
        role = self.cleaned_data.get("role")
        if not role:
            return None
        return {"role": role, "min_fen": self.cleaned_data.get("min_amount") or 0}


StepFormSet = forms.formset_factory(StepForm, extra=2, max_num=MAX_CHAIN_STEPS, validate_max=True)
