"""Enumerations of disposal (C21–C22): reference-price methods and states, price tables, auctions."""

from django.db import models


class Method(models.TextChoices):
    """The four ways to fix a reference price, in their legal order (rules.LADDER)."""

    NEGOTIATION = "negotiation", "当事人议价"
    DIRECTED = "directed_inquiry", "定向询价"
    ONLINE = "online_inquiry", "网络询价"
    APPRAISAL = "appraisal", "委托评估"


class PriceStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "进行中"
    FAILED = "failed", "不能或不成"
    RESULT = "result", "已确定"
    OBJECTED = "objected", "异议中"
    SUPERSEDED = "superseded", "已被取代"


class Ground(models.TextChoices):
    """Why a method may be used now (rules.LADDER names which grounds each method accepts)."""

    FIRST = "first", "首选方式"
    LADDER = "ladder", "前一方式不能或不成"
    PARTIES_AGREE = "parties_agree", "双方当事人一致要求（同意）"
    PARTY_REFUSED = "party_refused", "一方当事人拒绝议价或下落不明"
    NO_DIRECTED_PRICE = "no_directed_price", "财产无计税基准价、政府定价或政府指导价"
    NEEDS_INSPECTION = "needs_inspection", "财产须由专业人员现场勘验或鉴定"
    REQUIRED_BY_LAW = "required_by_law", "法律、行政法规规定必须委托评估"
    OBJECTION = "objection", "当事人对询价结果提出书面异议"


class Selection(models.TextChoices):
    """How the appraisal institution was chosen."""

    AGREED = "agreed", "双方当事人协商确定"
    LOTTERY = "lottery", "摇号随机确定"
    DESIGNATED = "designated", "人民法院指定"


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", "待处理"
    TO_APPRAISAL = "to_appraisal", "已转委托评估"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class TableKind(models.TextChoices):
    REAL_ESTATE = "real_estate", "不动产（楼幢基准价）"
    VEHICLE = "vehicle", "机动车（车型年款价格）"


class LookupOutcome(models.TextChoices):
    VALUED = "valued", "已估价"
    NOT_FOUND = "not_found", "无法估价"


class PlanStatus(models.TextChoices):
    OPEN = "open", "处置中"
    SOLD = "sold", "已成交"
    IN_KIND = "in_kind", "以物抵债"
    HANDED_OVER = "handed_over", "已移交"
    WITHDRAWN = "withdrawn", "已撤回"


class RoundKind(models.TextChoices):
    AUCTION = "auction", "拍卖"
    SALE = "sale", "变卖"


class RoundStatus(models.TextChoices):
    PLANNED = "planned", "待公告"
    ANNOUNCED = "announced", "已公告"
    SOLD = "sold", "成交"
    FAILED = "failed", "流拍（未成交）"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_ROUND_STATUSES = (RoundStatus.PLANNED, RoundStatus.ANNOUNCED)
# A reference price that stands (the one a plan may use): fixed, not under objection, not replaced.
STANDING_PRICE_STATUSES = (PriceStatus.RESULT,)
