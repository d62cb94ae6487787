"""Closing right, as data with its citation (../shared/domain/rules.md §§ 6, 7, 10, 11).

Where is the rule that 终本 needs the applicant interviewed? ZHONGBEN_CONDITIONS, code "interview"
(法〔2016〕373号 Art. 5). How often is a 终本 case re-queried? POOL_SCHEDULE (Art. 9). Within how
many working days must a case be restored? RESTORATION_LIMIT (seed 002 §(三)4). What does the
dossier of a 终本 case need before archiving? DOSSIER_REQUIREMENTS. Marks as in rules.md: "[recall]"
is quoted as commonly known and not re-read — kept here so that it is easy to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.accounts.choices import Role
from zhixing.cases.choices import ClosingType
from zhixing.cases.rules import HANDLING, LEADERS, ROUTINE
from zhixing.supervision.rules import RULES_BY_CODE

ZHONGBEN_RULES = "关于严格规范终结本次执行程序的规定（试行）（法〔2016〕373号）"


def _art(article: str) -> str:
    return f"法〔2016〕373号{article}"


# ---------------------------------------------------------------- 终本 conditions (法〔2016〕373号)


class Kind:
    """How a condition is proved from the case's own records (checks.py has one evaluator per kind)."""

    RECORD = "record"  # a flow node or a generated document
    SERVED = "served"  # RECORD, and served: a 送达回证 signed by the recipient naming the document
    CHECKLIST = "checklist"  # the five network queries of the 5+X+Y checklist answered for every respondent
    CLUES = "clues"  # no property clue still waiting to be verified
    OFFLINE = "offline"  # traditional (on-site) investigation finished, or a Y item answered
    DISPOSAL = "disposal"  # nothing found, or what was found controlled and not disposable
    TIME = "time"  # more than 3 months since filing
    LISTING = "listing"  # dishonest-debtor list where its conditions are met
    SEARCH = "search"  # a lead about a missing respondent's whereabouts recorded (property.PersonLead)


@dataclass(frozen=True)
class Condition:
    code: str
    article: str  # 第1条第1项 …
    title: str
    requirement: str  # what must be true, in the words the refusal uses
    kind: str
    nodes: tuple[str, ...] = ()  # flow nodes that prove it (cases.rules.NODES codes)
    documents: tuple[str, ...] = ()  # generated documents that prove it (documents.rules.DOCUMENT_KINDS codes)
    served_as: str = ""  # the name a 送达回证 gives the document served
    # A condition that applies only in some cases ("where the listing conditions are met", "a missing
    # respondent") is also met by the judge's recorded finding that it does not apply, with reasons.
    finding_label: str = ""

    @property
    def citation(self) -> str:
        return _art(self.article)

    @property
    def findable(self) -> bool:
        return bool(self.finding_label)


# Service other than a signed 送达回证 (electronic service CPL Art. 90, public notice Art. 95, post) is
# recorded by the judge as a finding naming how and when; it proves service, not the issuing.
OTHER_SERVICE = "以其他方式送达的记录（电子送达、公告送达、邮寄回执等，写明方式与日期）"

# Art. 1 [confirmed (repr.)], Art. 2 [confirmed (repr.)], Art. 3 [recall], Art. 4 [confirmed (repr.)], Art. 5 [recall].
ZHONGBEN_CONDITIONS: tuple[Condition, ...] = (
    Condition("enforcement_notice", "第1条第1项", "发出执行通知书",
              "已向被执行人发出执行通知书，并有送达回证", Kind.SERVED,
              nodes=("enforcement_notice",), documents=("enforcement_notice",), served_as="执行通知书",
              finding_label=OTHER_SERVICE),
    Condition("property_report_order", "第1条第1项、第2条", "责令被执行人报告财产",
              "已向被执行人发出报告财产令，并有送达回证", Kind.SERVED,
              nodes=("property_report_order",), documents=("property_report_order",), served_as="报告财产令",
              finding_label=OTHER_SERVICE),
    Condition("consumption_restriction", "第1条第2项", "限制消费",
              "已向被执行人发出限制消费令", Kind.RECORD,
              nodes=("consumption_restriction",), documents=("consumption_restriction_order",)),
    Condition("dishonest_listing", "第1条第2项", "纳入失信被执行人名单",
              "符合纳入失信名单条件的，已纳入失信被执行人名单", Kind.LISTING, nodes=("dishonest_listing",),
              finding_label="不符合纳入失信名单条件的理由（失信名单规定第1、3、4条）"),
    Condition("network_investigation", "第1条第3项、第3条", "网络查控",
              "已通过网络执行查控系统对每一被执行人查询存款、证券、不动产、车辆和工商登记（5+X+Y之“5”）",
              Kind.CHECKLIST),
    Condition("clues_verified", "第3条", "核查财产线索",
              "申请执行人或者他人提供的财产线索均已核查", Kind.CLUES),
    Condition("offline_investigation", "第3条", "线下调查",
              "已到被执行人住所地或可能隐匿财产所在地现场调查（传统查控完成，或完成社保、户籍、居委会等拓展调查）",
              Kind.OFFLINE, nodes=("traditional_query_done",)),
    Condition("property_disposal", "第1条第3项、第4条", "无财产可供执行或财产不能处置",
              "未发现可供执行的财产（记录“无财产可供执行”）；发现财产的，已采取控制措施且不能处置", Kind.DISPOSAL,
              nodes=("no_property_found",), finding_label="发现的财产不能处置的情形（拍卖变卖不成且申请人不接受抵债等，第4条）"),
    Condition("min_time", "第1条第4项", "立案已满三个月",
              "自立案之日起已超过三个月", Kind.TIME),
    Condition("missing_respondent", "第1条第5项", "查找下落不明的被执行人",
              "被执行人下落不明的，已依法查找（有查人线索记录）", Kind.SEARCH,
              finding_label="被执行人下落明确、无需查找的说明"),
    Condition("obstruction", "第1条第5项", "制裁妨害执行行为",
              "被执行人或者他人妨害执行的，已依法采取罚款、拘留等强制措施", Kind.RECORD, nodes=("sanction",),
              finding_label="无妨害执行行为的说明"),
    Condition("interview", "第5条", "约谈申请执行人",
              "已将案件执行情况、财产调查情况和终本的依据、后果告知申请执行人并听取其意见（终本约谈）", Kind.RECORD,
              nodes=("interview",)),
)
CONDITIONS_BY_CODE: dict[str, Condition] = {c.code: c for c in ZHONGBEN_CONDITIONS}

