"""Law and local policy for the case spine, as data with its citation (../shared/domain/rules.md).

Where is the rule that a handler must be assigned within 7 days? Here: TIME_LIMITS["assign"].
"""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.accounts.choices import Role

from .choices import CaseStatus, ClosingType, Stage


@dataclass(frozen=True)
class TimeLimit:
    """A period counted from an event. unit: 'days' (CPL Art. 85), 'working_days' or 'months'."""

    amount: int
    unit: str
    counted_from: str
    citation: str


TIME_LIMITS: dict[str, TimeLimit] = {
    "assign": TimeLimit(7, "days", "立案", "关于人民法院办理执行案件若干期限的规定（法发〔2006〕35号）第2条"),
    "enforcement_notice": TimeLimit(10, "days", "立案（收到申请）", "民诉法解释（2022）第480条"),
    "close_with_property": TimeLimit(6, "months", "立案", "关于人民法院办理执行案件若干期限的规定（法发〔2006〕35号）第1条"),
    "zhongben_minimum": TimeLimit(3, "months", "立案", "关于严格规范终结本次执行程序的规定（试行）（法〔2016〕373号）第1条第4项"),
    "archive": TimeLimit(1, "months", "结案", "武汉中院执行工作行动方案 §程序规范7（结案后一个月内归档）"),
}


@dataclass(frozen=True)
class ClosingRule:
    closing_type: str
    # Whether the 3-month minimum since filing applies (终本 only).
    min_months_since_filing: int = 0
    performed_amount_required: bool = False
    citation: str = ""
    # These closings rest on a ruling or decision with its own ground (the applicant's withdrawal, a
    # revoked title, …): the closing must say which, so the record shows why the case ended.
    ground: str = ""


CLOSING_RULES: dict[str, ClosingRule] = {
    ClosingType.PERFORMED: ClosingRule(
        ClosingType.PERFORMED, performed_amount_required=True, citation="关于执行案件立案、结案若干问题的意见（法发〔2014〕26号）"
    ),
    ClosingType.TERMINATE_CURRENT: ClosingRule(
        ClosingType.TERMINATE_CURRENT,
        min_months_since_filing=TIME_LIMITS["zhongben_minimum"].amount,
        citation=TIME_LIMITS["zhongben_minimum"].citation,
    ),
    ClosingType.TERMINATED: ClosingRule(ClosingType.TERMINATED, citation="民事诉讼法（2023）第268条",
                                        ground="终结执行的法定情形（如申请人撤销申请、执行依据被撤销、被执行人死亡无遗产）及终结执行裁定"),
    ClosingType.WITHDRAWN: ClosingRule(ClosingType.WITHDRAWN, citation="法发〔2014〕26号",
                                       ground="销案的事由（如指定、提级执行或重复立案）"),
    ClosingType.NOT_ENFORCED: ClosingRule(ClosingType.NOT_ENFORCED, citation="民诉法解释（2022）第481条；法发〔2014〕26号",
                                          ground="不予执行裁定（文号）及理由"),
    ClosingType.REJECTED: ClosingRule(ClosingType.REJECTED, citation="法发〔2014〕26号",
                                      ground="驳回申请裁定（文号）及理由"),
}

# Who may record what. Clerks and the intensive-affairs team do the routine sends; judges decide.
HANDLING = frozenset({Role.JUDGE, Role.ASSISTANT})
ROUTINE = HANDLING | {Role.CLERK}
FIELD = HANDLING | {Role.BAILIFF}
LEADERS = frozenset({Role.BUREAU_HEAD, Role.PRESIDENT})
ASSIGNERS = LEADERS | {Role.COMMAND_CENTRE, Role.JUDGE}
REGISTRARS = ROUTINE | LEADERS | {Role.COMMAND_CENTRE}


