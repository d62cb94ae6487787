"""Netting (抵销) as law and local policy, with citations (../shared/domain/rules.md §8, "Set-off in
enforcement").

Where is the rule that a counter-claim must be confirmed by an effective legal document or accepted
by the applicant? Here: SET_OFF. Which cases may be netted at all? NETTABLE_CASE_TYPES and the
refusals in `case_refusal`. Who approves a proposal? APPROVERS, and never its drafter (SEPARATION).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.cases.choices import CaseType
from zhixing.cases.rules import HANDLING, LEADERS, ROUTINE


@dataclass(frozen=True)
class Rule:
    text: str
    citation: str

    @property
    def full(self) -> str:
        return f"{self.text}（{self.citation}）"


# [confirmed: 异议复议规定 Art. 19] The law itself: bilateral set-off of mutually due money debts.
SET_OFF = Rule(
    "当事人互负到期债务，被执行人对申请执行人享有的债权经生效法律文书确定或者经申请执行人认可，"
    "且与所负债务的标的物种类、品质相同的，可以抵销",
    "最高人民法院关于人民法院办理执行异议和复议案件若干问题的规定（2020年修正）第19条",
)

# Every enforcement case of these types enforces an effective legal document (执行依据) for money:
# its claim is "confirmed by an effective legal document". A preservation case (执保) enforces a
# preservation ruling, not a debt found due, and 执异/执复/执监… are not money claims at all.
NETTABLE_CASE_TYPES = frozenset({CaseType.FIRST, CaseType.RESTORED})

# [policy] A cycle (A owes B, B owes C, C owes A) is not a set-off of mutual debts between two parties:
# it only happens by agreement, so every party of the cycle must have consented (recorded). Mengzhou
# (seed 003): the court drafted the set-off plan and "双方达成一致意见".
MULTILATERAL = Rule(
    "三方以上当事人之间循环抵销，不属于双方互负债务的抵销，须经循环中每一方当事人同意",
    "本系统规则；参照孟州市法院14起关联案件“经合议庭研究拟定抵销方案，双方达成一致意见”的做法（焦作中院，2022）",
)

# [policy] Every party of a ring must consent in writing, in practice at one hearing: a ring of more
# than six parties cannot be agreed, so longer ones are not proposed (their pairs may still be set off
# bilaterally, and a smaller ring may be found among them).
MAX_CYCLE_PARTIES = 6

# [policy] A case with several respondents (共同被执行人) is netted only when the judge apportions its
# outstanding amount among them and every party of that case consents: whether they are jointly
# liable or each for a share is not in the data, so the system does not assume either.
JOINT = Rule(
    "共同被执行人案件，须由承办法官确定各被执行人以其债权抵销的份额，并经本案全体当事人同意",
    "本系统规则（连带或按份责任未经登记，从严处理）",
)

# [policy] Several applicants share one claim in shares the data does not hold: never netted.
JOINT_APPLICANTS = "有多个申请执行人，各自债权份额不明，不纳入抵销"

# Separation of duties: the handling team drafts, the bureau's leader approves, the drafter never
# approves its own proposal.
SEPARATION = Rule(
    "抵销方案由承办团队拟定、执行局长（或院长）审批，拟定人、送达人不得审批",
    "本院执行权制约机制（审执分离、拟定与审批相分离；参照焦作法院执行权运行机制改革，seed 003）",
)

DRAFTERS = HANDLING  # 执行法官、法官助理
APPROVERS = LEADERS  # 执行局长、院长
APPLIERS = HANDLING | LEADERS  # who may record the approved set-offs on the cases and close them
CONSENT_RECORDERS = ROUTINE  # the handling team, clerks included, record what the parties said
REVERSERS = LEADERS  # undoing an applied proposal is a leader's decision, with its reason

# A proposal is a document for the parties, but Mengzhou-like bundles grow: the engine handles
# 100,000 obligations in seconds (benchmarks/netting.py); beyond this, split the bundle.
MAX_CASES = 200_000
# Claims the judge enters that are not this court's enforcement cases (抵销债权).
MAX_COUNTER_CLAIMS = 100


def reference(proposal_pk: int, case_pk: int) -> str:
    """The money service's idempotency key of one case's set-off."""
    return f"NET{proposal_pk}-{case_pk}"