# 失信名单规定 (法释〔2017〕7号) Art. 4: a minor is never listed. A respondent who is a natural person
# under 18 on the day of the check needs no listing and no finding.
MINOR_AGE = 18
MINOR_CITATION = "关于公布失信被执行人名单信息的若干规定（法释〔2017〕7号）第4条（被执行人为未成年人的，不得纳入失信名单）"
# What may record or withdraw a finding that a condition does not apply: the handling judge decides.
FINDING_ROLES = HANDLING | LEADERS

# ---------------------------------------------------------------- second investigation (seed 001 case 1)

# The same rule supervision watches (its deadline is met by the second query): open cases older than
# 2.5 months without property found get a second round of network queries.
SECOND_INVESTIGATION = RULES_BY_CODE["second_investigation"]
SECOND_INVESTIGATION_QUERY_NODES = ("network_query", "traditional_query")

# ---------------------------------------------------------------- the 终本 pool (Art. 9)


@dataclass(frozen=True)
class PoolSchedule:
    every_months: int
    for_years: int
    citation: str

    @property
    def rounds(self) -> int:
        return self.for_years * 12 // self.every_months


# Art. 9 [confirmed (repr.)]: for 5 years after 终本 the court queries the respondent's property through
# the network every 6 months and tells the applicant. Wuhan (seed 004 §程序规范7): 终本案件定期启动“五查”.
POOL_SCHEDULE = PoolSchedule(6, 5, _art("第9条（终本后五年内每六个月通过网络执行查控系统查询一次被执行人的财产）"))
POOL_LOCAL_CITATION = "武汉中院执行工作行动方案 §程序规范7（终本案件定期启动“五查”）"
POOL_ROLES = ROUTINE | LEADERS | {Role.COMMAND_CENTRE}

# ---------------------------------------------------------------- restoration


@dataclass(frozen=True)
class WorkingDays:
    amount: int
    citation: str


# Zhejiang (seed 002 §(三)4): property found that meets the conditions → restored within 3 working days.
RESTORATION_LIMIT = WorkingDays(3, "浙江高院实施方案（浙高法〔2016〕55号）二(三)4：发现有可供执行财产，符合恢复执行条件的，应在3个工作日内恢复执行")
RESTORATION_BASIS = "民诉法解释（2022）第517条（申请执行人发现被执行人有可供执行财产的，可以再次申请执行）；" + _art("第9条")
RESTORATION_ROLES = HANDLING | LEADERS

# ---------------------------------------------------------------- 终本合格率 sample review


@dataclass(frozen=True)
class SamplePolicy:
    rate_bp: int  # share of the period's 终本 cases drawn, in basis points
    minimum: int  # at least this many (or all, if fewer)
    citation: str


# Local policy, not law: how many 终本 cases a court's 审判管理 draws for review each period. The
# indicator itself (无财产可供执行案件终本合格率 ≥ 90%) is rules.md §12 [recall].
SAMPLE_POLICY = SamplePolicy(1_000, 10, "本院终本案件评查办法（抽查比例10%，每期不少于10件；可调整）")
PASS_RATE_TARGET_BP = 9_000
PASS_RATE_CITATION = "“基本解决执行难”核心指标：无财产可供执行案件终本合格率 ≥ 90%（rules.md §12）"
REVIEW_ROLES = LEADERS | {Role.COMMAND_CENTRE}
# A failed case names what failed: a 终本 condition, or one of these.
EXTRA_FAIL_REASONS = {
    "ruling": "终本裁定书内容不全或未送达（第6条）",
    "log": "执行日志与卷宗记载不一致",
    "other": "其他（见说明）",
}

