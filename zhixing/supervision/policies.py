"""Which rule version and which supervision settings apply to each court, and changing them.

National versions follow rules.py: when the code's rule differs from the latest national version (a
new law, a corrected figure), a new version is added and new deadlines use it; running ones keep
theirs. A court may adopt a stricter version of its own, never a looser one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhixing.cases.exceptions import FieldError, NotAllowed, ValidationFailed
from zhixing.courts.models import Court

from .models import RuleVersion, SupervisionPolicy
from .rules import RULES, RULES_BY_CODE, due_date

NATIONAL_EFFECTIVE_FROM = dt.date(2016, 1, 1)


@dataclass(frozen=True)
class Policy:
    yellow_lead_days: int = 3
    team_lead_after_days: int = 2
    division_head_after_days: int = 5
    president_after_days: int = 10
    lock_from: dt.date | None = None
    lock_after_red_days: int = 15
    lock_rules: frozenset[str] = frozenset()  # empty: every rule may lock

    @property
    def key(self) -> str:
        """Identifies the settings in the date memo: equal settings share remembered dates."""
        lock = f"{self.lock_from:%Y%m%d}+{self.lock_after_red_days}:{','.join(sorted(self.lock_rules))}" if self.lock_from else "nolock"
        text = f"{self.yellow_lead_days}-{self.team_lead_after_days}-{self.division_head_after_days}-{self.president_after_days}-{lock}"
        return hashlib.sha1(text.encode()).hexdigest()

    def locks(self, rule_code: str) -> bool:
        return self.lock_from is not None and (not self.lock_rules or rule_code in self.lock_rules)


DEFAULT_POLICY = Policy()


def policy_of(row: SupervisionPolicy | None) -> Policy:
    if row is None:
        return DEFAULT_POLICY
    return Policy(
        yellow_lead_days=row.yellow_lead_days,
        team_lead_after_days=row.team_lead_after_days,
        division_head_after_days=row.division_head_after_days,
        president_after_days=row.president_after_days,
        lock_from=row.lock_from,
        lock_after_red_days=row.lock_after_red_days,
        lock_rules=frozenset(code.strip() for code in row.lock_rules.split(",") if code.strip()),
    )


def _court_ids(court_ids) -> list[int]:
    return list(court_ids) if court_ids is not None else list(Court.objects.values_list("pk", flat=True))


def court_policies(court_ids=None) -> dict[int, Policy]:
    """{court_id: settings} for the given courts (default: every court)."""
    ids = _court_ids(court_ids)
    rows = {p.court_id: p for p in SupervisionPolicy.objects.filter(court_id__in=ids)}
    return {court_id: policy_of(rows.get(court_id)) for court_id in ids}


def ensure_rule_versions() -> None:
    """Add a national version for each rule whose figures in rules.py differ from the latest one."""
    latest = {}
    for version in RuleVersion.objects.filter(court__isnull=True).order_by("rule_code", "version"):
        latest[version.rule_code] = version
    new = []
    for rule in RULES:
        have = latest.get(rule.code)
        if have and (have.amount, have.unit, have.extra_days, have.citation) == (rule.amount, rule.unit, rule.extra_days, rule.citation[:300]):
            continue
        new.append(RuleVersion(
            rule_code=rule.code, court=None, version=(have.version + 1) if have else 1, amount=rule.amount,
            unit=rule.unit, extra_days=rule.extra_days, citation=rule.citation[:300],
            effective_from=NATIONAL_EFFECTIVE_FROM if have is None else timezone.localdate(),
            reason="规则随系统更新" if have else "初始版本",
        ))
    if new:
        RuleVersion.objects.bulk_create(new)


def current_versions(court_ids=None) -> dict[tuple[int, str], int]:
    """{(court_id, rule_code): version id}: the court's own latest version, else the national latest."""
    national: dict[str, int] = {}
    own: dict[tuple[int, str], int] = {}
    for v in RuleVersion.objects.order_by("version").only("pk", "rule_code", "court_id"):
        if v.court_id is None:
            national[v.rule_code] = v.pk
        else:
            own[(v.court_id, v.rule_code)] = v.pk
    return {
        (court_id, rule.code): own.get((court_id, rule.code), national[rule.code])
        for court_id in _court_ids(court_ids)
        for rule in RULES
    }


def national_version(rule_code: str) -> RuleVersion:
    ensure_rule_versions()
    return RuleVersion.objects.filter(court__isnull=True, rule_code=rule_code).order_by("-version").first()


def looser_start(rule_code: str, amount: int, unit: str, extra_days: int, *, years: int = 2,
                 start: dt.date | None = None) -> tuple[dt.date, dt.date, dt.date] | None:
    """The first start date on which (amount, unit) would end later than the national rule, as
    (start, court's due, law's due); None if it never does over `years` of start dates."""
    rule = RULES_BY_CODE[rule_code]
    law = national_version(rule_code)
    day = start or timezone.localdate()
    for _ in range(365 * years):
        mine = due_date(amount, unit, day, extra_days=extra_days, roll_off=rule.roll_off)
        theirs = due_date(law.amount, law.unit, day, extra_days=law.extra_days, roll_off=rule.roll_off)
        if mine > theirs:
            return day, mine, theirs
        day += dt.timedelta(days=1)
    return None


@transaction.atomic
def court_rule_adopt(*, actor, court: Court, rule_code: str, amount: int, unit: str, citation: str,
                     extra_days: int = 0, reason: str = "", effective_from: dt.date | None = None) -> RuleVersion:
    """A court's own, stricter version of a rule. New deadlines use it; running ones keep theirs."""
    if not (actor.is_superuser or (actor.court_id == court.pk and actor.role in ("bureau_head", "president"))):
        raise NotAllowed("只有本院执行局长、院长或系统管理员可以设定本院期限规则")
    if rule_code not in RULES_BY_CODE:
        raise ValidationFailed([FieldError("rule_code", f"没有规则 {rule_code}")])
    if unit not in ("days", "working_days", "months") or amount <= 0:
        raise ValidationFailed([FieldError("amount", "期限须为正整数，单位为日、工作日或月")])
    if not citation.strip():
        raise ValidationFailed([FieldError("citation", "请写明本院规则的依据（文件名称和条款）")])
    looser = looser_start(rule_code, amount, unit, extra_days)
    if looser:
        law = national_version(rule_code)
        start, mine, theirs = looser
        raise ValidationFailed([FieldError(
            "amount",
            f"本院规则不得宽于法定期限：自 {start} 起算时，{amount}{dict(days='日', working_days='个工作日', months='个月')[unit]}"
            f"至 {mine} 届满，而{law.citation}规定的 {law.period_text} 至 {theirs} 届满",
        )])
    last = RuleVersion.objects.filter(rule_code=rule_code, court=court).aggregate(v=Max("version"))["v"] or 0
    return RuleVersion.objects.create(
        rule_code=rule_code, court=court, version=last + 1, amount=amount, unit=unit, extra_days=extra_days,
        citation=citation.strip()[:300], effective_from=effective_from or timezone.localdate(), created_by=actor,
        reason=reason[:300],
    )
