from django.db import models


class ConditionKind(models.TextChoices):
    """What a triage rule looks at (繁简分流的条件). The tests and parameters of each: rules.CONDITIONS."""

    SPECIAL_SUBJECT = "special_subject", "涉特殊主体"
    CASH_COVERS_CLAIM = "cash_covers_claim", "已查到的现金足以清偿"
    NEEDS_DISPOSAL = "needs_disposal", "须评估、拍卖处置财产"
    RESPONDENT_MISSING = "respondent_missing", "被执行人下落不明"
    PARTIES_AT_LEAST = "parties_at_least", "当事人人数达到"
    AMOUNT_AT_MOST = "amount_at_most", "标的额不超过"
    AMOUNT_AT_LEAST = "amount_at_least", "标的额不低于"
    CASE_TYPE = "case_type", "案件类型"


class Tag(models.TextChoices):
    """案件标记: facts about a case that the registering clerk or the judge records by hand."""

    PARTY_GOVERNMENT = "party_government", "涉党政机关"
    LIVELIHOOD = "livelihood", "涉民生"
    FINANCIAL = "financial", "涉金融"
    ORGANISED_CRIME = "organised_crime", "涉黑恶"
    FINANCING_PLATFORM = "financing_platform", "涉政府投融资平台"
    RESPONDENT_MISSING = "respondent_missing", "被执行人下落不明"


# The special subjects (特殊主体); the last tag is a fact about the respondent, not a subject.
SPECIAL_SUBJECTS = (
    Tag.PARTY_GOVERNMENT, Tag.LIVELIHOOD, Tag.FINANCIAL, Tag.ORGANISED_CRIME, Tag.FINANCING_PLATFORM,
)


class DecisionSource(models.TextChoices):
    RULES = "rules", "按规则分流"
    OVERRIDE = "override", "法官改定"
    CLEARED = "cleared", "撤销改定，按规则分流"


class TransferStatus(models.TextChoices):
    """指定执行 between basic courts, step by step: each court acts on its own case."""

    ORDERED = "ordered", "中院已决定指定执行"
    REGISTERED = "registered", "受指定法院已立案"
    CLOSED = "closed", "原案已销案"
    CANCELLED = "cancelled", "已撤回"


OPEN_TRANSFER_STATUSES = (TransferStatus.ORDERED, TransferStatus.REGISTERED)
