"""Hand-built cases for the indicator tests: rows written directly with exactly the dates, closing types
and amounts a test needs (the indicators read rows; the services that make them are tested in cases/)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from zhixing.cases.choices import CaseStatus
from zhixing.cases.models import EnforcementCase, NodeRecord
from zhixing.indicators.periods import add_months

D = dt.date
_serial = itertools.count(1)


def build_case(court, *, filed_on: dt.date, closed_on: dt.date | None = None, closing_type: str = "",
               claim_fen: int = 1_000_000, performed_fen: int = 0, team=None, handler=None, case_type: str = "执",
               close_due: dt.date | None = None, nodes: tuple[tuple[str, dt.date], ...] = ()) -> EnforcementCase:
    """One case; `close_due` defaults to 6 months after filing (the stored statutory period)."""
    n = next(_serial)
    case = EnforcementCase.objects.create(
        court=court, case_number=f"（{filed_on.year}）{court.court_code}{case_type}{n}号", case_type=case_type,
        year=filed_on.year, sequence=n, filed_on=filed_on,
        status=CaseStatus.CLOSED if closed_on else CaseStatus.OPEN, closing_type=closing_type if closed_on else "",
        closed_on=closed_on, claim_amount_fen=claim_fen, performed_amount_fen=performed_fen, team=team,
        handler=handler, close_due=close_due or add_months(filed_on, 6),
    )
    for code, on in nodes:
        NodeRecord.objects.create(court=court, case=case, node_code=code, occurred_on=on, recorded_at=timezone.now())
    return case