@dataclass(frozen=True)
class Node:
    """A flow node (流程节点). `national_code` is the reporting code of ../shared/domain/nodes.md."""

    code: str
    national_code: str
    name: str
    stage: str | None  # None: may be recorded in any stage and does not move the case
    roles: frozenset[str]
    citation: str = ""
    requires: tuple[str, ...] = ()  # at least one of these must have been recorded before
    once: bool = False
    allowed_status: str = CaseStatus.OPEN
    # Recorded by its own service (registration, assignment, closing, archiving), not by hand.
    by_service: bool = False


NODES: tuple[Node, ...] = (
    # 立案阶段 — recorded by the registration and assignment services
    Node("register", "203001001", "立案", Stage.QUERY, REGISTRARS, "法发〔2006〕35号", once=True, by_service=True),
    Node("assign", "203001002", "分案", Stage.QUERY, ASSIGNERS, TIME_LIMITS["assign"].citation, by_service=True),
    Node("enforcement_notice", "203001003", "发出执行通知书", Stage.QUERY, ROUTINE, TIME_LIMITS["enforcement_notice"].citation),
    Node("property_report_order", "203001003", "发出报告财产令", Stage.QUERY, ROUTINE, "财产调查规定第3条（与执行通知书同时发出）"),
    # 查询
    Node("network_query", "203001004", "启动网络查控", Stage.QUERY, ROUTINE | {Role.COMMAND_CENTRE}, "财产调查规定第13条"),
    Node("traditional_query", "203001005", "启动传统查控", Stage.QUERY, FIELD, "法发〔2006〕35号第6条"),
    Node("traditional_query_done", "203001006", "完成传统查控", Stage.QUERY, FIELD, "法发〔2006〕35号第6条", requires=("traditional_query",)),
    Node("clue_received", "203001008", "收到财产线索", Stage.QUERY, ROUTINE, "法发〔2006〕35号第5条"),
    Node("clue_verified", "203001009", "线索核查", Stage.QUERY, FIELD, "财产调查规定第2条（7日内核查）", requires=("clue_received",)),
    Node("property_found", "203001033", "有财产可供执行", Stage.QUERY, HANDLING, "法发〔2006〕35号第1条"),
    Node("no_property_found", "203001034", "无财产可供执行", Stage.QUERY, HANDLING, "法〔2016〕373号第1条第3项"),
    # 控制
    # Control measures are recorded by the property app (property.measures), which keeps the measure
    # itself — asset, statutory end, queue rank — that supervision watches; the node follows from it.
    Node("freeze", "203001014", "冻结", Stage.CONTROL, HANDLING, "民诉法解释第485条", by_service=True),
    Node("network_freeze", "203001015", "网络冻结银行存款", Stage.CONTROL, ROUTINE | {Role.COMMAND_CENTRE}, "民诉法解释第485条", by_service=True),
    Node("seal", "203001012", "查封", Stage.CONTROL, FIELD, "民诉法解释第485条", by_service=True),
    Node("detain", "203001013", "扣押", Stage.CONTROL, FIELD, "民诉法解释第485条", by_service=True),
    Node("deduct", "203001016", "扣划", Stage.CONTROL, HANDLING, "民诉法解释第484条", by_service=True),
    Node("other_control", "203001011", "其他财产控制", Stage.CONTROL, FIELD, "法发〔2006〕35号第4条"),
    # 处置
    Node("appraisal_started", "203001017", "启动评估（确定参考价）", Stage.DISPOSAL, HANDLING, "法释〔2018〕15号第1条（查封后30日内）",
         requires=("seal", "detain", "freeze", "network_freeze", "other_control")),
    Node("appraisal_served", "203001018", "送达评估报告", Stage.DISPOSAL, ROUTINE, "法释〔2018〕15号第19条", requires=("appraisal_started",)),
    Node("appraisal_objection", "203001019", "评估异议", Stage.DISPOSAL, HANDLING, "法释〔2018〕15号第22条", requires=("appraisal_served",)),
    Node("auction_started", "203001021", "启动拍卖", Stage.DISPOSAL, HANDLING, "法释〔2016〕18号第10、12条",
         requires=("appraisal_started", "seal", "detain")),
    Node("auction_confirmed", "203001022", "拍卖成交确认", Stage.DISPOSAL, HANDLING, "法释〔2016〕18号", requires=("auction_started",)),
    Node("second_auction", "203001023", "启动二拍", Stage.DISPOSAL, HANDLING, "法释〔2016〕18号第26条", requires=("auction_started",)),
    Node("sale_started", "203001026", "启动变卖", Stage.DISPOSAL, HANDLING, "法释〔2016〕18号第26条", requires=("second_auction",)),
    Node("transfer_in_kind", "203001025", "以物抵债", Stage.DISPOSAL, HANDLING, "拍卖变卖规定第16条",
         requires=("auction_started", "second_auction")),
    Node("handover", "203001027", "拍卖或抵债财产移交", Stage.DISPOSAL, FIELD, "法发〔2006〕35号第8条",
         requires=("auction_confirmed", "transfer_in_kind", "sale_started")),
    # 发款 — recorded by case money (zhixing.money): a receipt starts the payout clock, an empty account ends it
    Node("funds_received", "203001028", "执行款到账", None, ROUTINE | {Role.COMMAND_CENTRE, Role.FINANCE}, "法发〔2017〕6号（到账通知）",
         by_service=True),
    Node("payout_prepared", "203001028", "办理款物支付手续", Stage.PAYOUT, HANDLING, "法发〔2017〕6号", by_service=True),
    Node("payout_done", "203001029", "案款发放完成", Stage.PAYOUT, HANDLING | {Role.FINANCE}, "法发〔2017〕6号",
         requires=("payout_prepared",), by_service=True),
    # 暂缓发放 on approval answers the payout deadline; when its reason ends, 10 days run (zhixing.money)
    Node("payout_deferred", "203001028", "暂缓发放", None, HANDLING | LEADERS, "法发〔2017〕6号（经批准暂缓发放）", by_service=True),
    Node("payout_deferral_ended", "203001028", "暂缓发放事由消除", None, HANDLING | LEADERS,
         "法发〔2017〕6号（事由消除后10日内发放）", by_service=True),
    # 任何阶段（不改变案件所处阶段）
    Node("sanction", "203001030", "启动执行制裁措施", None, FIELD, "民事诉讼法第118、119条"),
    Node("consumption_restriction", "203001030", "发出限制消费令", None, HANDLING, "限制高消费规定第1条"),
    Node("dishonest_listing", "203001030", "纳入失信被执行人名单", None, HANDLING, "失信名单规定第1条"),
    Node("extension_requested", "203001038", "申请延长执行期限", None, HANDLING, "法发〔2006〕35号第1条（届满5日前申请）"),
    Node("interview", "203001007", "终本约谈", None, HANDLING, "法〔2016〕373号第5条"),
    Node("zhongben_started", "203001035", "启动终本程序", None, HANDLING, "法〔2016〕373号第1条"),
    # 执行文书: signing and sealing a generated document (the documents app records it with the document)
    Node("document_marked", "203001039", "文书签名用印", None, ROUTINE | LEADERS,
         "流程节点瑕疵核查第6项（执行通知书、报告财产令、送达回证等须有院印、签名）", by_service=True),
    # 结案与归档 — recorded by the closing and archiving services
    Node("close", "203001031", "结案", Stage.ARCHIVE, HANDLING | LEADERS, "法发〔2014〕26号", once=True, by_service=True),
    Node("archive", "203001032", "归档", Stage.ARCHIVE, ROUTINE, TIME_LIMITS["archive"].citation, once=True,
         allowed_status=CaseStatus.CLOSED, by_service=True),
)

NODES_BY_CODE: dict[str, Node] = {node.code: node for node in NODES}
NODE_CHOICES = [(node.code, node.name) for node in NODES]
