"""Deadline rules of supervision (C06–C09), as data with their citation (../shared/domain/rules.md).

A rule says what starts its clock, how long it runs, what satisfies it, which periods do not count
and who must act. These are the national (or nationally practised) versions; the database keeps
every version actually applied (`RuleVersion`), and a court may add a stricter one of its own
(`rule_stricter_than_law` refuses a looser one). Where is the 6-month enforcement period? Here:
RULES_BY_CODE["close_period"].
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhixing.disposal.rules import REFERENCE
from zhixing.money.rules import AFTER_DEFERRAL
from zhixing.property.rules import CLUE_CITATION, CLUE_VERIFY_DAYS, RENEWAL_REMINDER_DAYS
from zhixing.workdays import calendar

CONTROL_NODES = ("freeze", "network_freeze", "seal", "detain", "deduct", "other_control")
DISPOSAL_NODES = ("appraisal_started", "auction_started", "sale_started", "transfer_in_kind", "deduct")
QUERY_NODES = ("network_query", "traditional_query")
# What a case locked for an expiring measure may still do: renew it (the measure is taken again),
# release it, record its lapse, or start disposal.
MEASURE_REMEDIES = ("freeze", "network_freeze", "seal", "detain", "measure_renew", "measure_release", "measure_lapse",
                    *DISPOSAL_NODES)
MEASURE_CITATION = "民诉法解释（2022）第485条；查封规定第27条"
# What a case locked for a disposal deadline may still do: carry the disposal on — fix the reference
# price (start, serve, take an objection), announce an auction or sale, take the asset in kind — or
# stop holding the asset (release, lapse).
DISPOSAL_REMEDIES = ("appraisal_started", "appraisal_served", "appraisal_objection", "auction_started", "second_auction",
                     "sale_started", "auction_confirmed", "transfer_in_kind", "handover", "measure_release",
                     "measure_lapse")


class Kind:
    """How a rule finds its start and its satisfaction in a case's facts."""

    FILING = "filing"  # from the filing date; met by the first of `met_by` (or by closing the case)
    NODE = "node"  # from the first of `start_nodes`; met by the first of `met_by` on or after it
    LAST_NODE = "last_node"  # from the latest of `start_nodes` (a renewal restarts it); met by `met_by`
    PAIRED = "paired"  # each `start_nodes` event needs a later `met_by` event; the oldest unanswered one runs
    CLOSING = "closing"  # from the closing date; met by archiving
    MEASURE = "measure"  # from the start of the oldest running control measure of `period_class`
    # (property.ControlMeasure; a renewal starts a new one); met when none of that class runs any more
    DISPOSAL = "disposal"  # per asset the case holds for sale, one step of disposal (`facet`): from the
    # oldest start among the assets still waiting for it; met when none waits (property_facts.DISPOSAL_FACETS);
    # in a case without disposal records, by the first of `met_by` on or after that start


class Facet:
    """The steps of disposal a Kind.DISPOSAL rule watches, asset by asset (zhixing.disposal)."""

    REFERENCE_PRICE = "reference_price"  # a seized asset waits for its reference price to be started
    SALE_START = "sale_start"  # an asset with a fixed reference price waits for its sale to be announced


class WuChao:
    """The five "五超" classes exactly as seed 001 case 1 (北京海淀法院) defines them."""

    PROPERTY_NOT_CONTROLLED = "property_not_controlled"
    MEASURE_EXPIRED = "measure_expired"
    PAYOUT_OVERDUE = "payout_overdue"
    LONG_PENDING = "long_pending"
    ARCHIVE_OVERDUE = "archive_overdue"

    LABELS = {
        PROPERTY_NOT_CONTROLLED: "有财产超15天未查控",
        MEASURE_EXPIRED: "执行措施到期未处置",
        PAYOUT_OVERDUE: "超期未发款",
        LONG_PENDING: "长期未结",
        ARCHIVE_OVERDUE: "超期未归档",
    }
    ORDER = (PROPERTY_NOT_CONTROLLED, MEASURE_EXPIRED, PAYOUT_OVERDUE, LONG_PENDING, ARCHIVE_OVERDUE)


