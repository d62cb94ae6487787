"""参与分配 as law, with citations (../shared/domain/rules.md §8, "Distribution among creditors").

Where is the 15-day objection period? Here: OBJECTION. Which order do the proceeds pay in? TIER_ORDER,
with the method for ordinary claims chosen by the respondent's kind (METHODS). The order among
priority claims themselves (a mortgage against a wage claim, say) is not in rules.md: the judge
records each priority claim's rank and its basis, and equal ranks share pro rata.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.accounts.choices import Role
from zhixing.cases.choices import PartyKind
from zhixing.documents.rules import (
    DISTRIBUTION_BY_SEIZURE,
    DISTRIBUTION_OBJECTION_DAYS,
    DISTRIBUTION_PRO_RATA,
)
from zhixing.money.rules import ORDERERS

from .choices import Method, Tier

CITATION = "民诉法解释（2022）第506–510条"
CITATION_SEIZURE = "民诉法解释（2022）第514条"


@dataclass(frozen=True)
class Period:
    days: int
    what: str
    citation: str

    @property
    def text(self) -> str:
        return f"{self.what.format(days=self.days)}（{self.citation}）"


# Counted in calendar days from the day after the start; a last day on a rest day rolls to the next
# workday (CPL Art. 85; workdays.calendar.add_days).
# The objection period is the one the plan document prints (documents.rules), so page and paper agree.
OBJECTION = Period(DISTRIBUTION_OBJECTION_DAYS, "债权人或被执行人对分配方案有异议的，自收到分配方案之日起{days}日内提出书面异议", CITATION)
OPPOSITION = Period(15, "其他债权人或被执行人自收到异议通知之日起{days}日内可以提出反对意见", CITATION)
SUIT = Period(15, "异议人自收到反对意见通知之日起{days}日内可以提起诉讼（争议款项提存），逾期未起诉的按原方案分配", CITATION)

# From the proceeds: enforcement costs first, then priority claims, then ordinary claims.
TIER_ORDER = (Tier.COST, Tier.PRIORITY, Tier.ORDINARY)
TIER_CITATION = CITATION + "（执行所得价款扣除执行费用，清偿应当优先受偿的债权后，普通债权按比例受偿）"


@dataclass(frozen=True)
class MethodRule:
    method: str
    label: str
    citation: str  # the formal wording the plan document prints
    short_citation: str


# Ordinary claims: pro rata where the respondent is a natural person or an unincorporated organisation;
# a company respondent not moved to bankruptcy pays them in the order of their seizures (preservation
# included). The formal citations are the document set's (documents.rules), so plan and page agree.
METHODS = {
    Method.PRO_RATA: MethodRule(Method.PRO_RATA, DISTRIBUTION_PRO_RATA[0], DISTRIBUTION_PRO_RATA[1], CITATION),
    Method.BY_SEIZURE: MethodRule(Method.BY_SEIZURE, DISTRIBUTION_BY_SEIZURE[0], DISTRIBUTION_BY_SEIZURE[1],
                                  CITATION_SEIZURE),
}


def method_for_respondent_kinds(kinds: set[str]) -> str:
    """By seizure only when every respondent is a legal person (a company); otherwise pro rata."""
    if kinds and kinds <= {PartyKind.LEGAL_PERSON}:
        return Method.BY_SEIZURE
    return Method.PRO_RATA


# Who does what. The case team (and the bureau's leaders) draft, serve and record objections; carrying
# a plan out asks for payout orders, which only the case team may (case money's separation of duties:
# the bureau head approves those orders, so does not order them).
DRAFTERS = frozenset({Role.JUDGE, Role.ASSISTANT, Role.BUREAU_HEAD, Role.PRESIDENT})
EXECUTORS = ORDERERS

# A line names its creditor; a plan is a document, not a spreadsheet.
MAX_LINES = 200
# Priority ranks the judge records (1 pays first; equal ranks share pro rata): a form limit, not law.
MAX_RANK = 99
