"""Case money as law and local policy, with citations (../shared/domain/rules.md §8).

Where is the 3-working-day limit for unidentified money? Here: UNIDENTIFIED_ASSIGN. The payout
period itself (30 days nationally, Zhejiang 7 working days) is a supervision rule a court adopts
(`zhixing.supervision.rules.RULES_BY_CODE["payout"]`, `LOCAL_RULES`); `payout_due` reads the court's.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.accounts.choices import Role

MONEY_CITATION = "关于执行款物管理工作的规定（法发〔2017〕6号）"


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str  # "days" or "working_days"
    citation: str


# 不明款: assigned to its case (or returned) within 3 working days (Zhejiang practice; rules.md §8).
UNIDENTIFIED_ASSIGN = Limit(3, "working_days", "浙江高院执行款管理：不明款3个工作日内认领（rules.md §8；一案一账号）")
# 暂缓发放: only on the bureau head's or a court leader's approval, on the listed grounds
# (choices.DeferralReason); once the reason ends the money is paid within 10 days (法发〔2017〕6号).
AFTER_DEFERRAL = Limit(10, "days", MONEY_CITATION + "（暂缓发放事由消除后10日内发放）")
DEFERRAL_CITATION = MONEY_CITATION + "（有需要分配、被冻结、申请执行人未领取、中止或暂缓执行等情形的，经执行局长或院领导批准可暂缓发放）"

# Enforcement application fee (诉讼费用交纳办法 Arts 14, 20): 50 yuan up to 10,000; then by bands.
# (upper bound in fen or None, rate in basis points of the part within the band)
APPLICATION_FEE_BASE_FEN = 5_000
APPLICATION_FEE_BANDS = (
    (1_000_000, 0),
    (50_000_000, 150),
    (500_000_000, 100),
    (1_000_000_000, 50),
    (None, 10),
)
APPLICATION_FEE_CITATION = "诉讼费用交纳办法第14条（执行申请费：1万元以下50元；1万至50万元部分1.5%；50万至500万元部分1%；500万至1000万元部分0.5%；超过1000万元部分0.1%）"
FEE_AFTER_ENFORCEMENT_CITATION = "诉讼费用交纳办法第20条（执行申请费执行后交纳）、第38条（由被执行人负担）"


def application_fee_fen(claim_fen: int) -> int:
    """The enforcement application fee for an amount, in fen (rounded half up to the fen)."""
    fee_bp_fen = 0  # fen × basis points, kept integral until the end
    lower = 0
    for upper, rate_bp in APPLICATION_FEE_BANDS:
        top = claim_fen if upper is None else min(claim_fen, upper)
        if top > lower:
            fee_bp_fen += (top - lower) * rate_bp
        if upper is None or claim_fen <= upper:
            break
        lower = upper
    return APPLICATION_FEE_BASE_FEN + (fee_bp_fen + 5_000) // 10_000


# Who does what. The finance desk (案款管理) books what the bank says and pays; the case team orders;
# the court's chain approves. Separation of duties: whoever orders a payment approves no step of it,
# nobody approves two steps, and the finance desk neither orders nor approves.
RECORDERS = frozenset({Role.FINANCE})
ORDERERS = frozenset({Role.JUDGE, Role.ASSISTANT})
PAYERS = frozenset({Role.FINANCE})
SEPARATION_CITATION = MONEY_CITATION + "（执行款的通知、审批、支付相分离）"
DEFERRAL_REQUESTERS = ORDERERS
DEFERRAL_APPROVERS = frozenset({Role.BUREAU_HEAD, Role.PRESIDENT})
# A set-off decided by an approved procedure (the netting proposal, zhixing.netting) is recorded by
# the judge or leader who applies it: no bank moves, so the finance desk has nothing to book.
SET_OFF_RECORDERS = frozenset({Role.JUDGE, Role.ASSISTANT, Role.BUREAU_HEAD, Role.PRESIDENT})
SET_OFF_CITATION = "最高人民法院关于人民法院办理执行异议和复议案件若干问题的规定第19条（抵销须经生效法律文书确认或申请执行人认可，且标的物种类、品质相同）"


@dataclass(frozen=True)
class ApprovalStep:
    role: str
    min_fen: int = 0  # the step applies to orders of at least this amount (0: always)

    def as_dict(self) -> dict:
        return {"role": self.role, "min_fen": self.min_fen}


# The default chain: the handling judge's colleague judge, then the bureau head; a court leader from
# 1,000,000 yuan. A court configures its own (MoneySettings.approval_chain).
DEFAULT_APPROVAL_CHAIN = (
    ApprovalStep(Role.JUDGE),
    ApprovalStep(Role.BUREAU_HEAD),
    ApprovalStep(Role.PRESIDENT, min_fen=100_000_000),
)
APPROVER_ROLES = frozenset({Role.JUDGE, Role.BUREAU_HEAD, Role.PRESIDENT, Role.COMMAND_CENTRE})

# Aging buckets of money held on case accounts (days since it arrived), for the aging report.
AGING_BUCKETS = ((7, "7日以内"), (30, "8–30日"), (90, "31–90日"), (365, "91–365日"), (None, "一年以上"))
