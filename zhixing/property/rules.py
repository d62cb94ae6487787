"""Property investigation and control (C12–C17), as data with its citation (../shared/domain/rules.md).

Where is the period of a bank freeze? Here: PERIOD_CLASSES["deposit"]. Which fields does a vehicle
need? ASSET_KINDS["vehicle"].fields. What is on the 5+X+Y checklist? CHECKLIST.
"""

from __future__ import annotations

from dataclasses import dataclass

CPL_JI_485 = "民诉法解释（2022）第485条"


@dataclass(frozen=True)
class PeriodClass:
    """How long one freeze, seal or detention lasts, and each renewal (续行) likewise."""

    code: str
    name: str
    months: int
    citation: str
    node_code: str  # the flow node supervision's expiry rule of this class starts from


PERIOD_CLASSES: dict[str, PeriodClass] = {
    p.code: p
    for p in (
        PeriodClass("deposit", "冻结银行存款", 12, CPL_JI_485 + "（不超过一年）", "freeze"),
        PeriodClass("movable", "查封、扣押动产", 24, CPL_JI_485 + "（不超过二年）", "detain"),
        PeriodClass("immovable", "查封不动产、冻结其他财产权", 36, CPL_JI_485 + "（不超过三年）", "seal"),
    )
}
# Which measure fits which asset (CPL Arts 253, 255: deposits, securities, equity and other rights are
# frozen; real estate is sealed; movables are sealed or detained; cash-like balances may be deducted).
MEASURES_FOR_ASSET: dict[str, frozenset[str]] = {
    "bank_deposit": frozenset({"freeze", "deduct"}),
    "payment_account": frozenset({"freeze", "deduct"}),
    "provident_fund": frozenset({"freeze", "deduct"}),
    "securities": frozenset({"freeze"}),
    "equity": frozenset({"freeze"}),
    "insurance": frozenset({"freeze"}),
    "real_estate": frozenset({"seal"}),
    "vehicle": frozenset({"seal", "detain"}),
    "vessel": frozenset({"seal", "detain"}),
    "other": frozenset({"freeze", "seal", "detain"}),
}
MEASURE_FIT_CITATION = "民事诉讼法第253、255条（存款等冻结、划拨；其他财产查封、扣押）"
# 扣划 takes money: deposits, payment-account balances and the provident-fund balance (提取/扣划).
DEDUCT_CITATION = "民诉法解释（2022）第484条；民事诉讼法第253条（扣划存款等款项）"

# Renew before expiry (Art. 27 below), so the reminder comes a month ahead: supervision's yellow
# warning for a measure and the court's 续行提醒 list use the same lead.
RENEWAL_REMINDER_DAYS = 30
RENEWAL_CITATION = CPL_JI_485 + "；查封规定第27条（期限届满前续行，未续行的视为解除）"
QUEUE_CITATION = "查封规定第26条（在先查封解除的，登记在先的轮候查封自动生效）"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = True
    kind: str = "text"  # text | money (yuan in files, fen stored) | decimal | date


@dataclass(frozen=True)
class AssetKind:
    code: str
    name: str
    fields: tuple[Field, ...]
    identity: tuple[str, ...]  # the fields that make it the same asset in every case (the same flat for every creditor)
    period_class: str  # its freeze/seal period
    cash: bool = False  # counts as cash found (现金可执行率)
    value_field: str = ""  # the money field that values it, if any


def _f(name, label, required=True, kind="text"):
    return Field(name, label, required, kind)


ASSET_KINDS: dict[str, AssetKind] = {
    k.code: k
    for k in (
        AssetKind("bank_deposit", "银行存款", (_f("bank", "开户行"), _f("account", "账号"), _f("balance", "余额（元）", kind="money")),
                  ("bank", "account"), "deposit", cash=True, value_field="balance"),
        AssetKind("payment_account", "网络支付账户", (_f("platform", "支付机构"), _f("account", "账户"),
                  _f("balance", "余额（元）", kind="money")), ("platform", "account"), "deposit", cash=True, value_field="balance"),
        AssetKind("securities", "证券", (_f("broker", "证券公司"), _f("account", "证券账户"),
                  _f("market_value", "市值（元）", kind="money")), ("broker", "account"), "immovable", value_field="market_value"),
        AssetKind("real_estate", "不动产", (_f("certificate_number", "不动产权证号"), _f("address", "坐落"),
                  _f("area", "面积（平方米）", kind="decimal"), _f("share", "份额", required=False)),
                  ("certificate_number",), "immovable"),
        AssetKind("vehicle", "机动车", (_f("plate", "号牌"), _f("vin", "车辆识别代号"), _f("model", "品牌型号", required=False)),
                  ("vin",), "movable"),
        AssetKind("equity", "股权", (_f("company", "公司名称"), _f("company_credit_code", "公司统一社会信用代码"),
                  _f("share", "持股比例"), _f("subscribed", "认缴出资（元）", required=False, kind="money")),
                  ("company_credit_code",), "immovable"),
        AssetKind("provident_fund", "住房公积金", (_f("centre", "公积金中心"), _f("account", "个人账号"),
                  _f("balance", "余额（元）", kind="money")), ("centre", "account"), "immovable", value_field="balance"),
        AssetKind("insurance", "保险", (_f("insurer", "保险公司"), _f("policy_number", "保单号"),
                  _f("cash_value", "现金价值（元）", required=False, kind="money")), ("insurer", "policy_number"),
                  "immovable", value_field="cash_value"),
        AssetKind("vessel", "船舶", (_f("name", "船名"), _f("registry_number", "船舶登记号")), ("registry_number",), "movable"),
        AssetKind("other", "其他财产", (_f("description", "财产描述"), _f("reference", "权属凭证号")), ("reference",), "immovable"),
    )
}
# The identity of an equity stake is the company *and* the holder: two holders' stakes are two assets.
OWNER_IN_IDENTITY = frozenset({"equity", "provident_fund"})
ASSET_KIND_CHOICES = [(k.code, k.name) for k in ASSET_KINDS.values()]


