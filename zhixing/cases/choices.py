from django.db import models


class CaseType(models.TextChoices):
    """类型代字 of enforcement cases (法〔2015〕137号 annexed catalogue; rules.md §1)."""

    FIRST = "执", "首次执行（执）"
    RESTORED = "执恢", "恢复执行（执恢）"
    PRESERVATION = "执保", "财产保全（执保）"
    OBJECTION = "执异", "执行异议（执异）"
    REVIEW = "执复", "执行复议（执复）"
    SUPERVISION = "执监", "执行监督（执监）"
    COORDINATION = "执协", "执行协调（执协）"
    OTHER = "执他", "其他执行（执他）"
    REQUEST = "执请", "执行请示（执请）"


class Stage(models.TextChoices):
    """The five stages of the flow (catalogue C02)."""

    QUERY = "query", "查询"
    CONTROL = "control", "控制"
    DISPOSAL = "disposal", "处置"
    PAYOUT = "payout", "发款"
    ARCHIVE = "archive", "归档"


STAGE_ORDER = {stage: index for index, stage in enumerate(Stage)}


class CaseStatus(models.TextChoices):
    OPEN = "open", "在办"
    CLOSED = "closed", "已结案"
    ARCHIVED = "archived", "已归档"


class ClosingType(models.TextChoices):
    """结案方式 (法发〔2014〕26号; rules.md §11)."""

    PERFORMED = "performed", "执行完毕"
    TERMINATE_CURRENT = "terminate_current", "终结本次执行程序"
    TERMINATED = "terminated", "终结执行"
    WITHDRAWN = "withdrawn", "销案"
    NOT_ENFORCED = "not_enforced", "不予执行"
    REJECTED = "rejected", "驳回申请"


class Track(models.TextChoices):
    FAST = "fast", "快执"
    ORDINARY = "ordinary", "普执"
    SPECIAL = "special", "特执"


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", "申请执行人"
    RESPONDENT = "respondent", "被执行人"
    THIRD_PARTY = "third_party", "第三人"


class PartyKind(models.TextChoices):
    NATURAL_PERSON = "natural_person", "自然人"
    LEGAL_PERSON = "legal_person", "法人"
    OTHER_ORGANISATION = "other_organisation", "非法人组织"


class ClaimKind(models.TextChoices):
    PRINCIPAL = "principal", "本金"
    INTEREST = "interest", "利息"
    COSTS = "costs", "诉讼费等费用"
    LATE_INTEREST = "late_interest", "迟延履行利息"
    OTHER = "other", "其他"


class LogAction(models.TextChoices):
    REGISTER = "register", "立案"
    NODE = "node", "流程节点"
    PARTY_UPDATE = "party_update", "修改当事人信息"
    ASSIGN = "assign", "分案"
    CLOSE = "close", "结案"
    ARCHIVE = "archive", "归档"
    NOTE = "note", "备注"
    DEADLINE_RECOMPUTE = "deadline_recompute", "期限重算"
    LOCK = "lock", "程序锁死"
    UNLOCK_REQUEST = "unlock_request", "申请解锁"
    UNLOCK = "unlock", "解锁"
    UNLOCK_REJECT = "unlock_reject", "驳回解锁"
    SUSPEND = "suspend", "暂停计算期限"
    RESUME = "resume", "恢复计算期限"
    EXTENSION = "extension", "延长执行期限"
    REBASE = "rebase", "规则版本重定"
    QUERY = "property_query", "财产查询"
    QUERY_REPLY = "query_reply", "查询反馈"
    ASSET = "asset", "登记财产"
    MEASURE = "measure", "控制措施"
    MEASURE_RENEW = "measure_renew", "续行"
    MEASURE_END = "measure_end", "解除或失效"
    CLUE = "clue", "财产线索"
    CLUE_VERIFY = "clue_verify", "线索核查"
    INVESTIGATION = "investigation", "调查措施"  # lawyer orders, audits
    PERSON_LEAD = "person_lead", "查人线索"
    DOCUMENT = "document", "生成文书"
    DOCUMENT_MARK = "document_mark", "文书签名用印"
    MONEY = "money", "案款收支"
    MONEY_ORDER = "money_order", "付款申请与审批"
    DISTRIBUTION = "distribution", "参与分配"
    TRIAGE = "triage", "繁简分流"


# Written by supervision (nightly runs, locks and their approvals), not by recording a flow node.
SUPERVISION_ACTIONS = frozenset({
    LogAction.LOCK, LogAction.UNLOCK_REQUEST, LogAction.UNLOCK, LogAction.UNLOCK_REJECT,
    LogAction.SUSPEND, LogAction.RESUME, LogAction.EXTENSION, LogAction.REBASE,
})


class RegistrationSource(models.TextChoices):
    FORM = "form", "立案页面"
    API = "api", "接口"
    IMPORT = "import", "批量导入"
    DEMO = "demo", "演示数据"
