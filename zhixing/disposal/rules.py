"""Disposal (C21–C22) as data with its citation (../shared/domain/rules.md §9; seed 001 cases 6, 7, 15;
seed 002 §(四)3–4; seed 004 §程序规范4).

Where is the rule that a first auction starts at 70% of the reference price at least? Here:
AUCTION.min_start_percent. Which methods may fix a reference price, and in what order? LADDER.
How long is a reference price valid? REFERENCE.validity_months. Everything a service refuses names
the citation of the rule it applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.accounts.choices import Role
from zhixing.cases.rules import HANDLING, LEADERS
from zhixing.property.rules import ASSET_KINDS, QUEUE_CITATION

from .choices import Ground, Method

REFERENCE_LAW = "最高人民法院关于人民法院确定财产处置参考价若干问题的规定（法释〔2018〕15号）"
AUCTION_LAW = "最高人民法院关于人民法院网络司法拍卖若干问题的规定（法释〔2016〕18号）"
SALE_LAW = "最高人民法院关于人民法院民事执行中拍卖、变卖财产的规定"
WENLING = "温岭法院“不动产询价机制”（seed 001 案例7）"


# ---------------------------------------------------------------- the reference-price ladder


@dataclass(frozen=True)
class Step:
    """One rung of the ladder: the method, the grounds on which it may skip rungs below, and the law."""

    method: str
    position: int
    grounds: tuple[str, ...]  # grounds this method accepts besides Ground.LADDER (every rung below failed)
    citation: str
    # Only assets that have a tax base price, a government price or a guide price (Art. 5): the kinds
    # for which the court holds an imported price table (real estate, vehicles).
    needs_table: bool = False


LADDER: tuple[Step, ...] = (
    Step(Method.NEGOTIATION, 1, (Ground.FIRST,), "法释〔2018〕15号第4条（当事人议价）"),
    Step(Method.DIRECTED, 2, (Ground.PARTIES_AGREE, Ground.PARTY_REFUSED),
         "法释〔2018〕15号第5条（议价不能或不成，或双方当事人一致要求，且财产有计税基准价、政府定价或政府指导价的，定向询价）",
         needs_table=True),
    Step(Method.ONLINE, 3, (Ground.PARTIES_AGREE, Ground.PARTY_REFUSED, Ground.NO_DIRECTED_PRICE),
         "法释〔2018〕15号第7条（定向询价不能或不成，或双方当事人一致要求或同意，且财产无需现场勘验或鉴定的，网络询价）"),
    Step(Method.APPRAISAL, 4, (Ground.REQUIRED_BY_LAW, Ground.PARTIES_AGREE, Ground.PARTY_REFUSED,
                               Ground.NO_DIRECTED_PRICE, Ground.NEEDS_INSPECTION, Ground.OBJECTION),
         "法释〔2018〕15号第4–7条（法律、行政法规规定必须评估、双方当事人要求或网络询价不能或不成的，委托评估）；"
         + WENLING + "（对询价结果有书面异议的，3个工作日内启动评估）"),
)
LADDER_BY_METHOD: dict[str, Step] = {step.method: step for step in LADDER}
LADDER_CITATION = "法释〔2018〕15号第4–7条（议价、定向询价、网络询价、委托评估，依次适用）"
ALL_BELOW = frozenset({1, 2, 3})
# The rungs a ground passes over. A method may be used when every rung below it is passed: by a
# failed attempt of that rung in the case, by the rung not applying to the asset (no price table),
# or by the grounds given.
GROUND_PASSES: dict[str, frozenset[int]] = {
    Ground.FIRST: frozenset(),
    Ground.LADDER: frozenset(),
    Ground.PARTY_REFUSED: frozenset({1}),
    Ground.NO_DIRECTED_PRICE: frozenset({2}),
    Ground.NEEDS_INSPECTION: frozenset({3}),
    Ground.PARTIES_AGREE: ALL_BELOW,
    Ground.REQUIRED_BY_LAW: ALL_BELOW,
    Ground.OBJECTION: ALL_BELOW,  # only with a pending objection to an inquiry result (checked by the service)
}
GROUND_CITATIONS: dict[str, str] = {
    Ground.FIRST: "法释〔2018〕15号第4条",
    Ground.LADDER: LADDER_CITATION,
    Ground.PARTIES_AGREE: "法释〔2018〕15号第5条第2款、第7条第2款（双方当事人一致要求直接定向询价、网络询价或委托评估）",
    Ground.PARTY_REFUSED: "法释〔2018〕15号第4条（一方当事人拒绝议价或者下落不明的，不经议价）",
    Ground.NO_DIRECTED_PRICE: "法释〔2018〕15号第5条（无计税基准价、政府定价或政府指导价的，不能定向询价）",
    Ground.NEEDS_INSPECTION: "法释〔2018〕15号第7条（须现场勘验或鉴定的，不具备网络询价条件）",
    Ground.REQUIRED_BY_LAW: "法释〔2018〕15号（法律、行政法规规定必须委托评估的）",
    Ground.OBJECTION: WENLING + "；法释〔2018〕15号第22条",
}
# Which asset kinds have a price table kind (定向询价 through the tax bureau's or a vehicle price table).
TABLE_KIND_OF_ASSET = {"real_estate": "real_estate", "vehicle": "vehicle"}


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # "days" (CPL Art. 85: first day not counted, rolls off a rest day), "working_days", "months"
    citation: str


@dataclass(frozen=True)
class ReferenceRules:
    start: Period  # start the procedure after seizing property that must be sold
    inquiry_reply: Period  # online inquiry platforms answer
    inquiry_extensions: int  # one extension of the same length, only if no platform answered
    appraisal: Period  # commissioned appraisal
    appraisal_max_extensions: int
    appraisal_extension_max_days: int
    serve_result: Period  # send the report (result) to the parties
    objection: Period  # objection from receipt of the report
    objection_to_appraisal: Period  # Wenling: objection to an inquiry → appraisal started
    validity_months: int  # the longest validity of a result
    validity_citation: str
    sale_tail_months: int  # an auction or sale may end this long after the validity expired
    start_sale: Period  # start the sale after fixing the price
    select_institution: Period


REFERENCE = ReferenceRules(
    start=Period(30, "days", "法释〔2018〕15号第1条（查封、扣押、冻结后30日内启动确定参考价程序）"),
    inquiry_reply=Period(3, "days", "法释〔2018〕15号第11、13条（网络询价平台3日内出具结果；均未出具的，延长一次3日）"),
    inquiry_extensions=1,
    appraisal=Period(30, "days", "法释〔2018〕15号（委托评估30日内出具报告，可延长两次，每次不超过15日）"),
    appraisal_max_extensions=2,
    appraisal_extension_max_days=15,
    serve_result=Period(3, "days", "法释〔2018〕15号第19条（收到报告后3日内发送当事人及利害关系人）"),
    objection=Period(5, "days", "法释〔2018〕15号第22条（收到报告后5日内提出书面异议）"),
    objection_to_appraisal=Period(3, "working_days", WENLING + "（接到书面异议后3个工作日内启动评估程序）"),
    validity_months=12,
    validity_citation="法释〔2018〕15号第27条（结果有效期最长不超过一年；有效期内发布一拍公告或进入变卖，拍卖、变卖时超过有效期不超过六个月的无需重新确定参考价）",
    sale_tail_months=6,
    start_sale=Period(10, "days", "法释〔2018〕15号第30条（参考价确定后10日内启动财产变价程序）"),
    select_institution=Period(10, "days", "关于人民法院办理执行案件若干期限的规定（法发〔2006〕35号）第7条（10日内选定评估、拍卖机构）"),
)


# ---------------------------------------------------------------- auctions


@dataclass(frozen=True)
class AuctionRules:
    min_start_percent: int  # first auction: starting price ≥ this % of the reference price
    min_start_citation: str
    notice_days_movable: int  # announcement at least this many days before the auction
    notice_days_immovable: int
    notice_citation: str
    parties_notice_days: int  # parties and pre-emption holders told at least this long before the announcement
    parties_notice_citation: str
    deposit_min_percent: int
    deposit_max_percent: int
    deposit_citation: str
    bidding_min_hours: int
    extension_minutes: int  # a bid in the last 5 minutes extends by 5 minutes
    bidding_citation: str
    relist_days: int  # the re-auction after a failed one, within this many days
    relist_notice_days_movable: int
    relist_notice_days_immovable: int
    max_reduction_percent: int  # the second auction's starting price ≤ 20% below the first's
    relist_citation: str
    sale_citation: str
    in_kind_citation: str
    platform_citation: str


AUCTION = AuctionRules(
    min_start_percent=70,
    min_start_citation="法释〔2016〕18号第10条（起拍价不得低于评估价或者市价的百分之七十）",
    notice_days_movable=15,
    notice_days_immovable=30,
    notice_citation="法释〔2016〕18号第12条（拍卖动产的，拍卖15日前公告；拍卖不动产或者其他财产权的，拍卖30日前公告）",
    parties_notice_days=3,
    parties_notice_citation="法释〔2016〕18号第16条（拍卖公告发布3日前通知当事人和已知优先购买权人）",
    deposit_min_percent=5,
    deposit_max_percent=20,
    deposit_citation="法释〔2016〕18号第17条（保证金数额为起拍价的百分之五至百分之二十）",
    bidding_min_hours=24,
    extension_minutes=5,
    bidding_citation="法释〔2016〕18号第20条（竞价时间不少于24小时；竞价程序结束前5分钟内出价的，自动延时5分钟）",
    relist_days=30,
    relist_notice_days_movable=7,
    relist_notice_days_immovable=15,
    max_reduction_percent=20,
    relist_citation="法释〔2016〕18号第26条（流拍后30日内在同一平台再次拍卖，动产7日前、不动产15日前公告；降价幅度不超过前次起拍价的百分之二十）",
    sale_citation="法释〔2016〕18号第26条（再次拍卖流拍的，可以依法在同一平台变卖）",
    in_kind_citation=SALE_LAW + "第16条（流拍后申请执行人申请或同意以该次拍卖所定的保留价抵债的，交其抵债）",
    platform_citation="法释〔2016〕18号第5条（申请执行人从名单库中选择平台，未选择的由人民法院指定）",
)
# Seed 002 §(四)4 (Zhejiang): reductions "原则上应一次性降足" — shown as advice on the second round's form.
ZHEJIANG_REDUCTION_ADVICE = "浙江高院：各次拍卖降价原则上应一次性降足（seed 002 §(四)4）"

# The SPC's list of online judicial auction platforms [recall — rules.md §9 marks it as recalled; a
# court keeps to the platforms the applicant chose]. Online inquiry platforms likewise [recall].
AUCTION_PLATFORMS = ("淘宝网", "京东网", "人民法院诉讼资产网", "公拍网", "中国拍卖行业协会网（中拍网）")
INQUIRY_PLATFORMS = ("淘宝网", "京东网", "人民法院诉讼资产网")
PLATFORM_LIST_NOTE = "平台名单据最高人民法院名单库（rules.md §9 标注为“记忆”，待核对最新名单）"


def notice_days(asset_kind: str, *, relist: bool = False) -> int:
    """The announcement period of an asset kind: movables (vehicles, vessels) short, real estate and
    other property rights long (Art. 12; Art. 26 for a re-auction)."""
    kind = ASSET_KINDS.get(asset_kind)
    movable = kind is not None and kind.period_class == "movable"
    if relist:
        return AUCTION.relist_notice_days_movable if movable else AUCTION.relist_notice_days_immovable
    return AUCTION.notice_days_movable if movable else AUCTION.notice_days_immovable


# A disposal needs the asset held by an effective (not queued) seizure or detention of the case.
DISPOSABLE_MEASURE_KINDS = ("seal", "detain")
DISPOSAL_HOLD_CITATION = "查封规定第26条（轮候查封在先查封解除前不生效，不能据以处置）；" + QUEUE_CITATION


# ---------------------------------------------------------------- Wenling directed inquiry


WENLING_FORMULA = "评估价 = 建筑面积 × 楼幢基准价 × 楼层系数 × 朝向系数（" + WENLING + "）"
DATA_SECURITY_CITATION = WENLING + "：不动产询价平台安全保密协议——专人专岗操作，查询结果仅用于办案，限制查询范围、次数、时间，自动存档系统日志"
# Defaults of a court's own setting (DisposalSettings); the agreement leaves the number to the court.
DEFAULT_DAILY_LOOKUP_LIMIT = 30
DEFAULT_DAILY_BATCH_LIMIT = 2
COEFFICIENT_PLACES = 4
MAX_TABLE_ROWS = 200_000


# ---------------------------------------------------------------- who does what


PRICE_ROLES = HANDLING  # judges and assistants fix reference prices and run auctions
LOOKUP_ROLES = HANDLING | {Role.CLERK, Role.COMMAND_CENTRE}  # 专人专岗: staff of the case or the command centre
BATCH_ROLES = LEADERS | {Role.COMMAND_CENTRE}  # a court-wide valuation is the command centre's
TABLE_ROLES = LEADERS | {Role.COMMAND_CENTRE}  # importing the tax bureau's tables
SETTINGS_ROLES = LEADERS
LISTING_ROLES = HANDLING | {Role.CLERK}
