"""Disposal: reference prices (参考价) by the four methods, the price tables of directed inquiry and
every lookup in them, disposal plans with their auction rounds, and the listing packages.

Rows are never deleted or rewritten: a failed method is followed by the next one, an objected
result by an appraisal, a failed round by the next round; a price table is replaced by a new
version. Case-owned tables carry `court` directly (sharding by court)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    Ground,
    LookupOutcome,
    Method,
    ObjectionOutcome,
    PlanStatus,
    PriceStatus,
    RoundKind,
    RoundStatus,
    Selection,
    TableKind,
)
from .rules import DEFAULT_DAILY_BATCH_LIMIT, DEFAULT_DAILY_LOOKUP_LIMIT

USER = settings.AUTH_USER_MODEL


def percent_text(bp: int | None) -> str:
    """Basis points as a percentage with two places, in integers: 2385 → 23.85%."""
    if bp is None:
        return "—"
    sign, whole = ("-" if bp < 0 else ""), abs(bp)
    return f"{sign}{whole // 100}.{whole % 100:02d}%"


class DisposalSettings(models.Model):
    """A court's limits on price lookups, as its data-security agreement with the tax bureau requires."""

    court = models.OneToOneField("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    daily_lookup_limit = models.PositiveIntegerField("每人每日询价次数上限", default=DEFAULT_DAILY_LOOKUP_LIMIT)
    daily_batch_limit = models.PositiveIntegerField("每人每日批量估价次数上限", default=DEFAULT_DAILY_BATCH_LIMIT)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "财产处置设置"

    def __str__(self) -> str:
        return f"{self.court} 财产处置设置"


# ---------------------------------------------------------------- price tables (定向询价)


class PriceTable(models.Model):
    """One version of a price table: the tax bureau's building base prices with floor and orientation
    coefficients, or a vehicle price table. Imported whole; never edited — a new file is a new version,
    in force from its `effective_from`."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=20, choices=TableKind.choices)
    version = models.PositiveIntegerField("版本")
    effective_from = models.DateField("生效日期")
    source = models.CharField("数据来源", max_length=100)
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField("行数")
    note = models.CharField("说明", max_length=300, blank=True)
    imported_by = models.ForeignKey(USER, verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = verbose_name_plural = "询价基准价格表"
        ordering = ["court", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["court", "kind", "version"], name="price_table_version_unique"),
            models.UniqueConstraint(fields=["court", "kind", "sha256"], name="price_table_file_once"),
            models.UniqueConstraint(fields=["court", "kind", "effective_from"], name="price_table_effective_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} 第{self.version}版（{self.effective_from:%Y-%m-%d}起）"

    @property
    def label(self) -> str:
        return f"{self.source}{self.get_kind_display()}价格表第{self.version}版（{self.effective_from:%Y-%m-%d}起施行）"


class BuildingPrice(models.Model):
    """楼幢基准价: the base price per square metre of one building, and which floor-coefficient scale it uses."""

    table = models.ForeignKey(PriceTable, on_delete=models.PROTECT, related_name="buildings")
    estate = models.CharField("小区", max_length=100)
    building = models.CharField("楼幢", max_length=20)
    estate_key = models.CharField(max_length=100)  # normalised: no spaces, full-width digits folded
    base_price_fen = models.BigIntegerField("基准价（分/平方米）")
    floor_scale = models.CharField("楼层系数表", max_length=40)
    total_floors = models.PositiveSmallIntegerField("总层数", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "楼幢基准价"
        constraints = [
            models.UniqueConstraint(fields=["table", "estate_key", "building"], name="building_price_unique"),
            models.CheckConstraint(condition=Q(base_price_fen__gt=0), name="building_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.estate}{self.building}幢"


class FloorCoefficient(models.Model):
    table = models.ForeignKey(PriceTable, on_delete=models.PROTECT, related_name="floor_coefficients")
    scale = models.CharField("系数表", max_length=40)
    floor = models.SmallIntegerField("楼层")
    coefficient = models.DecimalField("楼层系数", max_digits=6, decimal_places=4)

    class Meta:
        verbose_name = verbose_name_plural = "楼层系数"
        constraints = [models.UniqueConstraint(fields=["table", "scale", "floor"], name="floor_coefficient_unique")]

    def __str__(self) -> str:
        return f"{self.scale} 第{self.floor}层 {self.coefficient}"


class OrientationCoefficient(models.Model):
    table = models.ForeignKey(PriceTable, on_delete=models.PROTECT, related_name="orientation_coefficients")
    orientation = models.CharField("朝向", max_length=20)
    coefficient = models.DecimalField("朝向系数", max_digits=6, decimal_places=4)

    class Meta:
        verbose_name = verbose_name_plural = "朝向系数"
        constraints = [models.UniqueConstraint(fields=["table", "orientation"], name="orientation_coefficient_unique")]

    def __str__(self) -> str:
        return f"{self.orientation} {self.coefficient}"


class VehiclePrice(models.Model):
    """A vehicle model and model year's price."""

    table = models.ForeignKey(PriceTable, on_delete=models.PROTECT, related_name="vehicles")
    model = models.CharField("品牌型号", max_length=100)
    model_key = models.CharField(max_length=100)
    year = models.PositiveSmallIntegerField("年款")
    price_fen = models.BigIntegerField("价格（分）")

    class Meta:
        verbose_name = verbose_name_plural = "车辆价格"
        constraints = [
            models.UniqueConstraint(fields=["table", "model_key", "year"], name="vehicle_price_unique"),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="vehicle_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.year}年款"


class FlatFacts(models.Model):
    """房屋要素 typed in for a flat whose address does not say its building, floor or orientation.
    The newest row is used; older ones stay as the record of what was typed when."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    asset = models.ForeignKey("property.Asset", on_delete=models.PROTECT, related_name="+")
    estate = models.CharField("小区", max_length=100)
    building = models.CharField("楼幢", max_length=20)
    floor = models.SmallIntegerField("楼层")
    orientation = models.CharField("朝向", max_length=20, blank=True)
    area = models.DecimalField("建筑面积（平方米）", max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "房屋要素"
        indexes = [models.Index(fields=["asset", "-recorded_at"], name="flat_facts_asset")]

    def __str__(self) -> str:
        return f"{self.estate}{self.building}幢 第{self.floor}层"


class ValuationBatch(models.Model):
    """批量估价: every seized flat of a court valued in one action."""

    court = models.ForeignKey("courts.Court", verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(USER, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")
    on = models.DateField("日期")
    flats = models.PositiveIntegerField("房产数", default=0)
    valued = models.PositiveIntegerField("已估价", default=0)
    not_valued = models.PositiveIntegerField("无法估价", default=0)
    total_fen = models.BigIntegerField("估价合计（分）", default=0)
    table = models.ForeignKey(PriceTable, verbose_name="价格表版本", null=True, on_delete=models.PROTECT, related_name="+")
    seconds = models.DecimalField("用时（秒）", max_digits=8, decimal_places=3, default=0)
    reasons = models.JSONField("无法估价原因", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "批量估价"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "on"], name="valuation_batch_user_day")]

    def __str__(self) -> str:
        return f"批量估价 {self.at:%Y-%m-%d %H:%M}（{self.valued}/{self.flats}）"


class Valuation(models.Model):
    """One lookup in a price table — and its entry in the lookup log (询价台账): who looked up which
    asset, for which case, when, in which table version, and what came out. Counted against the
    user's daily limit (single lookups and batches separately)."""

    # A batch writes 100,000 rows, and every index and foreign-key check costs it time. The composite
    # indexes below lead with court, asset and user, and a case is read through its assets: the foreign
    # keys need no index of their own. Nor does the database check them again: this is a log of what was
    # looked up, every row written from rows read in the same transaction (the case's seizure of the
    # asset, the table version, the batch), and PostgreSQL would check each key of each row once more at
    # commit (1.3 s for 50,000 rows). Deletion stays refused by PROTECT; none of these is ever deleted.
    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+", db_index=False,
                              db_constraint=False)
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", on_delete=models.PROTECT, related_name="+",
                             db_index=False, db_constraint=False)
    asset = models.ForeignKey("property.Asset", verbose_name="财产", on_delete=models.PROTECT, related_name="+",
                              db_index=False, db_constraint=False)
    user = models.ForeignKey(USER, verbose_name="查询人", on_delete=models.PROTECT, related_name="+", db_index=False,
                             db_constraint=False)
    at = models.DateTimeField("查询时间")
    on = models.DateField("查询日期")  # the Beijing day the limit counts
    kind = models.CharField("类别", max_length=20, choices=TableKind.choices)
    table = models.ForeignKey(PriceTable, verbose_name="价格表版本", null=True, on_delete=models.PROTECT, related_name="+",
                              db_index=False, db_constraint=False)  # nobody lists lookups by version
    batch = models.ForeignKey(ValuationBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="valuations",
                              db_constraint=False)
    outcome = models.CharField("结果", max_length=12, choices=LookupOutcome.choices)
    inputs = models.JSONField("查询要素", default=dict)
    area = models.DecimalField("建筑面积（平方米）", max_digits=10, decimal_places=2, null=True, blank=True)
    base_price_fen = models.BigIntegerField("基准价（分/平方米或分）", null=True, blank=True)
    floor_coefficient = models.DecimalField("楼层系数", max_digits=6, decimal_places=4, null=True, blank=True)
    orientation_coefficient = models.DecimalField("朝向系数", max_digits=6, decimal_places=4, null=True, blank=True)
    value_fen = models.BigIntegerField("估价（分）", null=True, blank=True)
    message = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "询价记录"
        ordering = ["-at", "-id"]
        indexes = [
            # The daily limit counts single lookups only: batch rows stay out of this index.
            models.Index(fields=["user", "on"], condition=Q(batch__isnull=True), name="valuation_user_day"),
            models.Index(fields=["court", "-at"], name="valuation_court_at"),
            # The case page reads a case's lookups by its assets: (asset, at) serves it too.
            models.Index(fields=["asset", "-at"], name="valuation_asset_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(outcome=LookupOutcome.NOT_FOUND) | Q(value_fen__gt=0),
                                   name="valuation_value_when_valued"),
        ]

    def __str__(self) -> str:
        return f"询价 {self.asset_id} {self.at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------- reference prices (参考价)


