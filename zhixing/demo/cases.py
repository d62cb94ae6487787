"""Demo enforcement cases: parties, claims, basis, a life story of flow nodes, and the execution log to match.

Everything is drawn from one random.Random in filing order, so a seed gives the same cases, numbers
and log hashes. Each case's history obeys the rules the services enforce: nodes only after what they
require (rules.NODES), 终本 only after the minimum period (deadlines.earliest_zhongben), the amount
performed never above the claim, stored deadlines computed by zhixing.cases.deadlines.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.casenumbers import CaseNumber
from zhixing.cases.choices import (
    CaseStatus,
    CaseType,
    ClaimKind,
    ClosingType,
    LogAction,
    PartyKind,
    PartyRole,
    RegistrationSource,
    Stage,
    Track,
)
from zhixing.cases.rules import FIELD, HANDLING, NODES_BY_CODE, ROUTINE
from zhixing.cases.services import registration_snapshot
from zhixing.cases.templatetags.money import fen_to_yuan_text
from zhixing.courts.choices import TeamType
from zhixing.money.choices import ReceiptChannel

from . import names
from .casemoney import MONEY_NODES, Books, CaseLedger, MoneyRows, fresh_money_ids, split
from .flows import FlowPlanner
from .history import History
from .identity import make_credit_code, make_id_number
from .money import claims_for
from .province import (
    CITY_REGIONS,
    DISTRICT_NAMES,
    OTHER_REGIONS,
    PROVINCE_REGIONS,
    CourtStaff,
    Province,
    TeamStaff,
)
from .rows import CASE_COLUMNS
from .timeline import DemoCalendar, Slot

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Of the cases that have closed, by closing type (法发〔2014〕26号). 终本 is a little over its target
# share because young cases cannot have it (法〔2016〕373号 Art. 1(4)) and fall back to the others.
CLOSING_WEIGHTS = (
    (ClosingType.PERFORMED, 40),
    (ClosingType.TERMINATE_CURRENT, 47),
    (ClosingType.TERMINATED, 6),
    (ClosingType.WITHDRAWN, 3.5),
    (ClosingType.NOT_ENFORCED, 1),
    (ClosingType.REJECTED, 2.5),
)
# Days from filing to closing: median and spread (log-normal) by closing type.
CLOSING_DAYS = {
    ClosingType.PERFORMED: (70, 0.8),
    ClosingType.TERMINATE_CURRENT: (25, 1.0),  # counted from the earliest 终本 date
    ClosingType.TERMINATED: (90, 0.8),
    ClosingType.WITHDRAWN: (35, 0.8),
    ClosingType.NOT_ENFORCED: (30, 0.6),
    ClosingType.REJECTED: (25, 0.6),
}
CLOSING_REASONS = {
    ClosingType.PERFORMED: "",
    ClosingType.TERMINATE_CURRENT: "经网络查控及传统调查，未发现可供执行的财产；已约谈申请执行人，申请执行人同意终结本次执行程序",
    ClosingType.TERMINATED: "申请执行人撤销申请",
    ClosingType.WITHDRAWN: "申请执行人撤回执行申请，双方已自行和解",
    ClosingType.NOT_ENFORCED: "仲裁裁决经审查裁定不予执行",
    ClosingType.REJECTED: "申请执行人的申请不符合受理条件，裁定驳回",
}
CLOSED_SHARE_OLD = 0.78  # the share closed among the oldest cases; about half of all cases end up closed
CLOSED_AGE_SCALE = 400  # days
DISPUTE_WEIGHTS = [weight for _dispute, _word, weight in names.DISPUTES]
PARTY_BLANKS = {"id_number": "", "credit_code": ""}
# Where the first money of a case came from, by the first of these nodes in its story.
CHANNEL_BY_NODE = (("auction_confirmed", ReceiptChannel.AUCTION), ("sale_started", ReceiptChannel.SALE),
                   ("deduct", ReceiptChannel.DEDUCTION))


@dataclass
class Chunk:
    """Rows of a chunk of cases as tuples in the column order of rows.py."""

    cases: list[tuple] = field(default_factory=list)
    bases: list[tuple] = field(default_factory=list)
    parties: list[tuple] = field(default_factory=list)
    claims: list[tuple] = field(default_factory=list)
    nodes: list[tuple] = field(default_factory=list)
    logs: list[tuple] = field(default_factory=list)
    money: MoneyRows = field(default_factory=MoneyRows)


# ---------------------------------------------------------------- the generator


class CaseGenerator:
    """Generates the cases of plan_slots one after another (in filing order) with one random source."""

    def __init__(self, rng: random.Random, province: Province, today: dt.date, cal: DemoCalendar,
                 books: Books | None = None):
        self.rng = rng
        self.books = books or Books(province, fresh_money_ids())
        self.province = province
        self.today = today
        self.yesterday = today - dt.timedelta(days=1)
        self.cal = cal
        self.flows = FlowPlanner(rng)
        # Respondents met before in the same court (serial defaulters) and 终本 cases a 执恢 case may restore.
        self.repeat_respondents: dict[int, list[dict]] = defaultdict(list)
        self.zhongben_cases: dict[int, list[dict]] = defaultdict(list)
        self.court_by_id = {c.court.pk: c for c in province.courts}
        self.last_registration: dict[int, dt.datetime] = {}

    # ------------------------------------------------------------ people

    def _region(self, court: CourtStaff) -> str:
        r = self.rng.random()
        if r < 0.5:
            return court.spec.region_code
        if r < 0.72:
            return self.rng.choice(CITY_REGIONS[court.spec.city])
        if r < 0.86:
            return self.rng.choice(PROVINCE_REGIONS)
        return self.rng.choice(OTHER_REGIONS)

    def _place(self, court: CourtStaff) -> str:
        region = self.rng.choice(CITY_REGIONS[court.spec.city])
        return f"浙江省{court.spec.city}{DISTRICT_NAMES[region]}"

    def _person(self, role: str, court: CourtStaff, filed_on: dt.date, name: str | None = None) -> dict:
        rng = self.rng
        female = rng.random() < 0.4
        birth_on = filed_on - dt.timedelta(days=rng.randint(22 * 365, 70 * 365))
        return {
            "role": role,
            "kind": PartyKind.NATURAL_PERSON,
            "name": name or names.person_name(rng, female=female),
            "id_number": make_id_number(region=self._region(court), birth_on=birth_on, serial=rng.randrange(1000),
                                        female=female),
            "birth_on": birth_on,
            "phone": names.mobile_number(rng),
            "address": names.street_address(rng, place=self._place(court)),
        }

    def _unit(self, role: str, court: CourtStaff, *, lender: bool = False) -> dict:
        rng = self.rng
        city = court.spec.city
        district = court.spec.district or DISTRICT_NAMES[rng.choice(CITY_REGIONS[city])]
        organisation = not lender and rng.random() < 0.1
        if lender:
            name = names.lender_name(rng, city=city, district=district)
        elif organisation:
            name = names.organisation_name(rng, place=city + district)
        else:
            name = names.company_name(rng, place=rng.choice((city[:2], city[:2], city[:2], "浙江", city + district)))
        area = "0571" if city == "杭州市" else "0574"
        region = court.spec.region_code if rng.random() < 0.6 else rng.choice(CITY_REGIONS[city])
        return {
            "role": role,
            "kind": PartyKind.OTHER_ORGANISATION if organisation else PartyKind.LEGAL_PERSON,
            "name": name,
            "credit_code": make_credit_code(rng, region=region),
            "legal_representative": names.person_name(rng, female=rng.random() < 0.25),
            "phone": f"{area}-{rng.randint(8000_0000, 8999_9999)}",
            "address": names.street_address(rng, place=f"浙江省{city}{district}"),
        }

    def _parties(self, court: CourtStaff, filed_on: dt.date, financial: bool) -> list[dict]:
        rng = self.rng
        applicants = []
        for i in range(rng.choices((1, 2, 3), weights=(80, 15, 5))[0]):
            if financial and i == 0:
                applicants.append(self._unit(PartyRole.APPLICANT, court, lender=True))
            elif rng.random() < 0.65:
                applicants.append(self._person(PartyRole.APPLICANT, court, filed_on))
            else:
                applicants.append(self._unit(PartyRole.APPLICANT, court))
        respondents = []
        pool = self.repeat_respondents[court.court.pk]
        if pool and rng.random() < 0.06:
            respondents.append(dict(rng.choice(pool)))
        elif rng.random() < 0.7:
            respondents.append(self._person(PartyRole.RESPONDENT, court, filed_on))
        else:
            respondents.append(self._unit(PartyRole.RESPONDENT, court))
        for _ in range(rng.choices((0, 1, 2), weights=(55, 30, 15))[0]):
            first = respondents[0]
            if first["kind"] != PartyKind.NATURAL_PERSON and rng.random() < 0.6:
                # The company's legal representative, sued as its guarantor.
                respondents.append(self._person(PartyRole.RESPONDENT, court, filed_on, name=first["legal_representative"]))
            else:
                respondents.append(self._person(PartyRole.RESPONDENT, court, filed_on))
        if len(pool) < 3000 and rng.random() < 0.1:
            pool.append(respondents[0])
        parties, seen = [], set()
        for party in applicants + respondents:
            key = (party["role"], party.get("id_number") or party.get("credit_code"))
            if key not in seen:
                seen.add(key)
                parties.append(party)
        return parties

    # ------------------------------------------------------------ claim and basis

    def _basis(self, court: CourtStaff, filed_on: dt.date, parties: list[dict], claims: list[dict],
               dispute: str, word: str) -> dict:
        rng = self.rng
        year = filed_on.year if (rng.random() < 0.55 and filed_on.timetuple().tm_yday > 45) else filed_on.year - 1
        latest = filed_on - dt.timedelta(days=5)
        earliest = max(dt.date(year, 1, 20), filed_on - dt.timedelta(days=400))
        effective_on = earliest + dt.timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
        applicant = "、".join(p["name"] for p in parties if p["role"] == PartyRole.APPLICANT)
        respondent = "、".join(p["name"] for p in parties if p["role"] == PartyRole.RESPONDENT)
        principal = claims[0]["amount_fen"] / 100
        interest = "及相应利息" if len(claims) > 1 and claims[1]["kind"] == ClaimKind.INTEREST else ""
        spec = court.spec
        kind = rng.choices(("民初", "民终", "仲裁"), weights=(68, 20, 12))[0]
        if kind == "仲裁":
            commission = "杭州" if spec.city == "杭州市" else "宁波"
            number = f"（{year}）{commission[0] if commission == '杭州' else '甬'}仲裁字第{rng.randint(1, 3000)}号"
            return {"document_number": number, "issuing_court": f"{commission}仲裁委员会", "effective_on": effective_on,
                    "main_text": f"被申请人{respondent}应于本裁决书送达之日起十日内向申请人{applicant}支付{word}{principal:.2f}元{interest}。"}
        if kind == "民终":
            parent = self.court_by_id.get(court.court.parent_id)
            appeal_court, appeal_code = (parent.spec.name, parent.spec.code) if parent else ("最高人民法院", "最高法")
            number = f"（{year}）{appeal_code}民终{rng.randint(1, 12000)}号"
            return {"document_number": number, "issuing_court": appeal_court, "effective_on": effective_on,
                    "main_text": f"驳回上诉，维持原判。一审判决：被告{respondent}于判决生效之日起十日内向原告{applicant}支付{word}{principal:.2f}元{interest}（{dispute}）。"}
        number = f"（{year}）{spec.code}民初{rng.randint(1, 25000)}号"
        return {"document_number": number, "issuing_court": spec.name, "effective_on": effective_on,
                "main_text": f"被告{respondent}于本判决生效之日起十日内向原告{applicant}支付{word}{principal:.2f}元{interest}（{dispute}）。"}

    # ------------------------------------------------------------ fate

    def _closing(self, filed_on: dt.date) -> tuple[str, dt.date] | None:
        rng = self.rng
        age = (self.yesterday - filed_on).days
        if age < 5 or rng.random() >= CLOSED_SHARE_OLD * (1 - math.exp(-age / CLOSED_AGE_SCALE)):
            return None
        types, weights = zip(*CLOSING_WEIGHTS, strict=True)
        closing_type = rng.choices(types, weights=weights)[0]
        earliest_zhongben = self.cal.earliest_zhongben(filed_on)
        if closing_type == ClosingType.TERMINATE_CURRENT and earliest_zhongben > self.yesterday:
            others = [(t, w) for t, w in CLOSING_WEIGHTS if t != ClosingType.TERMINATE_CURRENT]
            closing_type = rng.choices([t for t, _ in others], weights=[w for _, w in others])[0]
        median, sigma = CLOSING_DAYS[closing_type]
        if closing_type == ClosingType.TERMINATE_CURRENT:
            start = earliest_zhongben
        else:
            start = filed_on + dt.timedelta(days=3)
        days = int(rng.lognormvariate(math.log(median), sigma))
        closed_on = start + dt.timedelta(days=days)
        if closed_on > self.yesterday:
            closed_on = start + dt.timedelta(days=rng.randint(0, (self.yesterday - start).days))
        forward = self.cal.next_workday(closed_on)
        closed_on = forward if forward <= self.yesterday else self.cal.previous_workday(closed_on)
        if closed_on < start:
            closed_on = start  # no workday left between start and yesterday: close on start itself
        return closing_type, closed_on

    def _performed(self, closing_type: str, claim_fen: int) -> int:
        rng = self.rng
        if closing_type == ClosingType.PERFORMED:
            return claim_fen
        share = {ClosingType.TERMINATE_CURRENT: 0.35, ClosingType.TERMINATED: 0.3, ClosingType.WITHDRAWN: 0.5}
        if rng.random() < share.get(closing_type, 0):
            # At least 200 yuan (or the claim): what came through the court's account bears the fee.
            return max(int(claim_fen * rng.uniform(0.01, 0.6)), min(claim_fen, 20_000))
        return 0

    def _archived_on(self, closed_on: dt.date) -> dt.date | None:
        rng = self.rng
        if rng.random() >= 0.88:
            return None
        lag = rng.randint(31, 150) if rng.random() < 0.08 else rng.randint(1, 27)
        archived_on = self.cal.next_workday(closed_on + dt.timedelta(days=lag))
        return archived_on if archived_on <= self.yesterday else None

    # ------------------------------------------------------------ people who act

    def _team_for(self, court: CourtStaff, track: str) -> TeamStaff:
        order = {Track.FAST: (TeamType.FAST, TeamType.ORDINARY, TeamType.SPECIAL),
                 Track.ORDINARY: (TeamType.ORDINARY, TeamType.SPECIAL, TeamType.FAST),
                 Track.SPECIAL: (TeamType.SPECIAL, TeamType.ORDINARY, TeamType.FAST)}[track]
        for team_type in order:
            teams = court.teams_of(team_type)
            if teams:
                return self.rng.choice(teams)
        raise ValueError(f"{court.court.name} has no handling team")

    def _clerk(self, court: CourtStaff, team: TeamStaff | None) -> User:
        rng = self.rng
        affairs = [u for t in court.teams_of(TeamType.AFFAIRS) for u in t.members.get(Role.CLERK, [])]
        own = (team.members.get(Role.CLERK) or team.members.get(Role.ASSISTANT)) if team else None
        if own and (not affairs or rng.random() < 0.6):
            return rng.choice(own)
        return rng.choice(affairs or court.by_role[Role.CLERK])

    def _actor(self, code: str, court: CourtStaff, team: TeamStaff, handler: User) -> User:
        rng = self.rng
        roles = NODES_BY_CODE[code].roles
        assistants = team.members.get(Role.ASSISTANT) or [handler]
        if roles == HANDLING or code == "close":
            return handler if rng.random() < 0.7 or code == "close" else rng.choice(assistants)
        if roles == FIELD:
            r = rng.random()
            if r < 0.5 and court.by_role[Role.BAILIFF]:
                return rng.choice(court.by_role[Role.BAILIFF])
            return rng.choice(assistants) if r < 0.85 else handler
        if roles == ROUTINE:
            return self._clerk(court, team)
        if Role.COMMAND_CENTRE in roles and court.by_role[Role.COMMAND_CENTRE] and rng.random() < 0.4:
            return rng.choice(court.by_role[Role.COMMAND_CENTRE])
        return self._clerk(court, team)

    def _registrar(self, court: CourtStaff) -> User:
        if court.by_role[Role.COMMAND_CENTRE] and self.rng.random() < 0.6:
            return self.rng.choice(court.by_role[Role.COMMAND_CENTRE])
        return self._clerk(court, None)

    def _assigner(self, court: CourtStaff) -> User:
        if self.rng.random() < 0.7 and court.by_role[Role.COMMAND_CENTRE]:
            return self.rng.choice(court.by_role[Role.COMMAND_CENTRE])
        return court.by_role[Role.BUREAU_HEAD][0]

    # ------------------------------------------------------------ dates and times

    def _dates(self, filed_on: dt.date, end: dt.date, assign_after: int | None, early: list[str], late: list[str],
               open_case: bool) -> tuple[dt.date | None, list[tuple[str, dt.date]]]:
        """Dates of assignment and of each node, in order, on working days between filing and `end`."""
        rng = self.rng
        assign_on = None
        day = filed_on
        if assign_after is not None:
            assign_on = day = min(filed_on + dt.timedelta(days=assign_after), end)
        raw = []
        for code in early:
            day = min(day + dt.timedelta(days=rng.choice((0, 1, 1, 2, 3))), end)
            raw.append((code, day))
        span = (end - day).days
        if open_case:
            span = int(span * rng.uniform(0.3, 1.0))
        offsets = sorted(rng.randint(0, span) for _ in late)
        raw += [(code, day + dt.timedelta(days=offset)) for code, offset in zip(late, offsets, strict=True)]
        dated, previous = [], assign_on or filed_on
        if assign_on is not None:
            assign_on = previous = self._on_workday(assign_on, previous=filed_on, end=end)
        for code, day in raw:
            previous = self._on_workday(max(day, previous), previous=previous, end=end)
            dated.append((code, previous))
        return assign_on, dated

    def _recent_money(self, dated: list[tuple[str, dt.date]], *, floor: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
        """Most payout-stage cases are within their payout period: the money arrived lately and the
        payout was prepared since (the money nodes close the story of an open case)."""
        first = next(i for i, (code, _day) in enumerate(dated) if code in MONEY_NODES)
        previous = dated[first - 1][1] if first else floor
        day = max(previous, end - dt.timedelta(days=self.rng.randint(2, 12)))
        recent = dated[:first]
        for code, _day in dated[first:]:
            day = self._on_workday(max(day, previous), previous=previous, end=end)
            recent.append((code, day))
            previous, day = day, min(day + dt.timedelta(days=self.rng.choice((0, 1, 1, 2))), end)
        return recent

    def _on_workday(self, day: dt.date, *, previous: dt.date, end: dt.date) -> dt.date:
        forward = self.cal.next_workday(day)
        if forward <= end:
            return forward
        backward = self.cal.previous_workday(day)
        return backward if backward >= previous else day

    def _stamp(self, day: dt.date, previous: dt.datetime | None) -> dt.datetime:
        """A moment in Beijing office hours on `day`, later than the case's previous event."""
        rng = self.rng
        if previous is not None and previous.date() == day:
            stamp = previous + dt.timedelta(minutes=rng.randint(3, 40), seconds=rng.randint(0, 59))
            if stamp.hour >= 18:
                stamp = previous + dt.timedelta(minutes=1)
            return stamp
        minutes = rng.randint(0, 510)  # 08:30–17:00
        return dt.datetime(day.year, day.month, day.day, 8, 30, tzinfo=SHANGHAI) + dt.timedelta(
            minutes=minutes, seconds=rng.randint(0, 59), microseconds=rng.randint(0, 999_999))

    def _registration_stamp(self, court_id: int, day: dt.date) -> dt.datetime:
        """Registrations of a court on one day follow their case numbers through the office hours."""
        rng = self.rng
        last = self.last_registration.get(court_id)
        if last is None or last.date() != day:
            stamp = dt.datetime(day.year, day.month, day.day, 8, 30, tzinfo=SHANGHAI) + dt.timedelta(
                minutes=rng.randint(0, 60), seconds=rng.randint(0, 59))
        elif last.hour < 17:
            stamp = last + dt.timedelta(minutes=rng.randint(1, 25), seconds=rng.randint(0, 59))
        else:
            stamp = last + dt.timedelta(seconds=rng.randint(5, 59))
        stamp = stamp.replace(microsecond=rng.randint(0, 999_999))
        if last is not None and stamp <= last:
            stamp = last + dt.timedelta(seconds=1)
        self.last_registration[court_id] = stamp
        return stamp

    # ------------------------------------------------------------ notes

    def _note(self, code: str, respondents: list[dict], claim_fen: int) -> str:
        rng = self.rng
        if code in ("network_freeze", "freeze"):
            return f"冻结被执行人银行存款 {fen_to_yuan_text(claim_fen * rng.uniform(0.05, 1.0))} 元"
        if code == "deduct":
            return f"扣划被执行人银行存款 {fen_to_yuan_text(claim_fen * rng.uniform(0.05, 1.0))} 元"
        if code == "seal":
            owner = rng.choice(respondents)
            return f"查封被执行人{owner['name']}名下位于{owner['address']}的不动产"
        if code == "detain":
            letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
            plate = "".join(rng.choice(letters) for _ in range(5))
            return f"扣押被执行人机动车一辆（浙{rng.choice('ABCDEFGHJK')}·{plate}）"
        if code == "dishonest_listing":
            return "被执行人有履行能力而拒不履行生效法律文书确定的义务"
        return ""

    # ------------------------------------------------------------ a registration as a clerk would type it

    def registration_payload(self, court: CourtStaff, filed_on: dt.date) -> dict:
        """A realistic new case as plain data for services.case_register (benchmarks, sample files)."""
        dispute, word, _weight = self.rng.choices(names.DISPUTES, weights=DISPUTE_WEIGHTS)[0]
        parties = self._parties(court, filed_on, financial=dispute in ("金融借款合同纠纷", "信用卡纠纷"))
        claims = claims_for(self.rng, court.spec.level, word)
        basis = self._basis(court, filed_on, parties, claims, dispute, word)
        return {
            "court_code": court.spec.code,
            "case_type": CaseType.FIRST,
            "filed_on": filed_on.isoformat(),
            "basis": {**basis, "effective_on": basis["effective_on"].isoformat()},
            "parties": [{k: v for k, v in p.items() if k != "birth_on"} for p in parties],
            "claims": claims,
        }

    # ------------------------------------------------------------ one case

    def case(self, slot: Slot, pk: int, chunk: Chunk) -> None:
        rng = self.rng
        court = slot.court
        court_id = court.court.pk
        filed_on = slot.filed_on
        origin = None
        if slot.case_type == CaseType.RESTORED:
            candidates = [c for c in self.zhongben_cases[court_id][-200:] if c["closed_on"] < filed_on]
            if candidates:
                origin = rng.choice(candidates)
                self.zhongben_cases[court_id].remove(origin)
        dispute, word, _weight = rng.choices(names.DISPUTES, weights=DISPUTE_WEIGHTS)[0]
        if origin:
            parties = origin["parties"]
            basis = origin["basis"]
            claims = [{"kind": ClaimKind.PRINCIPAL, "amount_fen": origin["remaining_fen"], "note": "原案未履行部分"}]
            days = (filed_on - basis["effective_on"]).days
            if rng.random() < 0.5 and days > 0:
                claims.append({"kind": ClaimKind.LATE_INTEREST, "amount_fen": int(origin["remaining_fen"] * 0.000175 * days),
                               "note": "加倍部分债务利息（日万分之一点七五）"})
        else:
            parties = self._parties(court, filed_on, financial=dispute in ("金融借款合同纠纷", "信用卡纠纷"))
            claims = claims_for(self.rng, court.spec.level, word)
            basis = self._basis(court, filed_on, parties, claims, dispute, word)
        claim_fen = sum(c["amount_fen"] for c in claims)

        fate = self._closing(filed_on)
        closing_type, closed_on = fate if fate else ("", None)
        end = closed_on or self.yesterday
        age = (self.yesterday - filed_on).days
        performed = self._performed(closing_type, claim_fen) if closing_type else 0
        receipts = 0  # how many times money arrives on the case's account

        assigned = fate is not None or (not (age < 5 and rng.random() < 0.5) and rng.random() > 0.004)
        if assigned:
            if claim_fen <= 10_000_000 and rng.random() < 0.75:
                track = Track.FAST
            elif claim_fen >= 500_000_000 and rng.random() < 0.7:
                track = Track.SPECIAL
            else:
                track = Track.ORDINARY
            team = self._team_for(court, track)
            handler = rng.choice(team.members.get(Role.JUDGE) or court.by_role[Role.JUDGE])
            assign_after = rng.randint(8, 16) if rng.random() < 0.05 else rng.choice((0, 1, 1, 2, 2, 3, 4, 5, 6))
            if closing_type:
                receipts = self.flows.receipt_count() if performed else 0
                early, late = self.flows.closed_path(closing_type, receipts=receipts)
            else:
                stage = self.flows.open_stage(age)
                receipts = self.flows.receipt_count() if stage == Stage.PAYOUT else 0
                early, late = self.flows.open_path(stage, receipts=receipts)
            if not closing_type and age < 10:
                early, late = early[: rng.randint(0, len(early))], []
        else:
            track, team, handler, assign_after = "", None, None, None
            early, late = (["network_query"] if rng.random() < 0.5 else []), []
        assign_on, node_dates = self._dates(filed_on, end, assign_after, early, late, open_case=not closing_type)
        if receipts and not closing_type and rng.random() < 0.8:
            node_dates = self._recent_money(node_dates, floor=assign_on or filed_on, end=end)

        case = {
            "id": pk, "court_id": court_id,
            "case_number": str(CaseNumber(filed_on.year, court.spec.code, slot.case_type, slot.sequence)),
            "case_type": slot.case_type, "year": filed_on.year, "sequence": slot.sequence, "filed_on": filed_on,
            "origin_case_id": origin["pk"] if origin else None, "stage": Stage.QUERY, "status": CaseStatus.OPEN,
            "track": track, "team_id": team.team.pk if team else None, "handler_id": handler.pk if handler else None,
            "claim_amount_fen": claim_fen, "performed_amount_fen": 0,
            "applicant_names": "、".join(p["name"] for p in parties if p["role"] == PartyRole.APPLICANT)[:500],
            "respondent_names": "、".join(p["name"] for p in parties if p["role"] == PartyRole.RESPONDENT)[:500],
            "closing_type": "", "closed_on": None, "archived_on": None, "archive_due": None,
            "source": RegistrationSource.DEMO, "import_batch_id": None,
            **self.cal.registration_deadlines(filed_on),
        }
        chunk.bases.append((court_id, pk, basis["document_number"], basis["issuing_court"], basis["effective_on"],
                            basis["main_text"]))
        for position, p in enumerate(parties):
            chunk.parties.append((court_id, pk, p["role"], p["kind"], p["name"], p.get("id_number", ""),
                                  p.get("credit_code", ""), p.get("birth_on"), p.get("legal_representative", ""),
                                  p.get("phone", ""), p.get("address", ""), position))
        for c in claims:
            chunk.claims.append((court_id, pk, c["kind"], c["amount_fen"], c["note"]))

        history = History(self, pk, court_id, chunk)
        registrar = self._registrar(court)
        case["registered_by_id"] = registrar.pk
        snapshot = registration_snapshot(
            SimpleNamespace(**case),
            SimpleNamespace(basis=SimpleNamespace(**basis), parties=[SimpleNamespace(**{**PARTY_BLANKS, **p}) for p in parties],
                            claims=[SimpleNamespace(**c) for c in claims]),
        )
        case["created_at"] = history.add(filed_on, registrar, LogAction.REGISTER, "register",
                                         f"立案：{case['case_number']}，申请执行标的 {fen_to_yuan_text(claim_fen)} 元", after=snapshot,
                                         at=self._registration_stamp(court_id, filed_on))
        if assign_on is not None:
            history.add(assign_on, self._assigner(court), LogAction.ASSIGN, "assign",
                        f"分案至 {team.team.name} {handler.display_name}",
                        before={"handler": None, "team": None},
                        after={"handler": handler.display_name, "team": team.team.name})
        respondents = [p for p in parties if p["role"] == PartyRole.RESPONDENT]
        money = None
        if receipts:
            received = performed or max(int(claim_fen * rng.uniform(0.2, 1.0)), min(claim_fen, 20_000))
            codes = {code for code, _day in node_dates}
            channel = next((c for code, c in CHANNEL_BY_NODE if code in codes), ReceiptChannel.VOLUNTARY)
            money = CaseLedger(books=self.books, rows=chunk.money, rng=rng, court=court, case=case, history=history,
                               orderers=[handler, *team.members.get(Role.ASSISTANT, [])],
                               payer=respondents[0]["name"],
                               payee=next(p["name"] for p in parties if p["role"] == PartyRole.APPLICANT),
                               amounts=split(rng, received, receipts), channel=channel, settle=bool(closing_type))
        for index, (code, day) in enumerate(node_dates):
            if money is not None and code in MONEY_NODES:
                money.node(code, day, until=node_dates[index + 1][1] if index + 1 < len(node_dates) else end)
                continue
            if team is None:
                actor = rng.choice(court.by_role[Role.COMMAND_CENTRE] or court.by_role[Role.CLERK])
            else:
                actor = self._actor(code, court, team, handler)
            history.node(day, actor, code, self._note(code, respondents, claim_fen))

        if money is not None:
            # 实际执行到位 is what arrived on the case's account (for a closed case, all of `performed`).
            performed = case["performed_amount_fen"] = money.finish()
        if closing_type:
            archive_due = self.cal.archive_deadline(closed_on)
            case.update(status=CaseStatus.CLOSED, closing_type=closing_type, closed_on=closed_on,
                        performed_amount_fen=performed, archive_due=archive_due)
            history.add(closed_on, handler, LogAction.CLOSE, "close",
                        f"结案：{ClosingType(closing_type).label}，实际执行到位 {fen_to_yuan_text(performed)} 元",
                        before={"status": CaseStatus.OPEN, "stage": history.stage},
                        after={"status": CaseStatus.CLOSED, "closing_type": closing_type,
                               "closed_on": closed_on.isoformat(), "performed_amount_fen": performed,
                               "archive_due": archive_due.isoformat()},
                        reason=CLOSING_REASONS[closing_type])
            history.stage = Stage.ARCHIVE
            archived_on = self._archived_on(closed_on)
            if archived_on:
                case.update(status=CaseStatus.ARCHIVED, archived_on=archived_on)
                history.add(archived_on, self._clerk(court, team), LogAction.ARCHIVE, "archive",
                            f"归档（{archived_on:%Y-%m-%d}）" + ("，已超过归档期限" if archived_on > archive_due else ""),
                            before={"status": CaseStatus.CLOSED},
                            after={"status": CaseStatus.ARCHIVED, "archived_on": archived_on.isoformat()})
            if closing_type == ClosingType.TERMINATE_CURRENT:
                self.zhongben_cases[court_id].append({
                    "pk": pk, "closed_on": closed_on, "parties": parties, "basis": basis,
                    "remaining_fen": claim_fen - performed,
                })
        case["stage"] = history.stage
        chunk.cases.append(tuple(case[column] for column in CASE_COLUMNS))

