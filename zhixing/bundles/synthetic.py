"""Generated cases with planted relations, for the detection tests and benchmarks/related.py.

`Generator` makes cases, parties, assets and asset links as rows (no services: a million cases must
be written in seconds), plants every kind of relation on purpose — repeated respondents in one
court and across the courts of one intermediate court, institutional applicants, respondents known
only by name and birth date, one asset found in several cases, mutual applicants (a Mengzhou-like
company against five persons) — and decoys that must not be grouped: closed cases, one-way claims,
the same person in another region, namesakes with different birth dates or with identity numbers.

`expected_groups` is the rule of rules.RELATIONS written a second time, plainly in Python over the
same rows: the detection in SQL must find exactly these groups.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from zhixing.cases.choices import CaseStatus, PartyKind, PartyRole

from .choices import RelationKind

SR, SA, POSSIBLE, ASSET, MUTUAL = (RelationKind.SAME_RESPONDENT.value, RelationKind.SAME_APPLICANT.value,
                                   RelationKind.SAME_RESPONDENT_POSSIBLE.value, RelationKind.SAME_ASSET.value,
                                   RelationKind.MUTUAL.value)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_REGIONS = ("410802", "410883", "410822", "410825", "330106", "330102", "330105", "110108", "110102", "310104",
            "440305", "420106", "120101", "510107", "320506", "370102")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红梅玉凤海燕雪林波辉鹏飞宇浩然思雨晨阳欣怡子轩梓涵一诺俊杰"
_FIRMS = ("科技", "商贸", "建设", "实业", "物流", "置业", "机械", "电子", "食品", "纺织", "化工", "建材")
_CITIES = ("焦作", "孟州", "温县", "修武", "杭州", "宁波", "北京", "郑州")
_BANKS = ("中国工商银行股份有限公司", "中国农业银行股份有限公司", "中国银行股份有限公司", "中国建设银行股份有限公司",
          "交通银行股份有限公司", "招商银行股份有限公司", "中原银行股份有限公司", "浙商银行股份有限公司",
          "平安银行股份有限公司", "兴业银行股份有限公司", "中信银行股份有限公司", "民生银行股份有限公司")


def id_number(serial: int) -> tuple[str, dt.date]:
    """A valid-looking 18-digit resident ID, different for every serial (never a real person's)."""
    day = dt.date(1950, 1, 1) + dt.timedelta(days=(serial // 1000) % 20000)
    region = _REGIONS[(serial // 20_000_000) % len(_REGIONS)]
    body = f"{region}{day:%Y%m%d}{serial % 1000:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check, day


def credit_code(serial: int) -> str:
    """A valid-looking unified social credit code (GB 32100 check character), different for every serial."""
    org, n = [], serial
    for _ in range(9):
        n, digit = divmod(n, 31)
        org.append(_USCC_ALPHABET[digit])
    body = "91" + _REGIONS[serial % len(_REGIONS)] + "".join(reversed(org))
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class Person:
    kind: str
    name: str
    id_number: str = ""
    credit_code: str = ""
    birth_on: dt.date | None = None

    @property
    def key(self) -> str:
        return (self.id_number or self.credit_code).upper()


@dataclass
class Planted:
    """A relation put in on purpose: the detection must group `case_ids` under `kind` and `key`
    (the cases are all in one court, or — `cross` — in courts under one intermediate court)."""

    kind: str
    key: str
    case_ids: set[int]
    cross: bool = False
    what: str = ""


@dataclass
class Generator:
    rng: random.Random
    courts: dict[int, tuple[str, int | None]]  # court id → (court code, intermediate court id or None)
    teams: dict[int, list[int]]  # court id → team ids
    today: dt.date
    next_ids: dict[str, int]  # first free id per table: case, party, asset, case_asset
    serial: int = 1
    cases: list[tuple] = field(default_factory=list)  # (id, court, status, filed_on, claim_fen, team, applicants, respondents)
    parties: list[tuple] = field(default_factory=list)  # (id, case, court, role, kind, name, id_number, credit_code, birth_on, position)
    assets: list[tuple] = field(default_factory=list)  # (id, kind, identity_key, owner_name, owner_identity, description)
    case_assets: list[tuple] = field(default_factory=list)  # (id, case, court, asset, found_on)
    planted: list[Planted] = field(default_factory=list)
    decoys: list[tuple[str, str]] = field(default_factory=list)  # (kind, key) that no bundle may have
    sequences: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    sequence_base: int = 500_000  # case numbers clear of those the services give (and of an earlier generator's)

    def __post_init__(self):
        self.regions: dict[int, list[int]] = defaultdict(list)
        for court_id, (_, region) in self.courts.items():
            if region is not None:
                self.regions[region].append(court_id)
        self.court_ids = sorted(self.courts)

    # -------------------------------------------------------- people

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    def _name(self) -> str:
        rng = self.rng
        return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def person(self) -> Person:
        number, birth = id_number(self._next())
        return Person(PartyKind.NATURAL_PERSON, self._name(), id_number=number, birth_on=birth)

    def company(self) -> Person:
        serial = self._next()
        name = f"{self.rng.choice(_CITIES)}{_SURNAMES[serial % len(_SURNAMES)]}{_GIVEN[serial % len(_GIVEN)]}{self.rng.choice(_FIRMS)}有限公司"
        return Person(PartyKind.LEGAL_PERSON, name, credit_code=credit_code(serial))

    def party(self) -> Person:
        return self.person() if self.rng.random() < 0.7 else self.company()

    def unidentified(self, name: str | None = None, birth_on: dt.date | None = None) -> Person:
        """A natural person registered without an ID number (legacy data): matched only as "possible"."""
        birth_on = birth_on or dt.date(1955, 1, 1) + dt.timedelta(days=self.rng.randrange(18000))
        return Person(PartyKind.NATURAL_PERSON, name or self._name() + self.rng.choice(_GIVEN), birth_on=birth_on)

    # -------------------------------------------------------- cases

    def case(self, court_id: int, applicants: list[Person], respondents: list[Person], *, status: str = CaseStatus.OPEN) -> int:
        case_id = self._id("case")
        filed_on = self.today - dt.timedelta(days=self.rng.randrange(3, 700))
        claim_fen = self.rng.choice((3_000_000, 8_000_000, 25_000_000, 120_000_000)) + self.rng.randrange(100) * 100
        teams = self.teams.get(court_id) or [None]
        self.cases.append((case_id, court_id, status, filed_on, claim_fen, self.rng.choice(teams),
                           "、".join(p.name for p in applicants)[:500], "、".join(p.name for p in respondents)[:500]))
        for position, (role, person) in enumerate([(PartyRole.APPLICANT, p) for p in applicants]
                                                  + [(PartyRole.RESPONDENT, p) for p in respondents]):
            self.parties.append((self._id("party"), case_id, court_id, role, person.kind, person.name, person.id_number,
                                 person.credit_code, person.birth_on, position))
        return case_id

    def _id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def court(self, region: int | None = None) -> int:
        return self.rng.choice(self.regions[region]) if region is not None else self.rng.choice(self.court_ids)

    def asset(self, owner: Person) -> int:
        asset_id = self._id("asset")
        certificate = f"豫（{2015 + asset_id % 10}）焦作市不动产权第{asset_id:07d}号"
        self.assets.append((asset_id, "real_estate", certificate, owner.name, owner.key,
                            f"不动产：{certificate} 焦作市解放区民主路{asset_id % 300 + 1}号"))
        return asset_id

    def link(self, case_id: int, court_id: int, asset_id: int) -> None:
        self.case_assets.append((self._id("case_asset"), case_id, court_id, asset_id,
                                 self.today - dt.timedelta(days=self.rng.randrange(1, 300))))

    # -------------------------------------------------------- planting

    def plain(self, count: int) -> None:
        """Cases whose parties appear nowhere else."""
        rng = self.rng
        for _ in range(count):
            applicants = [self.party() for _ in range(1 if rng.random() < 0.9 else 2)]
            respondents = [self.party() for _ in range(1 if rng.random() < 0.75 else 2)]
            self.case(self.court(), applicants, respondents)

    def repeated_respondents(self, count: int) -> None:
        """同一被执行人 in one court: mostly pairs, some dozens, a few large debtors."""
        rng, made = self.rng, 0
        while made < count:
            size = rng.choices((2, 3, rng.randint(4, 6), rng.randint(7, 15), rng.randint(40, 120)), (50, 20, 18, 10, 2))[0]
            debtor, court = self.party(), self.court()
            ids = {self.case(court, [self.party()], [debtor]) for _ in range(size)}
            self.planted.append(Planted(SR, debtor.key, ids, what="同院同一被执行人"))
            made += size

    def cross_court_respondents(self, count: int) -> None:
        """同一被执行人 in two or three courts under one intermediate court; and the decoy: one case each
        in courts of two different intermediate courts (no group anywhere)."""
        rng, made = self.rng, 0
        regions = [r for r, courts in self.regions.items() if len(courts) >= 2]
        if not regions:
            return
        while made < count:
            region = rng.choice(regions)
            debtor = self.party()
            courts = rng.sample(self.regions[region], min(len(self.regions[region]), rng.choice((2, 2, 3))))
            ids = {self.case(court, [self.party()], [debtor]) for court in courts}
            self.planted.append(Planted(SR, debtor.key, ids, cross=True, what="跨院同一被执行人"))
            made += len(ids)
            if len(self.regions) >= 2 and rng.random() < 0.3:
                wanderer = self.party()
                for far in rng.sample(sorted(self.regions), 2):
                    self.case(self.court(far), [self.party()], [wanderer])
                self.decoys.append((SR, wanderer.key))
                made += 2

    def institutional_applicants(self, count: int, *, institutions: int) -> None:
        """同一申请执行人: banks with many cases across a region's courts, and small repeat applicants."""
        rng = self.rng
        regions = sorted(self.regions) or [None]
        banks = []
        for i in range(institutions):
            region = regions[i % len(regions)]
            serial = self._next()
            bank = Person(PartyKind.LEGAL_PERSON, f"{_BANKS[i % len(_BANKS)]}{_CITIES[serial % len(_CITIES)]}分行",
                          credit_code=credit_code(serial))
            banks.append((bank, region, set()))
        made = 0
        while made < count * 0.8:
            bank, region, ids = banks[made % len(banks)]
            ids.add(self.case(self.court(region), [bank], [self.party()]))
            made += 1
        for bank, _, ids in banks:
            self.planted.append(Planted(SA, bank.key, ids, cross=True, what="金融机构批量申请"))
        while made < count:
            applicant, court = self.party(), self.court()
            ids = {self.case(court, [applicant], [self.party()]) for _ in range(rng.choice((2, 2, 3, 4)))}
            self.planted.append(Planted(SA, applicant.key, ids, what="同院同一申请执行人"))
            made += len(ids)

    def possible_respondents(self, count: int) -> None:
        """疑似同一被执行人: respondents without ID numbers sharing name and birth date; decoys: the same name
        with another birth date, and a namesake born the same day who has an ID number."""
        rng, made = self.rng, 0
        while made < count:
            court = self.court()
            twin = self.unidentified()
            ids = {self.case(court, [self.party()], [self.unidentified(twin.name, twin.birth_on)])
                   for _ in range(rng.choice((2, 2, 3)))}
            self.planted.append(Planted(POSSIBLE, f"{twin.name}|{twin.birth_on.isoformat()}", ids, what="姓名与出生日期相同"))
            made += len(ids)
            if rng.random() < 0.5:
                other_day = twin.birth_on + dt.timedelta(days=rng.randint(1, 400))
                self.case(court, [self.party()], [self.unidentified(twin.name, other_day)])
                self.decoys.append((POSSIBLE, f"{twin.name}|{other_day.isoformat()}"))
                number, _ = id_number(self._next())
                self.case(court, [self.party()], [Person(PartyKind.NATURAL_PERSON, twin.name, id_number=number,
                                                        birth_on=twin.birth_on)])
                made += 2

    def shared_assets(self, count: int) -> None:
        """同一执行标的物: one flat found in the cases of different respondents (a guarantor's flat, a flat
        held in common); the decoy: found in one open and one closed case."""
        rng, made = self.rng, 0
        while made < count:
            owner, court = self.person(), self.court()
            asset = self.asset(owner)
            ids = set()
            for _ in range(rng.choice((2, 2, 3, 4))):
                case_id = self.case(court, [self.party()], [self.party()])
                self.link(case_id, court, asset)
                ids.add(case_id)
            self.planted.append(Planted(ASSET, str(asset), ids, what="同一不动产"))
            made += len(ids)
            region = self.courts[court][1]
            if region is not None and rng.random() < 0.2:  # another court of the region queues on the flat (轮候查封)
                others = [c for c in self.regions[region] if c != court]
                if others:
                    elsewhere = rng.choice(others)
                    case_id = self.case(elsewhere, [self.party()], [self.party()])
                    self.link(case_id, elsewhere, asset)
                    self.planted.append(Planted(ASSET, str(asset), ids | {case_id}, cross=True, what="跨院同一不动产"))
                    made += 1
            if rng.random() < 0.3:
                lone = self.asset(self.person())
                for status in (CaseStatus.OPEN, CaseStatus.CLOSED):
                    case_id = self.case(court, [self.party()], [self.party()], status=status)
                    self.link(case_id, court, lone)
                self.decoys.append((ASSET, str(lone)))
                made += 1

    def mutual(self, count: int) -> None:
        """互为申请人、被执行人: pairs suing each other in one court or in two courts of one region, and
        Mengzhou-like components (a company and five persons, 14 cases). Decoys: a one-way claim, and a
        reverse claim that is closed."""
        rng, made = self.rng, 0
        regions = [r for r, courts in self.regions.items() if len(courts) >= 2]
        while made < count:
            roll = rng.random()
            if roll < 0.15:
                made += self._mengzhou(self.court())
            elif roll < 0.3 and regions:
                x, y = self.party(), self.party()
                first, second = rng.sample(self.regions[rng.choice(regions)], 2)
                ids = {self.case(first, [x], [y]), self.case(second, [y], [x])}
                self.planted.append(Planted(MUTUAL, min(x.key, y.key), ids, cross=True, what="跨院互为申请人、被执行人"))
                made += 2
            else:
                x, y, court = self.party(), self.party(), self.court()
                ids = {self.case(court, [x], [y]) for _ in range(rng.choice((1, 1, 2)))}
                ids |= {self.case(court, [y], [x]) for _ in range(rng.choice((1, 1, 2)))}
                self.planted.append(Planted(MUTUAL, min(x.key, y.key), ids, what="同院互为申请人、被执行人"))
                made += len(ids)
            one_way_x, one_way_y, court = self.party(), self.party(), self.court()
            self.case(court, [one_way_x], [one_way_y])
            self.case(court, [one_way_y], [self.party()])
            self.decoys.append((MUTUAL, min(one_way_x.key, one_way_y.key)))
            closed_x, closed_y = self.party(), self.party()
            self.case(court, [closed_x], [closed_y])
            self.case(court, [closed_y], [closed_x], status=CaseStatus.CLOSED)
            self.decoys.append((MUTUAL, min(closed_x.key, closed_y.key)))
            made += 4

    def _mengzhou(self, court: int) -> int:
        """Seed 003: five persons each hold two claims against a company, which holds four against them."""
        company = self.company()
        persons = [self.person() for _ in range(5)]
        against_company = set()
        for person in persons:
            against_company |= {self.case(court, [person], [company]) for _ in range(2)}
        ids = set(against_company)
        ids.add(self.case(court, [company], persons[:2]))
        ids |= {self.case(court, [company], [person]) for person in persons[2:]}
        self.planted.append(Planted(MUTUAL, min(p.key for p in [company, *persons]), ids, what="孟州：一公司与五人互负债务（14件）"))
        self.planted.append(Planted(SR, company.key, against_company, what="孟州：五人申请执行同一公司"))
        return len(ids)

    def closed_decoys(self, count: int) -> None:
        """The same respondent in one open case and in closed ones: no group (only open cases count)."""
        for _ in range(count // 3):
            debtor, court = self.party(), self.court()
            self.case(court, [self.party()], [debtor])
            for _ in range(2):
                self.case(court, [self.party()], [debtor], status=CaseStatus.CLOSED)
            self.decoys.append((SR, debtor.key))

    def province(self, open_cases: int, *, institutions: int = 24) -> None:
        """About `open_cases` open cases in the mix of a busy province, plus closed decoys (~5 % more)."""
        share = {"respondents": 0.14, "cross": 0.02, "applicants": 0.12, "possible": 0.006, "assets": 0.02, "mutual": 0.006}
        self.repeated_respondents(int(open_cases * share["respondents"]))
        self.cross_court_respondents(int(open_cases * share["cross"]))
        self.institutional_applicants(int(open_cases * share["applicants"]), institutions=institutions)
        self.possible_respondents(int(open_cases * share["possible"]))
        self.shared_assets(int(open_cases * share["assets"]))
        self.mutual(int(open_cases * share["mutual"]))
        self.closed_decoys(int(open_cases * 0.05))
        opened = sum(1 for c in self.cases if c[2] == CaseStatus.OPEN)
        self.plain(max(0, open_cases - opened))


# ---------------------------------------------------------------- the rule, a second time


def expected_groups(generator: Generator) -> dict[tuple[int, bool, str, str], frozenset[int]]:
    """{(scope court, cross, kind, key): case ids} as rules.RELATIONS define them, from the rows."""
    status = {c[0]: c[2] for c in generator.cases}
    court_of = {c[0]: c[1] for c in generator.cases}
    region_of = {court: region for court, (_, region) in generator.courts.items()}
    items: dict[tuple[str, str], set[int]] = defaultdict(set)
    roles: dict[int, dict[str, set[str]]] = defaultdict(lambda: {SA: set(), SR: set()})
    for _, case_id, _, role, kind, name, number, code, birth_on, _ in generator.parties:
        if status[case_id] != CaseStatus.OPEN:
            continue
        key = (number or code).upper()
        if key and role in (PartyRole.APPLICANT, PartyRole.RESPONDENT):
            kind_of = SR if role == PartyRole.RESPONDENT else SA
            items[(kind_of, key)].add(case_id)
            roles[case_id][kind_of].add(key)
        elif not key and role == PartyRole.RESPONDENT and kind == PartyKind.NATURAL_PERSON and birth_on:
            items[(POSSIBLE, f"{name}|{birth_on.isoformat()}")].add(case_id)
    for _, case_id, _, asset_id, _ in generator.case_assets:
        if status[case_id] == CaseStatus.OPEN:
            items[(ASSET, str(asset_id))].add(case_id)
    groups: dict[tuple[int, bool, str, str], frozenset[int]] = {}
    for (kind, key), case_ids in items.items():
        _add_scoped(groups, kind, key, case_ids, court_of, region_of)
    for scope, cross, key, case_ids in _mutual_components(roles, court_of, region_of):
        groups[(scope, cross, MUTUAL, key)] = frozenset(case_ids)
    return groups


def _add_scoped(groups, kind, key, case_ids, court_of, region_of) -> None:
    by_court: dict[int, set[int]] = defaultdict(set)
    by_region: dict[int, set[int]] = defaultdict(set)
    for case_id in case_ids:
        by_court[court_of[case_id]].add(case_id)
        if region_of[court_of[case_id]] is not None:
            by_region[region_of[court_of[case_id]]].add(case_id)
    for court, ids in by_court.items():
        if len(ids) >= 2:
            groups[(court, False, kind, key)] = frozenset(ids)
    for region, ids in by_region.items():
        if len({court_of[i] for i in ids}) >= 2:
            groups[(region, True, kind, key)] = frozenset(ids)


def _mutual_components(roles, court_of, region_of):
    """Breadth-first over the parties of each scope, linked where each has an open claim against the other."""
    claims: dict[tuple[int, bool], dict[tuple[str, str], set[int]]] = defaultdict(lambda: defaultdict(set))
    for case_id, by_role in roles.items():
        court = court_of[case_id]
        scopes = [(court, False)] + ([(region_of[court], True)] if region_of[court] is not None else [])
        for x in by_role[SA]:
            for y in by_role[SR]:
                if x != y:
                    for scope in scopes:
                        claims[scope][(x, y)].add(case_id)
    for (scope, cross), pairs in claims.items():
        neighbours: dict[str, set[str]] = defaultdict(set)
        for x, y in pairs:
            if (y, x) in pairs:
                neighbours[x].add(y)
        seen: set[str] = set()
        for start in sorted(neighbours):
            if start in seen:
                continue
            component, queue = {start}, [start]
            while queue:
                for other in neighbours[queue.pop()]:
                    if other not in component:
                        component.add(other)
                        queue.append(other)
            seen |= component
            case_ids = set().union(*(pairs[(x, y)] for x in component for y in neighbours[x]))
            if len(case_ids) >= 2 and (not cross or len({court_of[c] for c in case_ids}) >= 2):
                yield scope, cross, min(component), case_ids


# ---------------------------------------------------------------- writing


def start_ids() -> dict[str, int]:
    """The first free id of each table the generator writes."""
    from django.db.models import Max

    from zhixing.cases.models import EnforcementCase, Party
    from zhixing.property.models import Asset, CaseAsset

    models = {"case": EnforcementCase, "party": Party, "asset": Asset, "case_asset": CaseAsset}
    return {name: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for name, model in models.items()}


def write(generator: Generator, *, connection=None, chunk: int = 20_000) -> None:
    """Write the generated rows straight into the tables (zhixing.bulk: executemany on SQLite, COPY on
    PostgreSQL): cases, parties, assets and their links. The caller holds the transaction."""
    from django.db import connection as default_connection
    from django.utils import timezone

    from zhixing.cases.models import EnforcementCase, Party
    from zhixing.property.models import Asset, CaseAsset

    connection = connection or default_connection
    now = timezone.now()
    codes = {court_id: code for court_id, (code, _) in generator.courts.items()}

    def case_values(row) -> dict:
        case_id, court_id, status, filed_on, claim_fen, team_id, applicants, respondents = row
        key = (court_id, filed_on.year)
        generator.sequences[key] += 1
        sequence = generator.sequences[key] + generator.sequence_base
        closed = status != CaseStatus.OPEN
        return {
            "id": case_id, "court_id": court_id, "case_number": f"（{filed_on.year}）{codes[court_id]}执{sequence}号",
            "case_type": "执", "year": filed_on.year, "sequence": sequence, "filed_on": filed_on, "status": status,
            "team_id": team_id, "claim_amount_fen": claim_fen, "applicant_names": applicants,
            "respondent_names": respondents, "closing_type": "performed" if closed else "",
            "closed_on": filed_on + dt.timedelta(days=1) if closed else None,
            "performed_amount_fen": claim_fen if closed else 0, "stage": "archive" if closed else "query",
            "source": "demo", "created_at": now,
        }

    _insert(connection, EnforcementCase, [case_values(row) for row in generator.cases], chunk)
    party_fields = ("id", "case_id", "court_id", "role", "kind", "name", "id_number", "credit_code", "birth_on", "position")
    _insert(connection, Party, [dict(zip(party_fields, row, strict=True)) for row in generator.parties], chunk)
    asset_fields = ("id", "kind", "identity_key", "owner_name", "owner_identity", "description")
    _insert(connection, Asset, [dict(zip(asset_fields, row, strict=True)) | {"details": {}, "created_at": now}
                                for row in generator.assets], chunk)
    link_fields = ("id", "case_id", "court_id", "asset_id", "found_on")
    _insert(connection, CaseAsset, [dict(zip(link_fields, row, strict=True)) | {"found_via": "network_query"}
                                    for row in generator.case_assets], chunk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (EnforcementCase, Party, Asset, CaseAsset):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def _insert(connection, model, rows: list[dict], chunk: int) -> None:
    """Rows as dicts of column values; a column not given takes the field's default (or NULL).
    Python values: zhixing.bulk adapts dates, datetimes and JSON as the ORM would."""
    from zhixing.bulk import insert_rows

    if not rows:
        return
    fields = model._meta.concrete_fields
    given = set(rows[0])
    constant = {f.attname: _default(f) for f in fields if f.attname not in given}
    columns = [f.attname for f in fields]

    def values(row: dict) -> tuple:
        return tuple(constant[c] if c in constant else row[c] for c in columns)

    # A chunk of tuples at a time: a million cases are not held twice over (dicts and tuples).
    for start in range(0, len(rows), chunk):
        insert_rows(model, columns, [values(row) for row in rows[start:start + chunk]], connection=connection,
                    chunk=chunk)


def _default(field):
    if field.has_default():
        return field.get_default()
    return "" if field.empty_strings_allowed and not field.null else None