class ReferencePrice(models.Model):
    """确定参考价 for one asset in one case by one method: one rung of the ladder. A failed rung is
    followed by another row; a result under objection is followed by an appraisal."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="reference_prices")
    asset = models.ForeignKey("property.Asset", verbose_name="财产", on_delete=models.PROTECT, related_name="+")
    method = models.CharField("确定方式", max_length=20, choices=Method.choices)
    grounds = models.JSONField("适用理由", default=list)  # Ground codes
    ground_note = models.CharField("理由说明", max_length=300, blank=True)
    follows = models.ForeignKey("self", verbose_name="前一方式", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField("状态", max_length=12, choices=PriceStatus.choices, default=PriceStatus.IN_PROGRESS)
    started_on = models.DateField("启动日期")
    start_due = models.DateField("启动期限", null=True, blank=True)  # 30 days after the seizure
    # The result
    price_fen = models.BigIntegerField("参考价（分）", null=True, blank=True)
    result_on = models.DateField("结果日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    source = models.CharField("依据", max_length=300, blank=True)  # table version, platforms, report
    report_number = models.CharField("报告编号", max_length=60, blank=True)
    served_on = models.DateField("送达日期", null=True, blank=True)
    objection_due = models.DateField("异议期限", null=True, blank=True)
    failure_reason = models.CharField("不能或不成的原因", max_length=300, blank=True)
    # 议价
    applicant_figure_fen = models.BigIntegerField("申请执行人报价（分）", null=True, blank=True)
    respondent_figure_fen = models.BigIntegerField("被执行人报价（分）", null=True, blank=True)
    # 定向询价
    valuation = models.ForeignKey(Valuation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # 网络询价
    platforms = models.JSONField("询价平台", default=list)
    reply_due = models.DateField("平台出具期限", null=True, blank=True)
    extended = models.BooleanField("已延长", default=False)
    request_file = models.CharField("询价请求文件", max_length=300, blank=True)
    # 委托评估
    institution = models.CharField("评估机构", max_length=100, blank=True)
    selection = models.CharField("选定方式", max_length=12, choices=Selection.choices, blank=True)
    appraisal_due = models.DateField("评估期限", null=True, blank=True)
    extensions = models.PositiveSmallIntegerField("延长次数", default=0)
    fee_fen = models.BigIntegerField("评估费（分）", null=True, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "参考价"
        ordering = ["case", "asset", "started_on", "id"]
        indexes = [
            models.Index(fields=["case", "asset"], name="reference_case_asset"),
            models.Index(fields=["court", "status"], name="reference_court_status"),
            models.Index(fields=["asset"], name="reference_asset"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_fen__isnull=True) | Q(price_fen__gt=0), name="reference_price_positive"),
            models.CheckConstraint(condition=~Q(status=PriceStatus.RESULT) | Q(price_fen__isnull=False, valid_until__isnull=False),
                                   name="reference_result_has_price"),
            # One rung at a time per asset and case: a second would race the first to a result.
            models.UniqueConstraint(fields=["case", "asset"], condition=Q(status=PriceStatus.IN_PROGRESS),
                                    name="reference_one_in_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()}（{self.get_status_display()}）"

    @property
    def grounds_text(self) -> str:
        return "、".join(Ground(g).label for g in self.grounds if g in Ground.values)


class InquiryReply(models.Model):
    """A platform's answer to an online inquiry (网络询价), imported from its reply file."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    reference = models.ForeignKey(ReferencePrice, on_delete=models.PROTECT, related_name="replies")
    platform = models.CharField("平台", max_length=60)
    price_fen = models.BigIntegerField("询价结果（分）")
    report_number = models.CharField("报告编号", max_length=60, blank=True)
    issued_on = models.DateField("出具日期")
    valid_until = models.DateField("有效期至")
    in_time = models.BooleanField("在期限内")
    source_file = models.ForeignKey("InquiryImport", on_delete=models.PROTECT, related_name="replies")

    class Meta:
        verbose_name = verbose_name_plural = "网络询价结果"
        constraints = [
            models.UniqueConstraint(fields=["reference", "platform"], name="inquiry_reply_once_per_platform"),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="inquiry_reply_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.issued_on}"


class InquiryImport(models.Model):
    """A platforms' reply file, imported whole or not at all; the same file again changes nothing."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField("行数")
    imported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = verbose_name_plural = "网络询价结果导入"
        constraints = [models.UniqueConstraint(fields=["court", "sha256"], name="inquiry_import_once")]

    def __str__(self) -> str:
        return self.file_name


class Objection(models.Model):
    """A party's written objection to a result (询价、评估结果异议)."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="+")
    reference = models.ForeignKey(ReferencePrice, on_delete=models.PROTECT, related_name="objections")
    raised_on = models.DateField("提出日期")
    raised_by = models.CharField("异议人", max_length=100)
    grounds = models.CharField("异议理由", max_length=1000)
    appraisal_due = models.DateField("启动评估期限", null=True, blank=True)  # Wenling: 3 working days
    outcome = models.CharField("处理结果", max_length=12, choices=ObjectionOutcome.choices,
                               default=ObjectionOutcome.PENDING)
    decided_on = models.DateField("处理日期", null=True, blank=True)
    decision_note = models.CharField("处理说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "参考价异议"
        ordering = ["reference", "raised_on", "id"]

    def __str__(self) -> str:
        return f"{self.raised_by} {self.raised_on}"


# ---------------------------------------------------------------- disposal plans and auctions


class DisposalPlan(models.Model):
    """处置方案 of one asset in one case: its rounds of auction, then sale or taking in kind."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="disposal_plans")
    asset = models.ForeignKey("property.Asset", verbose_name="财产", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    platform = models.CharField("拍卖平台", max_length=60)
    platform_chosen_by = models.CharField("平台选定", max_length=60, default="申请执行人选择")
    encumbrances = models.CharField("权利负担（抵押、租赁等）", max_length=1000, blank=True)
    taxes = models.CharField("税费负担", max_length=500, blank=True)
    viewing = models.CharField("看样安排", max_length=500, blank=True)
    priority_holders = models.CharField("优先购买权人、优先受偿债权人", max_length=500, blank=True)
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    in_kind_on = models.DateField("抵债日期", null=True, blank=True)
    in_kind_price_fen = models.BigIntegerField("抵债价（分）", null=True, blank=True)
    in_kind_party = models.ForeignKey("cases.Party", verbose_name="受领人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    handed_over_on = models.DateField("移交日期", null=True, blank=True)
    withdrawn_reason = models.CharField("撤回理由", max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "处置方案"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["court", "status", "-created_at"], name="disposal_plan_court_status")]
        constraints = [
            models.UniqueConstraint(fields=["case", "asset"], condition=~Q(status=PlanStatus.WITHDRAWN),
                                    name="disposal_plan_one_per_case_asset"),
        ]

    def __str__(self) -> str:
        return f"处置方案 {self.pk}（{self.get_status_display()}）"


class AuctionRound(models.Model):
    """One round: the first or second auction (一拍、二拍) or the sale (变卖), with its result."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(DisposalPlan, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField("轮次")  # 1, 2 auctions; 3 the sale
    kind = models.CharField("方式", max_length=10, choices=RoundKind.choices)
    status = models.CharField("状态", max_length=12, choices=RoundStatus.choices, default=RoundStatus.PLANNED)
    platform = models.CharField("平台", max_length=60)
    reference = models.ForeignKey(ReferencePrice, verbose_name="参考价", on_delete=models.PROTECT, related_name="+")
    reference_price_fen = models.BigIntegerField("参考价（分）")  # as it was when the round was set
    starting_price_fen = models.BigIntegerField("起拍价（保留价）（分）")
    deposit_fen = models.BigIntegerField("保证金（分）")
    increment_fen = models.BigIntegerField("加价幅度（分）")
    parties_notified_on = models.DateField("通知当事人日期", null=True, blank=True)
    announce_on = models.DateField("公告日期")
    starts_at = models.DateTimeField("竞价开始")
    ends_at = models.DateTimeField("竞价结束")
    announced_at = models.DateTimeField("公告登记时间", null=True, blank=True)
    # The result
    closed_on = models.DateField("结束日期", null=True, blank=True)
    price_fen = models.BigIntegerField("成交价（分）", null=True, blank=True)
    buyer_name = models.CharField("买受人", max_length=100, blank=True)
    buyer_identity = models.CharField("买受人证件号码", max_length=18, blank=True)
    premium_bp = models.IntegerField("溢价率（基点，相对起拍价）", null=True, blank=True)
    receipt = models.ForeignKey("money.Receipt", verbose_name="价款到账", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "拍卖轮次"
        ordering = ["plan", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], condition=~Q(status=RoundStatus.WITHDRAWN),
                                    name="auction_round_number_unique"),
            models.CheckConstraint(condition=Q(starting_price_fen__gt=0) & Q(deposit_fen__gt=0) & Q(increment_fen__gt=0),
                                   name="auction_round_amounts_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="auction_round_ends_after_start"),
            models.CheckConstraint(condition=~Q(status=RoundStatus.SOLD) | Q(price_fen__isnull=False),
                                   name="auction_round_sold_has_price"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def premium_text(self) -> str:
        return percent_text(self.premium_bp)

    @property
    def title(self) -> str:
        if self.kind == RoundKind.SALE:
            return "变卖"
        return {1: "第一次拍卖", 2: "第二次拍卖"}.get(self.number, f"第{self.number}次拍卖")


class ListingPackage(models.Model):
    """一键挂拍: the listing data (JSON and XLSX) and the documents for the platform, as one ZIP."""

    court = models.ForeignKey("courts.Court", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.EnforcementCase", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(AuctionRound, on_delete=models.PROTECT, related_name="packages")
    version = models.PositiveIntegerField("版本")
    file = models.ForeignKey("documents.DocumentFile", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    fields = models.PositiveIntegerField("字段数")
    documents = models.JSONField("文书", default=list)  # [{"kind", "title", "sha256"}]
    generated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField("生成时间")
    milliseconds = models.PositiveIntegerField("用时（毫秒）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "挂拍材料包"
        ordering = ["round", "-version"]
        constraints = [models.UniqueConstraint(fields=["round", "version"], name="listing_package_version_unique")]

    def __str__(self) -> str:
        return self.file_name