WUCHAO_CITATION = "北京市海淀区人民法院“五超案件”自动提示（执行难典型案例 案例1，seed 001）"


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    name: str
    kind: str
    amount: int
    unit: str  # "days" (CPL Art. 85: rolls off a rest day), "working_days" or "months"
    citation: str
    start_nodes: tuple[str, ...] = ()
    met_by: tuple[str, ...] = ()
    met_by_closing: bool = False
    met_after_count: int = 1  # met by the n-th `met_by` event (second investigation: 2)
    extra_days: int = 0  # "2.5 months" = 2 months + 15 days
    roll_off: bool = True  # a period ending on a rest day ends on the next workday (CPL Art. 85)
    pausable: bool = False  # 暂缓, 中止, public notice, appraisal and auction periods do not count
    extendable: bool = False  # 延长执行期限 on the president's approval
    lead_days: int | None = None  # yellow from this many days before; None: the court's policy
    wuchao: str = ""
    acting: str = "承办法官"
    remedy: str = ""  # what clears it, shown in warnings and lock messages
    remedy_nodes: tuple[str, ...] = ()  # besides `met_by`: other actions allowed on a case locked by it
    period_class: str = ""  # Kind.MEASURE: property.rules.PERIOD_CLASSES code
    facet: str = ""  # Kind.DISPOSAL: a Facet
    # The start day itself is in force (a measure "自3月1日起至次年2月28日止"): one year from
    # 2026-03-01 ends 2027-02-28 (calendar.last_day_in_force).
    first_day_counts: bool = False

    @property
    def period_text(self) -> str:
        unit = {"days": "日", "working_days": "个工作日", "months": "个月"}[self.unit]
        text = f"{self.amount}{unit}"
        if self.extra_days:
            text += f"{self.extra_days}日"
        return text

    def allowed_when_locked(self) -> frozenset[str]:
        actions = set(self.met_by) | set(self.remedy_nodes)
        if self.met_by_closing:
            actions.add("close")
        if self.kind == Kind.CLOSING:
            actions.add("archive")
        return frozenset(actions)


def due_date(amount: int, unit: str, start: dt.date, *, extra_days: int = 0, roll_off: bool = True,
             extra_months: int = 0, paused_days: int = 0, first_day_counts: bool = False) -> dt.date:
    """The last day of a period. Excluded (paused) days and approved extensions push it out; a
    period counted in days or months that ends on a rest day ends on the next workday (CPL Art. 85)."""
    if first_day_counts:  # the same end as the measure itself (calendar.last_day_in_force)
        if unit != "months":
            raise ValueError("first_day_counts is for periods in months")
        end = calendar.last_day_in_force(start, amount + extra_months) + dt.timedelta(days=extra_days + paused_days)
        return calendar.add_days(end, 0) if roll_off else end
    if unit == "working_days":
        due = calendar.add_working_days(start, amount)
        if extra_months:
            due = calendar.add_months(due, extra_months, roll_off_rest_day=False)
        return calendar.add_days(due, paused_days + extra_days) if (paused_days or extra_days) else due
    if unit == "days":
        end = start + dt.timedelta(days=amount + extra_days + paused_days)
        if extra_months:
            end = calendar.add_months(end, extra_months, roll_off_rest_day=False)
    elif unit == "months":
        end = calendar.add_months(start, amount + extra_months, roll_off_rest_day=False)
        end += dt.timedelta(days=extra_days + paused_days)
    else:
        raise ValueError(f"unknown unit {unit!r}")
    return calendar.add_days(end, 0) if roll_off else end  # 0 days on: only the rest-day roll-off


RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule(
        "assign", "分案", Kind.FILING, 7, "days",
        "关于人民法院办理执行案件若干期限的规定（法发〔2006〕35号）第2条",
        met_by=("assign",), acting="执行局长/指挥中心", remedy="确定承办人（分案）",
    ),
    DeadlineRule(
        "enforcement_notice", "发出执行通知书", Kind.FILING, 3, "days",
        "法发〔2006〕35号第4条（收到案件材料后3日内）；流程节点瑕疵核查第1项。民诉法解释第480条的10日为外限",
        met_by=("enforcement_notice",), acting="承办法官/书记员", remedy="发出执行通知书和报告财产令",
        remedy_nodes=("property_report_order",),
    ),
    DeadlineRule(
        "first_network_query", "首次网络查控", Kind.FILING, 10, "days",
        "法发〔2006〕35号第6条（10日内启动调查）；流程节点瑕疵核查第2项",
        met_by=("network_query",), acting="指挥中心/承办团队", remedy="启动网络查控",
    ),
    DeadlineRule(
        "clue_verification", "财产线索核查", Kind.PAIRED, CLUE_VERIFY_DAYS, "days", CLUE_CITATION,
        start_nodes=("clue_received",), met_by=("clue_verified",), acting="承办团队", remedy="核查财产线索",
    ),
    DeadlineRule(
        "property_control", "有财产未查控", Kind.NODE, 15, "days", WUCHAO_CITATION,
        start_nodes=("property_found",), met_by=CONTROL_NODES, wuchao=WuChao.PROPERTY_NOT_CONTROLLED,
        acting="承办团队", remedy="对已发现的财产采取查封、冻结、扣押或扣划",
    ),
    # Measure periods (CPL-JI Art. 485): renew before expiry or it lapses (查封规定 Art. 27). Read from
    # the control measures themselves: the oldest running one of each period class is the one due;
    # a renewal (续行) ends it and starts the next period; release or lapse ends the watch.
    DeadlineRule(
        "measure_bank", "冻结到期（存款1年）", Kind.MEASURE, 12, "months", MEASURE_CITATION,
        period_class="deposit", first_day_counts=True, roll_off=False, lead_days=RENEWAL_REMINDER_DAYS, wuchao=WuChao.MEASURE_EXPIRED,
        remedy="续行冻结、解除或处置财产", remedy_nodes=MEASURE_REMEDIES,
    ),
    DeadlineRule(
        "measure_movables", "查封扣押到期（动产2年）", Kind.MEASURE, 24, "months", MEASURE_CITATION,
        period_class="movable", first_day_counts=True, roll_off=False, lead_days=RENEWAL_REMINDER_DAYS, wuchao=WuChao.MEASURE_EXPIRED,
        remedy="续行查封扣押、解除或处置财产", remedy_nodes=MEASURE_REMEDIES,
    ),
    DeadlineRule(
        "measure_realty", "查封冻结到期（不动产及其他财产权3年）", Kind.MEASURE, 36, "months", MEASURE_CITATION,
        period_class="immovable", first_day_counts=True, roll_off=False, lead_days=RENEWAL_REMINDER_DAYS, wuchao=WuChao.MEASURE_EXPIRED,
        remedy="续行查封冻结、解除或处置财产", remedy_nodes=MEASURE_REMEDIES,
    ),
    # Disposal (法释〔2018〕15号), read asset by asset from the control measures and zhixing.disposal's
    # reference prices and auction rounds. A queued seizure (轮候) has not taken effect and a deposit is
    # deducted, not sold: neither waits for a price (disposal.reference._ensure_disposable).
    DeadlineRule(
        "reference_price", "确定参考价（查封、扣押、冻结后30日内启动）", Kind.DISPOSAL, REFERENCE.start.amount,
        REFERENCE.start.unit, REFERENCE.start.citation, facet=Facet.REFERENCE_PRICE,
        met_by=("appraisal_started", "auction_started", "sale_started", "transfer_in_kind"),  # cases without disposal records
        acting="承办法官", remedy="启动确定参考价（议价、询价或委托评估），或解除查封、扣押、冻结", remedy_nodes=DISPOSAL_REMEDIES,
    ),
    DeadlineRule(
        "sale_start", "启动变价（参考价确定后10日内）", Kind.DISPOSAL, REFERENCE.start_sale.amount,
        REFERENCE.start_sale.unit, REFERENCE.start_sale.citation, facet=Facet.SALE_START,
        acting="承办法官", remedy="发布拍卖（变卖）公告启动变价，或解除查封、扣押、冻结", remedy_nodes=DISPOSAL_REMEDIES,
    ),
    DeadlineRule(
        "payout", "执行款发放", Kind.PAIRED, 30, "days",
        "关于执行款物管理工作的规定（法发〔2017〕6号）：到账通知之日起30日内发放",
        # An approved deferral (暂缓发放) answers it too; its end starts `payout_after_deferral`.
        start_nodes=("funds_received",), met_by=("payout_done", "payout_deferred"), wuchao=WuChao.PAYOUT_OVERDUE,
        remedy="发放执行款，或报批暂缓发放", remedy_nodes=("payout_prepared",),
    ),
    DeadlineRule(
        "payout_after_deferral", "暂缓事由消除后发放", Kind.PAIRED, AFTER_DEFERRAL.amount, AFTER_DEFERRAL.unit,
        AFTER_DEFERRAL.citation, start_nodes=("payout_deferral_ended",), met_by=("payout_done",),
        wuchao=WuChao.PAYOUT_OVERDUE, remedy="发放执行款", remedy_nodes=("payout_prepared",),
    ),
    DeadlineRule(
        "close_period", "执行期限（6个月）", Kind.FILING, 6, "months",
        "法发〔2006〕35号第1条、第13条；关于严格执行案件审理期限制度的若干规定（2000）第5条、第9条",
        met_by_closing=True, pausable=True, extendable=True, acting="承办法官",
        remedy="结案，或在届满5日前申请延长执行期限", remedy_nodes=("extension_requested",),
    ),
    DeadlineRule(
        "long_pending", "长期未结（1年）", Kind.FILING, 12, "months",
        WUCHAO_CITATION + "；清理一年以上未结执行案件", met_by_closing=True, wuchao=WuChao.LONG_PENDING,
        remedy="结案", remedy_nodes=("zhongben_started", "interview"),
    ),
    DeadlineRule(
        "second_investigation", "二次财产调查（2.5个月）", Kind.FILING, 2, "months",
        "北京海淀法院：在办超过2.5个月的案件再次财产调查（seed 001 案例1）",
        met_by=QUERY_NODES, met_after_count=2, extra_days=15, acting="承办团队", remedy="再次网络或传统查控",
    ),
    DeadlineRule(
        "archive", "结案后归档", Kind.CLOSING, 1, "months",
        "武汉中院执行工作行动方案 §程序规范7（结案后一个月内归档）", wuchao=WuChao.ARCHIVE_OVERDUE,
        acting="书记员", remedy="归档",
    ),
)

