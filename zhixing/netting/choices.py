from django.db import models


class ProposalStatus(models.TextChoices):
    """A proposal version's life: edited only as a draft; once served on the parties never changed again."""

    DRAFT = "draft", "草稿"
    CONSENTS = "consents", "已送达，征求当事人意见"
    APPROVED = "approved", "已批准，待执行"
    APPLIED = "applied", "已执行"
    REVERSED = "reversed", "已撤销（已冲正）"
    SUPERSEDED = "superseded", "已被新版本取代"
    WITHDRAWN = "withdrawn", "已撤回"


# A case is set off in at most one of these at a time (checked under the cases' row locks).
OPEN_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.CONSENTS, ProposalStatus.APPROVED)
# Served and not yet carried out: a new version may replace it.
AMENDABLE_STATUSES = (ProposalStatus.CONSENTS, ProposalStatus.APPROVED)


class ConsentMethod(models.TextChoices):
    """How a party's consent (or acceptance of a claim) was recorded."""

    WRITTEN = "written", "书面意见（同意书）"
    HEARING = "hearing", "听证或谈话笔录"
    SETTLEMENT = "settlement", "执行和解协议"
