"""Forms of the disposal pages: they parse what a clerk typed (元 to fen, dates, Beijing times); the
rules are checked once, by the services, whose refusals appear next to the field they name."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from zhixing.cases.choices import PartyRole
from zhixing.cases.exceptions import DomainError, FieldError, ValidationFailed
from zhixing.cases.forms import DateInput, DomainErrorsMixin, YuanField
from zhixing.cases.templatetags.money import fen_to_yuan_text

from .choices import Ground, Selection, TableKind
from .rules import AUCTION_PLATFORMS, INQUIRY_PLATFORMS

BEIJING = ZoneInfo("Asia/Shanghai")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class BeijingDateTimeField(forms.DateTimeField):
    """A time typed on the page is Beijing time, whatever the server's zone."""

    widget = DateTimeInput

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        return moment.replace(tzinfo=BEIJING) if timezone.is_naive(moment) else moment.astimezone(BEIJING)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)


class Base(DomainErrorsMixin, forms.Form):
    pass


class FileForm(Base):
    """An import's errors name a row and a column of the file, not a field of the form: all shown above it."""

    def add_domain_error(self, exc: DomainError) -> None:
        errors = exc.errors if isinstance(exc, ValidationFailed) else [FieldError("", exc.message)]
        for error in errors[:50]:
            name = error.field.rsplit(".", 1)[-1]
            if name in self.fields and error.row is None:
                self.add_error(name, error.message)
            else:
                self.add_error(None, str(error))


def _grounds_field(method_grounds: tuple[str, ...]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label="适用理由（不选：前一方式已不能或不成）", required=False,
                                     choices=[(g, Ground(g).label) for g in method_grounds],
                                     widget=forms.CheckboxSelectMultiple)


# ---------------------------------------------------------------- lookups


class FlatLookupForm(Base):
    estate = forms.CharField(label="小区", required=False, max_length=100)
    building = forms.CharField(label="楼幢", required=False, max_length=20)
    floor = forms.IntegerField(label="楼层", required=False, min_value=-10, max_value=200)
    orientation = forms.CharField(label="朝向", required=False, max_length=20, help_text="南、东、西、北…；不填用“默认”系数")
    area = forms.DecimalField(label="建筑面积（平方米）", required=False, min_value=0, max_digits=10, decimal_places=2)


class VehicleLookupForm(Base):
    model = forms.CharField(label="品牌型号", required=False, max_length=100)
    year = forms.IntegerField(label="年款", min_value=1980, max_value=2100)


# ---------------------------------------------------------------- reference prices


class NegotiationForm(Base):
    applicant_figure = YuanField(label="申请执行人报价（元）", required=True)
    respondent_figure = YuanField(label="被执行人报价（元）", required=True)
    agreed_price = YuanField(label="议定价格（元；未达成一致的不填）")
    on = forms.DateField(label="议价日期", widget=DateInput())
    valid_until = forms.DateField(label="有效期至（不填：一年）", required=False, widget=DateInput())
    note = forms.CharField(label="说明", required=False, max_length=500)
    error_fields = {"applicant_figure_fen": "applicant_figure", "respondent_figure_fen": "respondent_figure",
                    "agreed_price_fen": "agreed_price"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class DirectedForm(Base):
    valuation = forms.ChoiceField(label="询价记录")
    grounds = _grounds_field((Ground.PARTIES_AGREE, Ground.PARTY_REFUSED))
    ground_note = forms.CharField(label="理由说明", required=False, max_length=300)
    valid_until = forms.DateField(label="有效期至（不填：一年）", required=False, widget=DateInput())

    def __init__(self, *args, valuations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valuation"].choices = [(v.pk, f"{v.at:%Y-%m-%d %H:%M} {v.get_outcome_display()} "
                                                   + (f"{fen_to_yuan_text(v.value_fen)}元" if v.value_fen else v.message))
                                            for v in valuations]


class OnlineForm(Base):
    grounds = _grounds_field((Ground.PARTIES_AGREE, Ground.PARTY_REFUSED, Ground.NO_DIRECTED_PRICE))
    ground_note = forms.CharField(label="理由说明", required=False, max_length=300)
    platforms = forms.MultipleChoiceField(label="询价平台", choices=[(p, p) for p in INQUIRY_PLATFORMS],
                                          initial=list(INQUIRY_PLATFORMS), widget=forms.CheckboxSelectMultiple)


class AppraisalForm(Base):
    institution = forms.CharField(label="评估机构", max_length=100)
    selection = forms.ChoiceField(label="选定方式", choices=Selection.choices)
    grounds = _grounds_field((Ground.REQUIRED_BY_LAW, Ground.PARTIES_AGREE, Ground.PARTY_REFUSED, Ground.NO_DIRECTED_PRICE,
                              Ground.NEEDS_INSPECTION, Ground.OBJECTION))
    ground_note = forms.CharField(label="理由说明", required=False, max_length=300)


class ExtendForm(Base):
    days = forms.IntegerField(label="延长日数", min_value=1, max_value=15)
    reason = forms.CharField(label="理由", max_length=500)


class ReportForm(Base):
    price = YuanField(label="评估价（元）", required=True)
    report_number = forms.CharField(label="报告编号", max_length=60)
    report_on = forms.DateField(label="报告日期", widget=DateInput())
    fee = YuanField(label="评估费（元）")
    valid_until = forms.DateField(label="有效期至（不填：一年）", required=False, widget=DateInput())
    error_fields = {"price_fen": "price", "fee_fen": "fee"}


