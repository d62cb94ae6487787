"""案号: （收案年度）+ 法院代字 + 类型代字 + 序号 + 号 (法〔2015〕137号 Arts 2–3, 9–10; rules.md §1)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import F
from django.db.models.functions import Greatest

from .choices import CaseType
from .models import CaseNumberSequence

# Longer type codes first so that 执恢 is not read as 执 + 恢.
_TYPES = "|".join(sorted((c.value for c in CaseType), key=len, reverse=True))
_PATTERN = re.compile(rf"^[（(](?P<year>\d{{4}})[）)](?P<court>.+?)(?P<type>{_TYPES})(?P<seq>[1-9]\d*)号$")


@dataclass(frozen=True)
class CaseNumber:
    year: int
    court_code: str
    case_type: str
    sequence: int

    def __str__(self) -> str:
        # Full-width brackets in documents (Art. 3); half-width is accepted on input only.
        return f"（{self.year}）{self.court_code}{self.case_type}{self.sequence}号"


def parse_case_number(text: str) -> CaseNumber:
    match = _PATTERN.match((text or "").strip().replace(" ", ""))
    if not match:
        raise ValueError(f"{text!r} 不是有效案号（格式如：（2026）京0108执1234号）")
    return CaseNumber(int(match["year"]), match["court"], match["type"], int(match["seq"]))


def next_sequence(*, court_id: int, year: int, case_type: str) -> int:
    """Take the next number. The UPDATE row-locks the counter until the caller's transaction ends,
    so concurrent registrations in one court queue here and never share a number."""
    counter, _ = CaseNumberSequence.objects.get_or_create(court_id=court_id, year=year, case_type=case_type)
    CaseNumberSequence.objects.filter(pk=counter.pk).update(last_value=F("last_value") + 1)
    return CaseNumberSequence.objects.values_list("last_value", flat=True).get(pk=counter.pk)


def reserve_sequence(*, court_id: int, year: int, case_type: str, sequence: int) -> None:
    """An imported case keeps its old number; later numbers continue after it."""
    counter, _ = CaseNumberSequence.objects.get_or_create(court_id=court_id, year=year, case_type=case_type)
    CaseNumberSequence.objects.filter(pk=counter.pk).update(last_value=Greatest(F("last_value"), sequence))