RULES_BY_CODE: dict[str, DeadlineRule] = {rule.code: rule for rule in RULES}

# Stricter local rules shipped as data; a court adopts one in its supervision settings.
LOCAL_RULES: dict[str, tuple[str, int, str, str]] = {
    # name: (rule code, amount, unit, citation)
    "浙江执行款7个工作日": ("payout", 7, "working_days", "浙江高院《关于进一步加强执行工作的意见》（seed 002 §(四)5：七个工作日内发放完毕）"),
}

# 延长执行期限: 3 months each, on the president's approval; requested at least 5 days before expiry.
EXTENSION_MONTHS = 3
EXTENSION_CITATION = "关于严格执行案件审理期限制度的若干规定（2000）第5条；法发〔2006〕35号第1条（届满5日前提出）"
EXTENSION_REQUEST_DAYS_BEFORE = 5


class SuspensionKind:
    """Periods that do not count in the enforcement period (法发〔2006〕35号第13条; 2000 规定第9条)."""

    CHOICES = [
        ("deferral", "暂缓执行"),
        ("interruption", "中止执行"),
        ("public_notice", "公告送达"),
        ("appraisal", "审计、评估"),
        ("auction", "拍卖、变卖"),
        ("instruction", "向上级法院请示"),
        ("coordination", "上级法院协调"),
    ]
    CITATION = "法发〔2006〕35号第13条；关于严格执行案件审理期限制度的若干规定（2000）第9条"
    # 暂缓: at most 3 months, extendable by at most 3 (关于正确适用暂缓执行措施若干问题的规定 Art. 10).
    DEFERRAL_MAX_MONTHS = 3
    DEFERRAL_MAX_EXTENSION_MONTHS = 3
    DEFERRAL_CITATION = "关于正确适用暂缓执行措施若干问题的规定第10条"
