"""Triage (繁简分流, C18) and assignment by load (分案, C10) as data, each rule with its source.

Where is the rule that a case under 50,000 yuan goes to the fast track? Here: DEFAULT_RULES (Mengzhou,
seed 003). A court keeps its own ordered list (models.TriageRule, edited on the rules page, saved as
a new version); until it has one, DEFAULT_RULES apply. The first rule whose condition holds decides
the track; none: the default track. `decide` is a pure function of a `Facts` object.

Seeds are cited by file and case (../shared/seeds); they are local practice, not law: a court
adopts, changes or drops them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from zhixing.accounts.choices import Role
from zhixing.cases.choices import CaseType, Track
from zhixing.cases.rules import ASSIGNERS, HANDLING, LEADERS, REGISTRARS, TIME_LIMITS
from zhixing.courts.choices import TeamType
from zhixing.property.rules import CASH_KINDS, CASH_RATIO_CITATION

from .choices import SPECIAL_SUBJECTS, ConditionKind, Tag

# ---------------------------------------------------------------- sources

SEED_JIAOZUO_CRITERIA = "焦作两级法院：集约办理团队按照标的额、涉案人数、是否容易找到被执行人等标准繁简分流（seed 003）"
SEED_MENGZHOU = ("孟州市法院：快执团队办理执行标的5万元以下的执行案件和保全案件，普执团队办理5万元以上的执行案件，"
                 "特执团队办理涉黑恶、政府投融资平台债权清收等重大疑难复杂案件（seed 003）")
SEED_SHANYANG = ("山阳区法院：速执团队办理简易案件、一次性有效执行案件；普执团队办理普通案件；特执团队办理重大疑难案件；"
                 "执行110团队办理10万元以下小标的案件；终本管理团队办理终本恢复案件（seed 003）")
SPECIAL_SUBJECT_CITATION = ("孟州市法院：特执团队办理涉黑恶案件、政府投融资平台的债权清收案件（seed 003）；"
                            "铜仁中院：涉及政府等特殊主体案件由领导挂帅督办（seed 001 案例12）；"
                            "武汉中院：涉金融、涉党政机关执行积案清理（seed 004 §四）；二七区法院：涉民生案件（seed 001 案例9）")
DISPOSAL_CITATION = ("处置财产须先确定参考价（法释〔2018〕15号第1条）并经网络司法拍卖（法释〔2016〕18号），"
                     "不属一次性有效执行的简易案件（" + SEED_SHANYANG.split("；")[0] + "）")
ASSIGN_CITATION = TIME_LIMITS["assign"].citation  # 7 days from filing; supervision rule "assign" watches it

# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class Facts:
    """What the rules look at, read from the case (facts.facts_for_cases). Amounts in fen."""

    case_type: str = CaseType.FIRST
    claim_amount_fen: int = 0
    performed_amount_fen: int = 0
    party_count: int = 2
    respondent_count: int = 1
    cash_fen: int = 0  # cash found: deposits and payment-account balances (property.rules.CASH_KINDS)
    disposal_assets: int = 0  # found property that must be valued and sold (DISPOSAL_ASSET_KINDS)
    disposal_started: bool = False  # an appraisal, auction or sale node is recorded
    respondent_missing: bool = False
    subjects: frozenset[str] = frozenset()  # special-subject tags

    @property
    def outstanding_fen(self) -> int:
        return max(self.claim_amount_fen - self.performed_amount_fen, 0)

    def as_dict(self) -> dict:
        return {
            "case_type": self.case_type, "claim_amount_fen": self.claim_amount_fen,
            "performed_amount_fen": self.performed_amount_fen, "party_count": self.party_count,
            "respondent_count": self.respondent_count, "cash_fen": self.cash_fen,
            "disposal_assets": self.disposal_assets, "disposal_started": self.disposal_started,
            "respondent_missing": self.respondent_missing, "subjects": sorted(self.subjects),
        }


# Property that is sold (valued, then auctioned): real estate, vehicles, vessels, equity, other.
# Cash is deducted; securities are sold on the market; provident fund and insurance are withdrawn.
DISPOSAL_ASSET_KINDS = ("real_estate", "vehicle", "vessel", "equity", "other")
DISPOSAL_NODES = ("appraisal_started", "auction_started", "second_auction", "sale_started")
CASH_ASSET_KINDS = CASH_KINDS

# ---------------------------------------------------------------- conditions


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    kind: str  # fen | count | percent | subjects | case_types
    default: object = None


@dataclass(frozen=True)
class Condition:
    kind: str
    params: tuple[Param, ...]
    holds: Callable[[Facts, Mapping], bool]
    describe: Callable[[Mapping], str]

    @property
    def name(self) -> str:
        return ConditionKind(self.kind).label


def _yuan(fen: int) -> str:
    """50,000 / 49,999.99 — whole yuan without decimals."""
    whole, cents = divmod(fen, 100)
    return f"{whole:,}" if cents == 0 else f"{whole:,}.{cents:02d}"


def _labels(values, choices) -> str:
    names = dict(choices)
    return "、".join(str(names.get(v, v)) for v in values)


def _cash_covers(facts: Facts, params: Mapping) -> bool:
    percent = int(params.get("percent") or 100)
    # Integers end to end (no float): cash × 100 ≥ outstanding × percent.
    return facts.outstanding_fen > 0 and facts.cash_fen * 100 >= facts.outstanding_fen * percent


CONDITIONS: dict[str, Condition] = {
    c.kind: c
    for c in (
        Condition(
            ConditionKind.SPECIAL_SUBJECT, (Param("subjects", "特殊主体（不选：任一）", "subjects", ()),),
            lambda f, p: bool(f.subjects & set(p.get("subjects") or SPECIAL_SUBJECTS)),
            lambda p: "涉" + "、".join(
                label.removeprefix("涉") for label in _labels(p.get("subjects") or SPECIAL_SUBJECTS, Tag.choices).split("、")
            ),
        ),
        Condition(
            ConditionKind.CASH_COVERS_CLAIM, (Param("percent", "现金达到未执行标的的百分比", "percent", 100),),
            _cash_covers,
            lambda p: f"已查到的现金达到未执行标的的{int(p.get('percent') or 100)}%",
        ),
        Condition(
            ConditionKind.NEEDS_DISPOSAL, (),
            lambda f, p: f.disposal_assets > 0 or f.disposal_started,
            lambda p: "发现须评估、拍卖处置的财产（不动产、车辆、船舶、股权等），或已启动评估拍卖",
        ),
        Condition(
            ConditionKind.RESPONDENT_MISSING, (),
            lambda f, p: f.respondent_missing,
            lambda p: "被执行人下落不明",
        ),
        Condition(
            ConditionKind.PARTIES_AT_LEAST, (Param("count", "当事人人数", "count", 3),),
            lambda f, p: f.party_count >= int(p["count"]),
            lambda p: f"当事人{int(p['count'])}人以上",
        ),
        Condition(
            ConditionKind.AMOUNT_AT_MOST, (Param("max_fen", "标的额上限（含本数）", "fen"),),
            lambda f, p: f.claim_amount_fen <= int(p["max_fen"]),
            lambda p: f"申请执行标的{_yuan(int(p['max_fen']))}元以下（含本数）",
        ),
        Condition(
            ConditionKind.AMOUNT_AT_LEAST, (Param("min_fen", "标的额下限（含本数）", "fen"),),
            lambda f, p: f.claim_amount_fen >= int(p["min_fen"]),
            lambda p: f"申请执行标的{_yuan(int(p['min_fen']))}元以上（含本数）",
        ),
        Condition(
            ConditionKind.CASE_TYPE, (Param("case_types", "案件类型", "case_types", ()),),
            lambda f, p: f.case_type in set(p.get("case_types") or ()),
            lambda p: _labels(p.get("case_types") or (), CaseType.choices) + "案件",
        ),
    )
}


# ---------------------------------------------------------------- rules and the decision


@dataclass(frozen=True)
class Rule:
    kind: str
    track: str
    reason: str
    citation: str = ""
    params: Mapping = field(default_factory=dict)
    team_type: str = ""  # preferred team type within the track (山阳: 执行110 for small claims)

    @property
    def condition(self) -> Condition:
        return CONDITIONS[self.kind]

    @property
    def text(self) -> str:
        return f"{self.condition.describe(self.params)} → {Track(self.track).label}"

    @property
    def track_label(self) -> str:
        return Track(self.track).label

    @property
    def team_type_label(self) -> str:
        return TeamType(self.team_type).label if self.team_type else ""

    def snapshot(self, position: int | None) -> dict:
        return {"position": position, "kind": self.kind, "params": dict(self.params), "track": self.track,
                "team_type": self.team_type, "reason": self.reason, "citation": self.citation, "text": self.text}


@dataclass(frozen=True)
class Outcome:
    track: str
    position: int | None  # 1-based position of the deciding rule; None: no rule held (default track)
    rule: Rule | None
    team_type: str = ""

    def snapshot(self, default_reason: str = "") -> dict:
        if self.rule is None:
            return {"position": None, "track": self.track, "text": f"无规则命中，按默认分流：{Track(self.track).label}",
                    "reason": default_reason, "citation": ""}
        return self.rule.snapshot(self.position)


def decide(rules: Sequence[Rule], facts: Facts, default_track: str = Track.ORDINARY) -> Outcome:
    """The first rule whose condition holds decides; none: `default_track`."""
    for position, rule in enumerate(rules, start=1):
        if rule.condition.holds(facts, rule.params):
            return Outcome(rule.track, position, rule, rule.team_type)
    return Outcome(default_track, None, None, "")


# Mengzhou (seed 003) as the shipped default, ordered so that what makes a case special or complex
# is looked at before the amount: a 30,000-yuan claim against a government financing platform is
# still a special case, and one whose respondent must first be found is not a quick one.
# "5万元以下" is read as ≤ 50,000 yuan (以下 includes the figure itself: 民法典第1259条 [recall —
# not yet in rules.md; a court that counts it exclusively sets the limit to 49,999.99]).
DEFAULT_AMOUNT_LIMIT_FEN = 5_000_000
DEFAULT_TRACK = Track.ORDINARY
DEFAULT_TRACK_REASON = "标的5万元以上的执行案件由普执团队办理"
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(ConditionKind.SPECIAL_SUBJECT, Track.SPECIAL,
         "涉党政机关、涉民生、涉金融、涉黑恶、涉政府投融资平台等特殊主体案件，由特执团队办理", SPECIAL_SUBJECT_CITATION,
         team_type=TeamType.SPECIAL),
    Rule(ConditionKind.CASH_COVERS_CLAIM, Track.FAST,
         "已查到的存款等现金足以清偿，扣划即可执结，属简案", CASH_RATIO_CITATION + "；" + SEED_SHANYANG.split("；")[0],
         params={"percent": 100}),
    Rule(ConditionKind.NEEDS_DISPOSAL, Track.ORDINARY, "须评估、拍卖处置财产，属繁案", DISPOSAL_CITATION),
    Rule(ConditionKind.RESPONDENT_MISSING, Track.ORDINARY, "被执行人下落不明，须先查人找物，属繁案", SEED_JIAOZUO_CRITERIA),
    Rule(ConditionKind.CASE_TYPE, Track.ORDINARY, "恢复执行案件，原案已经财产调查，不按简案办理", SEED_SHANYANG,
         params={"case_types": [CaseType.RESTORED]}),
    Rule(ConditionKind.CASE_TYPE, Track.FAST, "保全案件由快执团队办理", SEED_MENGZHOU,
         params={"case_types": [CaseType.PRESERVATION]}),
    Rule(ConditionKind.AMOUNT_AT_MOST, Track.FAST, "标的5万元以下的执行案件由快执团队办理", SEED_MENGZHOU,
         params={"max_fen": DEFAULT_AMOUNT_LIMIT_FEN}),
)

# Rule sets a court may start from (the rules page loads one into a new version).
PRESETS: dict[str, tuple[str, tuple[Rule, ...], str]] = {
    "mengzhou": ("孟州模式（默认）：5万元以下快执", DEFAULT_RULES, DEFAULT_TRACK),
    "shanyang": ("山阳模式：10万元以下执行110", (
        DEFAULT_RULES[0], DEFAULT_RULES[1], DEFAULT_RULES[2], DEFAULT_RULES[3],
        Rule(ConditionKind.CASE_TYPE, Track.ORDINARY, "终本恢复案件由终本管理团队办理", SEED_SHANYANG,
             params={"case_types": [CaseType.RESTORED]}, team_type=TeamType.TERMINATION),
        Rule(ConditionKind.AMOUNT_AT_MOST, Track.FAST, "10万元以下小标的案件由执行110团队办理", SEED_SHANYANG,
             params={"max_fen": 10_000_000}, team_type=TeamType.EXECUTION_110),
    ), DEFAULT_TRACK),
}

# ---------------------------------------------------------------- assignment by weighted load

# A judge's load is the sum of the weights of their open cases. Local policy, not law: Guangzhou
# handles 70% of cases with 10% of its staff once cases are triaged, so a simple case weighs far
# less than a complex one; a court sets its own weights on the rules page.
DEFAULT_WEIGHTS: dict[str, int] = {Track.FAST: 1, Track.ORDINARY: 2, Track.SPECIAL: 3}
WEIGHTS_CITATION = "广州中院：全面推行繁简分流，以10%的执行人员力量办理70%以上的执行案件（seed 001 案例11）"
MAX_WEIGHT = 20

# The teams that handle each track (seed 003: 快执/速执 and 执行110 take simple cases, 普执 ordinary,
# 特执 difficult ones); a court without a fitting team gives the case to an ordinary team.
TEAM_TYPES_FOR_TRACK: dict[str, tuple[str, ...]] = {
    Track.FAST: (TeamType.FAST, TeamType.EXECUTION_110),
    Track.ORDINARY: (TeamType.ORDINARY,),
    Track.SPECIAL: (TeamType.SPECIAL,),
}
FALLBACK_TEAM_TYPES: tuple[str, ...] = (TeamType.ORDINARY,)
# A rule may prefer one team type within its track (山阳: 执行110 for small claims, 终本管理 for restored cases).
HINT_TEAM_TYPES: dict[str, tuple[str, ...]] = {
    Track.FAST: (TeamType.FAST, TeamType.EXECUTION_110),
    Track.ORDINARY: (TeamType.ORDINARY, TeamType.TERMINATION),
    Track.SPECIAL: (TeamType.SPECIAL,),
}
RECENT_DAYS = 30  # ties between equally loaded judges: fewest cases assigned in this many days

# 均衡调配 between basic courts: a new case is designated to another court by the common intermediate
# court; the receiving court registers its own 执 case for what is still owed, the original is 销案.
TRANSFER_CITATION = ("铜仁中院统一执行中心：某法院执行案件数量增速较快的，经审核可在城区法院范围内均衡调配（seed 001 案例12）；"
                     "最高人民法院关于进一步规范指定执行等执行案件立案、结案、统计和考核工作的通知（法明传〔2018〕335号）第三条"
                     "（原案以销案方式结案，受指定法院立执字案号，标的为前案未执行到位的金额）")
TRANSFER_WINDOW_DAYS = 30  # "new cases": filed within the balancing window of supervision.rebalancing

# ---------------------------------------------------------------- who may do what

TAGGERS = REGISTRARS | HANDLING  # the registering clerk or the judge
OVERRIDERS = frozenset({Role.JUDGE}) | LEADERS
POLICY_EDITORS = LEADERS
AUTO_ASSIGNERS = ASSIGNERS
ABSENCE_RECORDERS = LEADERS | {Role.COMMAND_CENTRE}
TRANSFER_ORDERERS = frozenset({Role.BUREAU_HEAD, Role.PRESIDENT, Role.COMMAND_CENTRE})
