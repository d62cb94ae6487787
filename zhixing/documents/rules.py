"""The enforcement document set (C29), as data with its citation.

Which documents need the court's seal? DOCUMENT_KINDS[code].needs_seal — the defect checks of
../shared/domain/nodes.md (§ defect check 6) ask for seals and signatures on these documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.cases.choices import CaseType
from zhixing.property.models import MeasureKind


@dataclass(frozen=True)
class Extra:
    """A value the document needs that the case does not hold (the reward, the sum to distribute)."""

    name: str
    label: str
    kind: str  # money (yuan) | text | date | measure | party | document
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: str
    citation: str
    needs_seal: bool = True  # 院印
    needs_signature: bool = True  # the judge's (or, on a 送达回证, the recipient's) signature
    signature_label: str = "审判员签名"
    measure_kinds: tuple[str, ...] = ()  # a ruling on these measures: the case must hold one
    case_types: tuple[str, ...] = ()  # only for these case types (empty: any)
    extras: tuple[Extra, ...] = ()
    group: str = "通知与命令"

    @property
    def file_name(self) -> str:
        return f"{self.code}.docx"


_MEASURE = Extra("measure", "控制措施", "measure", help="默认为本案最近一项有效措施")
_RULING = "执行裁定书"

DOCUMENT_KINDS: dict[str, DocumentKind] = {
    k.code: k
    for k in (
        DocumentKind("enforcement_notice", "执行通知书",
                     "民诉法解释（2022）第480条（收到申请后10日内发出）；法发〔2006〕35号第4条"),
        DocumentKind("property_report_order", "报告财产令",
                     "民事诉讼法第252条；财产调查规定第3、5、6、7条（与执行通知书同时发出）"),
        DocumentKind("consumption_restriction_order", "限制消费令",
                     "关于限制被执行人高消费及有关消费的若干规定第1、3、5条（由院长签发）", signature_label="院长签发"),
        DocumentKind("ruling_freeze", f"{_RULING}（冻结）", "民事诉讼法第253条；民诉法解释（2022）第485条",
                     measure_kinds=(MeasureKind.FREEZE,), group="执行裁定书"),
        DocumentKind("ruling_seal", f"{_RULING}（查封）", "民事诉讼法第255条；民诉法解释（2022）第485条；查封规定",
                     measure_kinds=(MeasureKind.SEAL,), group="执行裁定书"),
        DocumentKind("ruling_detain", f"{_RULING}（扣押）", "民事诉讼法第255条；民诉法解释（2022）第485条；查封规定",
                     measure_kinds=(MeasureKind.DETAIN,), group="执行裁定书"),
        DocumentKind("ruling_deduct", f"{_RULING}（扣划）", "民事诉讼法第253条；民诉法解释（2022）第484条",
                     measure_kinds=(MeasureKind.DEDUCT,), group="执行裁定书"),
        DocumentKind("ruling_auction", f"{_RULING}（拍卖）", "民事诉讼法第258条；拍卖变卖规定；法释〔2016〕18号（网络司法拍卖规定）；法释〔2018〕15号（参考价）",
                     measure_kinds=(MeasureKind.SEAL, MeasureKind.DETAIN), group="执行裁定书"),
        DocumentKind("assistance_notice", "协助执行通知书", "民事诉讼法第253、255条；查封规定",
                     extras=(_MEASURE, Extra("addressee", "协助执行单位", "text", help="默认按财产类别（开户行、登记机构等）")),
                     measure_kinds=(MeasureKind.FREEZE, MeasureKind.SEAL, MeasureKind.DETAIN, MeasureKind.DEDUCT)),
        DocumentKind("proof_of_service", "送达回证", "民事诉讼法第87条（送达回证，受送达人签收）",
                     needs_seal=False, signature_label="受送达人签收", group="送达",
                     extras=(Extra("served_document", "送达文书", "text", help="默认：执行通知书、报告财产令"),
                             Extra("addressee", "受送达人", "party", help="默认为第一被执行人"),
                             Extra("method", "送达方式", "text", help="默认：直接送达"))),
        DocumentKind("reward_notice", "悬赏公告", "财产调查规定第21–24条（申请人书面申请，悬赏金从其执行所得中支付）",
                     extras=(Extra("reward_amount", "悬赏金（元）", "money", required=True),
                             Extra("valid_until", "悬赏期限至", "date"),
                             Extra("contact", "联系人及电话", "text", help="默认为承办人"))),
        DocumentKind("zhongben_notice", "拟终结本次执行程序告知书", "法〔2016〕373号第5条（终本前告知申请执行人并听取意见）",
                     group="终本与恢复"),
        DocumentKind("zhongben_ruling", "终结本次执行程序裁定书",
                     "法〔2016〕373号第1、6条（要素式：逐项列明财产调查、控制措施与制裁）；民诉法解释（2022）第517条",
                     group="终本与恢复"),
        DocumentKind("restoration_notice", "恢复执行通知书", "民诉法解释（2022）第517条；法〔2016〕373号第9条",
                     case_types=(CaseType.RESTORED,), group="终本与恢复"),
        DocumentKind("distribution_plan", "财产分配方案", "民诉法解释（2022）第506–510、514条",
                     extras=(Extra("available", "可供分配金额（元）", "money", help="默认为本案已执行到位金额"),
                             Extra("costs", "执行费用（元）", "money", help="优先从可供分配金额中扣除")),
                     group="分配"),
    )
}

KIND_CHOICES = [(k.code, k.title) for k in DOCUMENT_KINDS.values()]

# 协助执行通知书 goes to the body that holds or registers the asset: a bank for a deposit, the
# registry for a flat. Kinds with a holder field name it; the others go to their registry.
ADDRESSEE_FIELD = {
    "bank_deposit": "bank", "payment_account": "platform", "securities": "broker", "provident_fund": "centre",
    "insurance": "insurer",
}
ADDRESSEE_BODY = {
    "real_estate": "不动产登记中心", "vehicle": "公安机关交通管理部门车辆管理所", "equity": "市场监督管理部门",
    "vessel": "海事管理机构", "other": "",
}

# 参与分配 (CPL-JI Arts 506–510, 514): costs first, then priority claims, then ordinary claims pro rata
# where the respondent is a natural person or an unincorporated organisation; a company respondent not
# moved to bankruptcy pays ordinary claims in the order of their seizures.
DISTRIBUTION_PRO_RATA = ("按债权比例受偿", "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第五百零六条、第五百零八条")
DISTRIBUTION_BY_SEIZURE = ("按查封、扣押、冻结先后顺序受偿", "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第五百一十四条")
DISTRIBUTION_OBJECTION_DAYS = 15  # CPL-JI Art. 509: objection within 15 days of service (printed in the plan)

# The enforcement application fee is case money's (zhixing.money.rules); the documents print it.
from zhixing.money.rules import APPLICATION_FEE_CITATION, application_fee_fen  # noqa: E402,F401
