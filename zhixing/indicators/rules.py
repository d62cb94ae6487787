"""The quality indicators (质效指标, catalogue C39) as data, each with its formula, unit, direction,
target and citation (../shared/domain/rules.md §12; seeds 004 §三(三), 001 cases 3, 4, 9).

Where is the rule that 结案率 counts 旧存 + 新收? Here: INDICATORS["closure_rate"], whose numerator and
denominator name facts defined once in facts.py — the same definition computes the figure (engine.py)
and lists the cases behind it (selectors.drilldown), so the two cannot disagree.

Which cases count (docs/indicators.md has the worked examples):
- only enforcement-implementation cases (执行实施案件): case types 执 and 执恢 (IMPLEMENTATION_TYPES);
  执保 and the review types (执异、执复、执监 …) are other work and are not counted;
- 结案 in a period: closed_on within it, any closing type (seed 004 §三(三): 结案总数 = 执行完毕、终结执行、
  销案、不予执行、驳回申请、终结本次执行程序);
- 旧存 + 新收 (handled in a period): filed on or before its end and not closed before its start;
- team and handler are the case's current ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zhixing.cases.choices import CaseType

from .choices import Direction, Group, Level, Tier, Unit

IMPLEMENTATION_TYPES = (CaseType.FIRST, CaseType.RESTORED)
IMPLEMENTATION_CITATION = "关于执行案件立案、结案若干问题的意见（法发〔2014〕26号）：执行实施类案件（首次执行、恢复执行）"

CAMPAIGN = "最高人民法院“用两到三年时间基本解决执行难”核心指标（2016—2018年）〔rules.md §12，recall〕"
CAMPAIGN_SEEDS = "seed 001 案例3（天津一中院）、案例4（上海长宁）、案例9（郑州二七）报告的同名指标"
COMMON = "法院通行口径〔rules.md §12，recall〕"
WUHAN = "武汉市中级人民法院关于基本解决执行难问题的行动方案（2016—2018年）§三（三）实体指标（seed 004）"
WUHAN_TARGETS = "武汉中院行动方案 §一行动目标第3项：2018年1月执行完毕案件占有财产可供执行案件90%以上、标的金额到位率80%以上（seed 004）"
TIME_LIMIT = "关于人民法院办理执行案件若干期限的规定（法发〔2006〕35号）第1条（6个月）、第13条（不计入期间）"
ZHONGBEN = "关于严格规范终结本次执行程序的规定（试行）（法〔2016〕373号）"
CLOSING_TYPES = "关于执行案件立案、结案若干问题的意见（法发〔2014〕26号）"

# Seed 004 §三(一): a case whose property has been found and realised in full, or where none was found,
# is 执行不能, not 执行难. A case "with property" is one that shows property: closed as performed,
# money realised, or a node recording property found or a control measure (rules.NODES).
PROPERTY_EVIDENCE_NODES = ("property_found", "freeze", "network_freeze", "seal", "detain", "deduct", "other_control")
# 执行措施: control measures and sanctions (seed 004 §二(二)3, 6).
MEASURE_NODES = ("freeze", "network_freeze", "seal", "detain", "deduct", "other_control",
                 "sanction", "consumption_restriction", "dishonest_listing")
# Closed without reaching the merits of enforcement: not a case with property (nor without).
PROCEDURAL_CLOSINGS = ("withdrawn", "not_enforced", "rejected")


@dataclass(frozen=True)
class Measure:
    """A count (or, with `total`, a sum of a column) over the rows of `source` meeting `fact`.

    source: cases (执行实施案件 handled in the period), cases_3y (those filed in the last three years),
    petitions, reviews (distinct cases), zhongben (the closing app's sample review)."""

    source: str
    fact: str
    label: str
    total: str = ""  # "", "claim_amount_fen", "performed_amount_fen" or "days"

    @property
    def key(self) -> str:
        return f"{self.source}.{self.fact}" + (f".{self.total}" if self.total else "")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    group: str
    unit: str
    direction: str
    numerator: Measure
    denominator: Measure
    definition: str
    citation: str
    target: Decimal | None = None
    target_citation: str = ""
    levels: tuple[str, ...] = (Level.COURT, Level.TEAM, Level.HANDLER)
    short: str = ""  # for chart legends

    @property
    def scale(self) -> int:
        return 100 if self.unit == Unit.PERCENT else 1

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label

    @property
    def label(self) -> str:
        return self.short or self.name

    def meets_target(self, value: Decimal | None) -> bool | None:
        if value is None or self.target is None:
            return None
        return value >= self.target if self.direction == Direction.HIGHER else value <= self.target


# ---------------------------------------------------------------- measures (facts.py defines each fact)

CLOSED = Measure("cases", "closed", "结案数")
HANDLED = Measure("cases", "handled", "旧存与新收案件数")
CLOSED_PERFORMED = Measure("cases", "closed_performed", "执行完毕结案数")
CLOSED_ACTUAL = Measure("cases", "closed_actual", "实际执结数（执行完毕或部分执行到位）")
CLOSED_PARTIAL = Measure("cases", "closed_partial", "部分执行到位结案数")
CLOSED_IN_TIME = Measure("cases", "closed_in_time", "法定期限内结案数")
WITH_PROPERTY = Measure("cases", "with_property", "有财产可供执行案件结案数")
WITH_PROPERTY_PERFORMED = Measure("cases", "with_property_performed", "有财产可供执行案件中执行完毕数")
WITH_PROPERTY_ACTUAL_IN_TIME = Measure("cases", "with_property_actual_in_time", "有财产案件法定期限内实际执结数")
CLOSED_MEASURED = Measure("cases", "closed_measured", "采取执行措施的结案数")
CLOSED_DISCLOSED = Measure("cases", "closed_disclosed", "执行公开的结案数")
FILED_3Y = Measure("cases_3y", "filed_3y", "近三年收案数")
FILED_3Y_CLOSED = Measure("cases_3y", "filed_3y_closed", "近三年收案中已结案数")
CLAIM_CLOSED = Measure("cases", "closed", "结案案件申请执行标的（分）", total="claim_amount_fen")
PERFORMED_CLOSED = Measure("cases", "closed", "结案案件实际执行到位（分）", total="performed_amount_fen")
DAYS_CLOSED = Measure("cases", "closed", "结案案件执行天数合计", total="days")
PETITIONS_HANDLED = Measure("petitions", "handled", "应办信访件数（旧存与新收）")
PETITIONS_CLOSED = Measure("petitions", "closed", "办结信访件数")
PETITIONS_RECEIVED = Measure("petitions", "received", "收到信访件数")
CASES_REVOKED = Measure("reviews", "revoked", "执行行为被撤销或变更的案件数")
CASES_COMPENSATED = Measure("reviews", "compensated", "决定国家赔偿的案件数")
ZHONGBEN_PASSED = Measure("zhongben", "passed", "抽查合格的终本案件数")
ZHONGBEN_REVIEWED = Measure("zhongben", "reviewed", "抽查并已评查的终本案件数")

# ---------------------------------------------------------------- the indicators

_P, _D = Unit.PERCENT, Unit.DAYS
_UP, _DOWN = Direction.HIGHER, Direction.LOWER

INDICATOR_LIST: tuple[Indicator, ...] = (
    # The campaign's core four
    Indicator(
        "property_in_time_rate", "有财产可供执行案件法定期限内实际执结率", Group.CORE, _P, _UP,
        WITH_PROPERTY_ACTUAL_IN_TIME, WITH_PROPERTY,
        "期间内结案的有财产可供执行案件中，实际执结（执行完毕或部分执行到位）且在法定期限内（立案起6个月，"
        "扣除暂缓、中止等不计入期间并加上经批准的延长；取督办“执行期限”，无则取案件结案期限）结案的比例。"
        "有财产可供执行案件：结案方式不是终本、销案、不予执行、驳回申请，且执行完毕、有执行到位金额、"
        "或记录过“有财产可供执行”或控制措施节点。",
        f"{CAMPAIGN}；{TIME_LIMIT}；{WUHAN} §三（一）（执行难与执行不能的界定）",
        Decimal("90"), CAMPAIGN, short="有财产案件法定期限内实际执结率",
    ),
    Indicator(
        "termination_quality_rate", "无财产可供执行案件终本合格率", Group.CORE, _P, _UP,
        ZHONGBEN_PASSED, ZHONGBEN_REVIEWED,
        "期间内结案的终本案件抽查样本中，已评查的案件里合格的比例（按结案日期计入期间），取自终本抽查记录（closing 应用）；无抽查记录时显示“无抽查数据”。"
        "只按法院统计。",
        f"{CAMPAIGN}；{ZHONGBEN}第1条", Decimal("90"), CAMPAIGN, levels=(Level.COURT,), short="终本合格率",
    ),
    Indicator(
        "petition_closure_rate", "执行信访案件办结率", Group.CORE, _P, _UP,
        PETITIONS_CLOSED, PETITIONS_HANDLED,
        "期间内办结的执行信访件数 ÷（期初未办结的 + 期间内收到的）执行信访件数。信访按所涉案件的法院、团队、承办人统计。",
        CAMPAIGN, Decimal("90"), CAMPAIGN, short="信访办结率",
    ),
    Indicator(
        "overall_closure_rate_3y", "近三年执行案件整体执结率", Group.CORE, _P, _UP,
        FILED_3Y_CLOSED, FILED_3Y,
        "期间截止日前三年内（截止日往前36个月的次日起至截止日）立案的执行实施案件中，到截止日已结案（任何结案方式）的比例。",
        f"{CAMPAIGN}；{CAMPAIGN_SEEDS}", Decimal("80"), CAMPAIGN, short="近三年整体执结率",
    ),
    # Wuhan's 公正 (fairness)
    Indicator(
        "disclosure_rate", "执行公开率", Group.FAIRNESS, _P, _UP, CLOSED_DISCLOSED, CLOSED,
        "期间内结案的案件中，有执行公开记录（结案文书上网、流程节点告知当事人、被执行人及查控信息公开）的比例。",
        f"{WUHAN} 1；§二（二）8（执行信息全部公开）、§四（三）4（过程公开、节点告知、文书上网）",
    ),
    Indicator(
        "conduct_revoked_rate", "执行行为撤改率", Group.FAIRNESS, _P, _DOWN, CASES_REVOKED, CLOSED,
        "期间内执行行为经异议、复议或执行监督被撤销或变更的案件数 ÷ 同期结案数（与审判“发改率”同一口径）。",
        f"{WUHAN} 1",
    ),
    Indicator(
        "state_compensation_rate", "国家赔偿率", Group.FAIRNESS, _P, _DOWN, CASES_COMPENSATED, CLOSED,
        "期间内因执行行为决定国家赔偿的案件数 ÷ 同期结案数。",
        f"{WUHAN} 1",
    ),
    # Wuhan's 效率 (efficiency)
    Indicator(
        "in_time_closure_rate", "法定期限内结案率", Group.EFFICIENCY, _P, _UP, CLOSED_IN_TIME, CLOSED,
        "期间内结案的案件中，在法定期限内（立案起6个月，扣除不计入期间并加上经批准的延长）结案的比例。",
        f"{WUHAN} 2；{TIME_LIMIT}", short="法定期限内结案率",
    ),
    Indicator(
        "average_duration_days", "平均执行周期", Group.EFFICIENCY, _D, _DOWN, DAYS_CLOSED, CLOSED,
        "期间内结案案件自立案日至结案日的天数之和 ÷ 结案数（日历天数）。",
        f"{WUHAN} 2",
    ),
    Indicator(
        "measure_taken_rate", "执行措施采取率", Group.EFFICIENCY, _P, _UP, CLOSED_MEASURED, CLOSED,
        "期间内结案的案件中，采取过控制措施（冻结、查封、扣押、扣划等）或惩戒措施（制裁、限制消费、纳入失信名单）的比例。",
        f"{WUHAN} 2；§二（二）3、6",
    ),
    # Wuhan's 效果 (effect)
    Indicator(
        "actual_closure_rate", "实际执结率", Group.EFFECT, _P, _UP, CLOSED_ACTUAL, CLOSED,
        "期间内结案的案件中，执行完毕或有执行到位金额（部分执行到位，包括强制执行、自动履行、和解履行）的比例。",
        f"{WUHAN} 3；{COMMON}",
    ),
    Indicator(
        "partial_closure_rate", "部分执结率", Group.EFFECT, _P, _UP, CLOSED_PARTIAL, CLOSED,
        "期间内结案的案件中，未执行完毕但有执行到位金额的比例。",
        f"{WUHAN} 3",
    ),
    Indicator(
        "petition_ratio", "信访投诉率（案访比）", Group.EFFECT, _P, _DOWN, PETITIONS_RECEIVED, CLOSED,
        "期间内收到的执行信访件数 ÷ 同期结案数（每百件结案的信访件数）。",
        f"{WUHAN} 3", short="案访比",
    ),
    # The rest of the common set
    Indicator(
        "performed_rate", "执行完毕率", Group.OTHER, _P, _UP, CLOSED_PERFORMED, CLOSED,
        "期间内以执行完毕方式结案的案件数 ÷ 结案数。",
        f"{COMMON}；{CLOSING_TYPES}",
    ),
    Indicator(
        "performed_of_property_rate", "执行完毕案件占有财产可供执行案件比例", Group.OTHER, _P, _UP,
        WITH_PROPERTY_PERFORMED, WITH_PROPERTY,
        "期间内结案的有财产可供执行案件中，以执行完毕方式结案的比例。",
        WUHAN_TARGETS, Decimal("90"), WUHAN_TARGETS, short="执行完毕占有财产案件比例",
    ),
    Indicator(
        "amount_realised_rate", "标的到位率", Group.OTHER, _P, _UP, PERFORMED_CLOSED, CLAIM_CLOSED,
        "期间内结案案件的实际执行到位金额之和 ÷ 申请执行标的额之和（整数分计算）。",
        f"{COMMON}；{WUHAN_TARGETS}", Decimal("80"), WUHAN_TARGETS,
    ),
    Indicator(
        "closure_rate", "结案率", Group.OTHER, _P, _UP, CLOSED, HANDLED,
        "期间内结案数 ÷（期初未结的旧存案件 + 期间内新收案件）。",
        COMMON,
    ),
)

INDICATORS: dict[str, Indicator] = {i.code: i for i in INDICATOR_LIST}
INDICATOR_CHOICES = [(i.code, i.name) for i in INDICATOR_LIST]
CORE_CODES = tuple(i.code for i in INDICATOR_LIST if i.group == Group.CORE)

# ---------------------------------------------------------------- Wuhan's weighted scorecard


@dataclass(frozen=True)
class ScoreLine:
    """How one indicator scores: `weight` points, earned in full at `full_at` or better, none at
    `zero_at` or worse, in a straight line between (values in the indicator's unit)."""

    indicator: str
    weight: int
    full_at: Decimal
    zero_at: Decimal


SCORECARD_CITATION = f"{WUHAN}：实体指标量化考核，按各具体指标总和得分计算"
# The groups and their indicators are the seed's; the weights and scoring lines are in the plan's
# annex 《武汉市中级人民法院关于基本解决执行难的实体指标》, which the seeds do not include. These
# defaults are placeholders, anchored where a rule gives an anchor — a court sets its own (weights page).
DEFAULTS_NOTE = "种子文件未收录附件《实体指标》的权重与计算方式：以下为占位默认值，请按本院考核办法设置"
SCORECARD_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Group.FAIRNESS, ("disclosure_rate", "conduct_revoked_rate", "state_compensation_rate")),
    (Group.EFFICIENCY, ("in_time_closure_rate", "average_duration_days", "measure_taken_rate")),
    (Group.EFFECT, ("actual_closure_rate", "partial_closure_rate", "petition_ratio")),
)
DEFAULT_LINES: tuple[ScoreLine, ...] = (
    ScoreLine("disclosure_rate", 10, Decimal("100"), Decimal("50")),
    ScoreLine("conduct_revoked_rate", 10, Decimal("0"), Decimal("5")),
    ScoreLine("state_compensation_rate", 10, Decimal("0"), Decimal("1")),
    ScoreLine("in_time_closure_rate", 15, Decimal("90"), Decimal("50")),  # full at the campaign's 90%
    # full within the statutory 6 months (法发〔2006〕35号 Art. 1); none at a year (五超 长期未结, seed 001 case 1)
    ScoreLine("average_duration_days", 10, Decimal("180"), Decimal("365")),
    ScoreLine("measure_taken_rate", 10, Decimal("100"), Decimal("50")),
    ScoreLine("actual_closure_rate", 15, Decimal("60"), Decimal("20")),
    ScoreLine("partial_closure_rate", 10, Decimal("20"), Decimal("0")),
    ScoreLine("petition_ratio", 10, Decimal("0"), Decimal("5")),
)
DEFAULT_LINES_BY_CODE = {line.indicator: line for line in DEFAULT_LINES}
SCORED_CODES = tuple(code for _group, codes in SCORECARD_GROUPS for code in codes)
SCORED_CHOICES = [(code, INDICATORS[code].name) for code in SCORED_CODES]
MAX_WEIGHT = 100

# Tiers of the total (seed 004 §三(三)): "总分为70-80分的，达标；为80-90分的，良好；超过90分的，优秀；
# 低于70分的，不达标". The text gives 80 to two bands: here 80 is 良好 (the higher), 90 is 良好 (超过 = above).
TIER_CITATION = WUHAN
TIER_BOUNDS: tuple[tuple[str, Decimal, bool], ...] = (  # (tier, bound, bound included), best first
    (Tier.EXCELLENT, Decimal("90"), False),  # 超过90分: above 90
    (Tier.GOOD, Decimal("80"), True),
    (Tier.MET, Decimal("70"), True),
)


def tier_for(score: Decimal) -> str:
    for tier, bound, included in TIER_BOUNDS:
        if score > bound or (included and score == bound):
            return tier
    return Tier.NOT_MET
