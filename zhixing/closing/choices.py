"""Enumerations of the closing app (终本 checks, the 终本 pool, restoration, sample review, 执转破)."""

from django.db import models


class PoolStatus(models.TextChoices):
    """Where a 终本 case stands in the 终本 pool (终本案件库)."""

    IN_POOL = "in_pool", "在库（定期查询）"
    RESTORED = "restored", "已恢复执行"
    ENDED = "ended", "五年期满，停止定期查询"
    BANKRUPTCY = "bankruptcy", "已移送破产并受理"


class ProposalSource(models.TextChoices):
    """What suggested restoring a 终本 case."""

    POOL_ASSET = "pool_asset", "定期查询发现财产"
    OTHER_CASE_ASSET = "other_case_asset", "本院其他案件发现同一被执行人的财产"
    CLUE = "clue", "申请执行人或他人提供财产线索"
    APPLICATION = "application", "申请执行人申请恢复执行"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "待核实"
    CONFIRMED = "confirmed", "已确认可供执行（待恢复）"
    RESTORED = "restored", "已恢复执行"
    DISMISSED = "dismissed", "不予恢复"


OPEN_PROPOSAL_STATUSES = (ProposalStatus.PENDING, ProposalStatus.CONFIRMED)


class Verdict(models.TextChoices):
    PENDING = "pending", "待评查"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class TransferStatus(models.TextChoices):
    """执转破 in the order of 法发〔2017〕2号 (rules.BANKRUPTCY_STAGES)."""

    PROPOSED = "proposed", "承办人提出移送意见"
    CONSENTED = "consented", "已取得书面同意"
    PANEL_AGREED = "panel_agreed", "合议庭评议同意"
    DECIDED = "decided", "院长签署移送决定"
    TRANSFERRED = "transferred", "材料已移送"
    ACCEPTED = "accepted", "破产法院裁定受理"
    REJECTED = "rejected", "破产法院不予受理"
    WITHDRAWN = "withdrawn", "撤回移送"


ACTIVE_TRANSFER_STATUSES = (
    TransferStatus.PROPOSED, TransferStatus.CONSENTED, TransferStatus.PANEL_AGREED, TransferStatus.DECIDED,
    TransferStatus.TRANSFERRED,
)


class ConsentBy(models.TextChoices):
    RESPONDENT = "respondent", "被执行人"
    APPLICANT = "applicant", "申请执行人"


class TransferDocumentKind(models.TextChoices):
    CONSULTATION = "consultation", "执行案件移送破产审查征询意见书"
    DECISION = "decision", "移送破产审查决定书"
    SUSPENSION = "suspension", "中止执行裁定书"
    NOTICE = "notice", "移送破产审查告知函（致其他执行法院）"
    MATERIALS = "materials", "移送材料清单"