class ReasonForm(Base):
    reason = forms.CharField(label="理由", max_length=500)


class ServeForm(Base):
    served_on = forms.DateField(label="送达日期", widget=DateInput())


class ObjectionForm(Base):
    raised_on = forms.DateField(label="异议日期", widget=DateInput())
    raised_by = forms.CharField(label="异议人", max_length=100)
    grounds = forms.CharField(label="异议理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(Base):
    upheld = forms.TypedChoiceField(label="处理结果", choices=[("0", "异议不成立（结果继续有效）"), ("1", "异议成立（结果不予采用）")],
                                    coerce=lambda v: v == "1")
    note = forms.CharField(label="理由", max_length=500)


class EmptyForm(Base):
    pass


# ---------------------------------------------------------------- plans and rounds


class PlanForm(Base):
    platform = forms.ChoiceField(label="拍卖平台", choices=[(p, p) for p in AUCTION_PLATFORMS])
    platform_chosen_by = forms.ChoiceField(label="平台选定", choices=[("申请执行人选择", "申请执行人选择"), ("人民法院指定", "人民法院指定")])
    encumbrances = forms.CharField(label="权利负担（抵押、租赁等）", required=False, max_length=1000)
    taxes = forms.CharField(label="税费负担", required=False, max_length=500)
    viewing = forms.CharField(label="看样安排", required=False, max_length=500)
    priority_holders = forms.CharField(label="优先购买权人、优先受偿债权人", required=False, max_length=500)
    contact = forms.CharField(label="联系人及电话", required=False, max_length=100)


class RoundForm(Base):
    starting_price = YuanField(label="起拍价（元）", required=True)
    deposit = YuanField(label="保证金（元）", required=True)
    increment = YuanField(label="加价幅度（元）", required=True)
    parties_notified_on = forms.DateField(label="通知当事人日期", required=False, widget=DateInput())
    announce_on = forms.DateField(label="公告日期", widget=DateInput())
    starts_at = BeijingDateTimeField(label="竞价开始")
    ends_at = BeijingDateTimeField(label="竞价结束")
    note = forms.CharField(label="说明", required=False, max_length=500)
    error_fields = {"starting_price_fen": "starting_price", "deposit_fen": "deposit", "increment_fen": "increment"}


class AnnounceForm(Base):
    parties_notified_on = forms.DateField(label="通知当事人日期", required=False, widget=DateInput())


class ResultForm(Base):
    sold = forms.TypedChoiceField(label="结果", choices=[("1", "成交"), ("0", "流拍（未成交）")], coerce=lambda v: v == "1")
    closed_on = forms.DateField(label="结束日期", widget=DateInput())
    price = YuanField(label="成交价（元）")
    buyer_name = forms.CharField(label="买受人", required=False, max_length=100)
    buyer_identity = forms.CharField(label="买受人证件号码", required=False, max_length=18)
    note = forms.CharField(label="说明", required=False, max_length=500)
    error_fields = {"price_fen": "price"}


class InKindForm(Base):
    party = forms.ModelChoiceField(label="受领人（申请执行人）", queryset=None)
    on = forms.DateField(label="抵债日期", widget=DateInput())
    note = forms.CharField(label="说明", required=False, max_length=500)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = case.parties.filter(role=PartyRole.APPLICANT) if case else None


class HandoverForm(Base):
    on = forms.DateField(label="移交日期", widget=DateInput())
    note = forms.CharField(label="说明", required=False, max_length=500)


class ReceiptForm(Base):
    receipt = forms.ChoiceField(label="到账记录（拍卖、变卖价款）")

    def __init__(self, *args, receipts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].choices = [(r.pk, f"{r.received_on:%Y-%m-%d} {fen_to_yuan_text(r.amount_fen)}元 {r.payer_name}")
                                          for r in receipts]


# ---------------------------------------------------------------- court pages


class TableImportForm(FileForm):
    kind = forms.ChoiceField(label="类别", choices=TableKind.choices)
    file = forms.FileField(label="文件（CSV 或 XLSX）")
    effective_from = forms.DateField(label="生效日期", widget=DateInput())
    source = forms.CharField(label="数据来源单位", max_length=100, initial="税务局")
    note = forms.CharField(label="说明", required=False, max_length=300)


class SettingsForm(Base):
    daily_lookup_limit = forms.IntegerField(label="每人每日询价次数上限", min_value=1, max_value=10_000)
    daily_batch_limit = forms.IntegerField(label="每人每日批量估价次数上限", min_value=1, max_value=100)


class InquiryImportForm(FileForm):
    file = forms.FileField(label="网络询价结果文件（CSV 或 XLSX）")


class LookupFilterForm(forms.Form):
    on_from = forms.DateField(label="日期从", required=False, widget=DateInput())
    on_to = forms.DateField(label="至", required=False, widget=DateInput())
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), ("valued", "已估价"), ("not_found", "无法估价")])
    case_number = forms.CharField(label="案号", required=False, max_length=40)


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("open", "处置中"), ("sold", "已成交"),
                                                                      ("in_kind", "以物抵债"), ("handed_over", "已移交"),
                                                                      ("withdrawn", "已撤回")])
    q = forms.CharField(label="案号或财产", required=False, max_length=100)


def today_initial(form: forms.Form, *names: str) -> forms.Form:
    for name in names:
        form.fields[name].initial = timezone.localdate()
    return form