class Group:
    FIVE = "five"  # the five network queries
    X = "x"  # what the parties supply
    Y = "y"  # extended investigation
    LABELS = {FIVE: "5（网络查控）", X: "X（当事人提供线索）", Y: "Y（拓展调查）"}


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    name: str
    group: str
    agency_kind: str  # requests are batched per agency kind; "" = not sent to an agency (clues)
    asset_kinds: tuple[str, ...]  # what a positive reply adds
    network: bool = True  # sent through the query network (else recorded by hand)


CHECKLIST_CITATION = "海淀法院“5+X+Y”财产查控模式（seed 001 案例4）；财产调查规定第13条（网络查询与现场调查同等效力）"
CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("deposits", "银行存款", Group.FIVE, "bank", ("bank_deposit",)),
    ChecklistItem("securities", "证券", Group.FIVE, "securities", ("securities",)),
    ChecklistItem("real_estate", "不动产", Group.FIVE, "real_estate", ("real_estate",)),
    ChecklistItem("vehicles", "车辆", Group.FIVE, "vehicle", ("vehicle",)),
    ChecklistItem("business_registration", "工商登记（股权）", Group.FIVE, "business_registration", ("equity",)),
    ChecklistItem("party_clues", "当事人提供的财产线索", Group.X, "", (), network=False),
    ChecklistItem("social_security", "社会保险", Group.Y, "social_security", ()),
    ChecklistItem("household", "户籍", Group.Y, "household", (), network=False),
    ChecklistItem("residence_committee", "居（村）委会走访", Group.Y, "", (), network=False),
    ChecklistItem("provident_fund", "住房公积金", Group.Y, "provident_fund", ("provident_fund",)),
    ChecklistItem("payment_accounts", "网络支付账户", Group.Y, "payment", ("payment_account",)),
    ChecklistItem("insurance", "保险", Group.Y, "insurance", ("insurance",)),
)
CHECKLIST_BY_CODE = {item.code: item for item in CHECKLIST}
AGENCY_KINDS = {
    "bank": "银行", "securities": "证券登记结算机构", "real_estate": "不动产登记机构", "vehicle": "公安交管部门",
    "business_registration": "市场监管部门", "social_security": "人社部门", "household": "公安户籍",
    "provident_fund": "住房公积金中心", "payment": "网络支付机构", "insurance": "保险机构",
}

# Clue verification: the national rule; a local "7 working days" would be looser and does not apply.
CLUE_VERIFY_DAYS = 7
CLUE_VERIFY_URGENT_DAYS = 3
CLUE_CITATION = "关于民事执行中财产调查若干问题的规定（2020修正）第2条（7日内核查，紧急的3日内）"
AUDIT_DECISION_DAYS = 10
AUDIT_CITATION = "财产调查规定第17、20条（书面申请，10日内决定；申请人预交费用，查实规避执行的由被执行人承担）"
LAWYER_ORDER_CITATION = "财产调查规定；各地律师调查令规定（申请执行人的代理律师向有关单位调查）"

# 现金可执行率 = cash found ÷ outstanding claim, in basis points (integers end to end: no float).
# A case whose cash covers what is still owed is a "简案" for the fast-track team (seed 001 case 1).
CASH_RATIO_CITATION = "海淀法院“现金可执行率”：已查询现金存款与申请执行标的金额之比，以此排序先结简案（seed 001 案例1）"
FAST_TRACK_MIN_RATIO_BP = 10_000
CASH_KINDS = tuple(code for code, kind in ASSET_KINDS.items() if kind.cash)
