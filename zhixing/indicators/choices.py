"""Enumerations of the quality indicators (质效指标, catalogue C39)."""

from django.db import models


class Grain(models.TextChoices):
    """How a period is cut: the snapshots keep months, quarters and years; a range is computed live."""

    MONTH = "month", "月"
    QUARTER = "quarter", "季度"
    YEAR = "year", "年"
    RANGE = "range", "自定义期间"


class Level(models.TextChoices):
    """Whose figures: a court's, a team's or a handler's (承办人 = the judge in charge)."""

    COURT = "court", "法院"
    TEAM = "team", "团队"
    HANDLER = "handler", "承办人"


class Direction(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class Unit(models.TextChoices):
    PERCENT = "percent", "%"
    DAYS = "days", "天"


class Group(models.TextChoices):
    """The core four of the 2016–2018 campaign, Wuhan's three scored groups (seed 004 §三(三)), and the rest."""

    CORE = "core", "核心指标"
    FAIRNESS = "fairness", "公正指标"
    EFFICIENCY = "efficiency", "效率指标"
    EFFECT = "effect", "效果指标"
    OTHER = "other", "其他指标"


class Tier(models.TextChoices):
    """Wuhan's tiers of the total score (seed 004 §三(三))."""

    NOT_MET = "not_met", "不达标"
    MET = "met", "达标"
    GOOD = "good", "良好"
    EXCELLENT = "excellent", "优秀"


class PetitionChannel(models.TextChoices):
    VISIT = "visit", "来访"
    LETTER = "letter", "来信"
    ONLINE = "online", "网上信访"
    HOTLINE = "hotline", "12368热线"
    REFERRED = "referred", "上级交办"


class ReviewKind(models.TextChoices):
    """Who reviewed an enforcement act (执行行为): an objection, a review by the higher court, supervision,
    or a state-compensation claim arising from enforcement."""

    OBJECTION = "objection", "执行异议"
    REVIEW = "review", "执行复议"
    SUPERVISION = "supervision", "执行监督"
    STATE_COMPENSATION = "state_compensation", "国家赔偿"


class ReviewOutcome(models.TextChoices):
    UPHELD = "upheld", "维持或驳回"
    REVOKED = "revoked", "撤销"
    CHANGED = "changed", "变更（改变）"
    COMPENSATED = "compensated", "决定赔偿"
    NOT_COMPENSATED = "not_compensated", "不予赔偿"


class DisclosureKind(models.TextChoices):
    """执行公开: what was made public or told to the parties (seed 004 §二(二)8, §四4)."""

    DOCUMENT_ONLINE = "document_online", "结案文书上网公开"
    NODE_NOTICE = "node_notice", "流程节点告知当事人"
    INFORMATION = "information", "被执行人及财产查控信息公开"


class RunKind(models.TextChoices):
    NIGHTLY = "nightly", "每日快照"
    RECOMPUTE = "recompute", "重新计算"