# ---------------------------------------------------------------- 执转破 (法发〔2017〕2号)

BANKRUPTCY_GUIDANCE = "关于执行案件移送破产审查若干问题的指导意见（法发〔2017〕2号）"
# pt 2 [confirmed (repr.)]: all three must hold.
BANKRUPTCY_CONDITIONS = (
    ("enterprise", "被执行人为企业法人", BANKRUPTCY_GUIDANCE + "第2条第1项"),
    ("consent", "被执行人或者任一执行案件的申请执行人书面同意移送破产审查", BANKRUPTCY_GUIDANCE + "第2条第2项"),
    ("insolvent", "被执行人不能清偿到期债务，并且资产不足以清偿全部债务或者明显缺乏清偿能力", BANKRUPTCY_GUIDANCE + "第2条第3项"),
)


@dataclass(frozen=True)
class CandidateThresholds:
    """Who the candidate finder lists. A court may set its own (models.BankruptcyThreshold)."""

    min_cases: int
    min_outstanding_fen: int
    # claims "far above" found assets: outstanding ≥ assets × ratio (basis points; 20,000 = twice)
    min_claims_to_assets_bp: int
    citation: str


DEFAULT_THRESHOLDS = CandidateThresholds(
    5, 0, 20_000,
    "吴江法院“执转破”：筛选同一企业涉及5件以上的终本及可能终本案件（seed 001 案例5）；未履行债权至少为已查明财产的2倍（本院政策，可调整）",
)
# The decision is served within 5 days (pt 5, [confirmed (repr.)]); the receiving court decides on
# acceptance within 30 days of receiving the materials (CPL-JI 2022 Arts 511–512 [confirmed]).
DECISION_SERVICE_DAYS = 5
DECISION_SERVICE_CITATION = BANKRUPTCY_GUIDANCE + "第5条（移送决定作出后5日内送达申请执行人和被执行人）"
ACCEPTANCE_REVIEW_DAYS = 30
ACCEPTANCE_REVIEW_CITATION = "民诉法解释（2022）第511、512条（受移送法院自收到材料之日起30日内作出是否受理的裁定）"
SUSPENSION_CITATION = "民诉法解释（2022）第511条（裁定中止对该被执行人的执行）；" + BANKRUPTCY_GUIDANCE + "（其他执行法院中止执行）[recall]"
# On acceptance the enforcement cases moved are closed as 终结执行 [recall: 法发〔2014〕26号 on 终结执行
# when the respondent is put into bankruptcy; CPL-JI 2022 Art. 513]. Kept as data: a court that
# closes only when bankruptcy is declared changes it here.
ACCEPTED_CLOSING_TYPE = ClosingType.TERMINATED
ACCEPTED_CLOSING_CITATION = ("民诉法解释（2022）第511–513条；关于执行案件立案、结案若干问题的意见（法发〔2014〕26号）"
                             "（被执行人进入破产程序的，以“终结执行”方式结案）[recall]")
REJECTED_CITATION = BANKRUPTCY_GUIDANCE + "第18条（不予受理的，执行法院恢复对被执行人的执行）[recall]"
PROPOSERS = HANDLING
TRANSFER_ROLES = HANDLING | LEADERS
DECIDERS = frozenset({Role.PRESIDENT})  # the president signs the transfer decision (rules.md §10)

# ---------------------------------------------------------------- archiving (seed 004 §程序规范7)


@dataclass(frozen=True)
class DossierItem:
    code: str
    label: str
    document: str = ""  # a documents kind that must be present
    marked: bool = False  # … signed and sealed (defect check 6, nodes.md)
    citation: str = ""


_RULING_ITEM = DossierItem("zhongben_ruling", "终结本次执行程序裁定书（已签名、用印）", document="zhongben_ruling", marked=True,
                           citation=_art("第6条（终本裁定书）") + "；流程节点瑕疵核查第6项（终本裁定书须有院印、签名）")
# Per closing type, the dossier items the system can check. The other types' own documents (结案通知书
# and the like) are not generated by the system yet, so nothing is demanded of them here.
DOSSIER_REQUIREMENTS: dict[str, tuple[DossierItem, ...]] = {
    ClosingType.TERMINATE_CURRENT: (_RULING_ITEM,),
    ClosingType.PERFORMED: (),
    ClosingType.TERMINATED: (),
    ClosingType.WITHDRAWN: (),
    ClosingType.NOT_ENFORCED: (),
    ClosingType.REJECTED: (),
}
# A case closed on the bankruptcy court's acceptance also holds the transfer decision.
TRANSFER_DOSSIER_ITEM = DossierItem("transfer_decision", "移送破产审查决定书", citation=BANKRUPTCY_GUIDANCE)
ARCHIVE_CITATION = "武汉中院执行工作行动方案 §程序规范7（案件报结后一个月内完成归档）"
MONEY_CITATION = "关于执行款物管理工作的规定（法发〔2017〕6号）（案款发放完毕方可归档；余款须说明去向）"
EXPLANATION_ROLES = HANDLING | LEADERS | {Role.FINANCE}
