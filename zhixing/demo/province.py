"""The demo province: courts, divisions, teams and staff of Zhejiang (浙), with one login per role.

Court names and codes follow 法〔2015〕137号 (浙 / 浙01 / 浙0106: the county part is the
administrative division code). The people are invented. Every row gets an explicit primary key,
counted on from the table's highest id, so that a seed gives the same data in any fresh database.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db.models import Max

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.courts.choices import CourtLevel, TeamType
from zhixing.courts.models import Court, Division, Team

from .names import person_name

DEMO_PASSWORD = "zhixing-demo"  # noqa: S105 - printed on purpose: demo data only


@dataclass(frozen=True)
class CourtSpec:
    name: str
    code: str
    level: str
    parent_code: str | None
    city: str  # 杭州市
    district: str  # 西湖区 ('' for the high and intermediate courts)
    region_code: str  # administrative division code used in the parties' ID numbers
    slug: str  # ASCII part of the staff usernames
    case_share: float  # share of the demo cases filed here


COURTS: tuple[CourtSpec, ...] = (
    CourtSpec("浙江省高级人民法院", "浙", CourtLevel.HIGH, None, "杭州市", "", "330106", "zj", 0.01),
    CourtSpec("杭州市中级人民法院", "浙01", CourtLevel.INTERMEDIATE, "浙", "杭州市", "", "330106", "zj01", 0.04),
    CourtSpec("宁波市中级人民法院", "浙02", CourtLevel.INTERMEDIATE, "浙", "宁波市", "", "330203", "zj02", 0.03),
    # The first basic court holds the demo logins.
    CourtSpec("杭州市西湖区人民法院", "浙0106", CourtLevel.BASIC, "浙01", "杭州市", "西湖区", "330106", "zj0106", 0.20),
    CourtSpec("杭州市上城区人民法院", "浙0102", CourtLevel.BASIC, "浙01", "杭州市", "上城区", "330102", "zj0102", 0.17),
    CourtSpec("杭州市拱墅区人民法院", "浙0105", CourtLevel.BASIC, "浙01", "杭州市", "拱墅区", "330105", "zj0105", 0.15),
    CourtSpec("宁波市海曙区人民法院", "浙0203", CourtLevel.BASIC, "浙02", "宁波市", "海曙区", "330203", "zj0203", 0.14),
    CourtSpec("宁波市江北区人民法院", "浙0205", CourtLevel.BASIC, "浙02", "宁波市", "江北区", "330205", "zj0205", 0.10),
    CourtSpec("宁波市鄞州区人民法院", "浙0212", CourtLevel.BASIC, "浙02", "宁波市", "鄞州区", "330212", "zj0212", 0.16),
)
DEMO_COURT_CODE = "浙0106"
SUPERVISOR_COURT_CODE = "浙01"

# Region codes for the parties' ID numbers: the court's own district most often, then its city,
# the rest of the province, and people who came from other provinces.
CITY_REGIONS = {
    "杭州市": ("330102", "330105", "330106", "330108", "330109", "330110", "330122"),
    "宁波市": ("330203", "330205", "330212", "330281", "330282"),
}
PROVINCE_REGIONS = ("330302", "330402", "330602", "330702", "331002", "330521")
OTHER_REGIONS = ("341222", "411522", "421087", "341221")
DISTRICT_NAMES = {
    "330102": "上城区", "330105": "拱墅区", "330106": "西湖区", "330108": "滨江区", "330109": "萧山区",
    "330110": "余杭区", "330122": "桐庐县", "330203": "海曙区", "330205": "江北区", "330212": "鄞州区",
    "330281": "余姚市", "330282": "慈溪市",
}

# (team name, team type, {role: how many}); the first member leads the team.
BASIC_TEAMS = (
    ("快执一组", TeamType.FAST, {Role.JUDGE: 1, Role.ASSISTANT: 1, Role.CLERK: 1}),
    ("快执二组", TeamType.FAST, {Role.JUDGE: 1, Role.ASSISTANT: 1, Role.CLERK: 1}),
    ("普执一组", TeamType.ORDINARY, {Role.JUDGE: 2, Role.ASSISTANT: 2, Role.CLERK: 1}),
    ("普执二组", TeamType.ORDINARY, {Role.JUDGE: 2, Role.ASSISTANT: 2, Role.CLERK: 1}),
    ("普执三组", TeamType.ORDINARY, {Role.JUDGE: 1, Role.ASSISTANT: 2, Role.CLERK: 1}),
    ("特执团队", TeamType.SPECIAL, {Role.JUDGE: 1, Role.ASSISTANT: 2, Role.CLERK: 1}),
    ("执行110", TeamType.EXECUTION_110, {Role.BAILIFF: 4}),
    ("事务集约团队", TeamType.AFFAIRS, {Role.ASSISTANT: 1, Role.CLERK: 3}),
    ("终本管理团队", TeamType.TERMINATION, {Role.JUDGE: 1, Role.ASSISTANT: 1, Role.CLERK: 1}),
    ("监管团队", TeamType.OVERSIGHT, {Role.JUDGE: 1, Role.CLERK: 1}),
)
INTERMEDIATE_TEAMS = (
    ("普执一组", TeamType.ORDINARY, {Role.JUDGE: 2, Role.ASSISTANT: 2, Role.CLERK: 1}),
    ("特执团队", TeamType.SPECIAL, {Role.JUDGE: 1, Role.ASSISTANT: 1, Role.CLERK: 1}),
    ("执行110", TeamType.EXECUTION_110, {Role.BAILIFF: 3}),
    ("事务集约团队", TeamType.AFFAIRS, {Role.CLERK: 2}),
    ("终本管理团队", TeamType.TERMINATION, {Role.JUDGE: 1, Role.CLERK: 1}),
    ("监管团队", TeamType.OVERSIGHT, {Role.JUDGE: 1, Role.CLERK: 1}),
)
HIGH_TEAMS = (
    ("特执团队", TeamType.SPECIAL, {Role.JUDGE: 1, Role.ASSISTANT: 1, Role.CLERK: 1}),
    ("执行110", TeamType.EXECUTION_110, {Role.BAILIFF: 2}),
    ("监管团队", TeamType.OVERSIGHT, {Role.JUDGE: 1, Role.CLERK: 1}),
)
TEAMS_BY_LEVEL = {CourtLevel.BASIC: BASIC_TEAMS, CourtLevel.INTERMEDIATE: INTERMEDIATE_TEAMS, CourtLevel.HIGH: HIGH_TEAMS}
# Staff outside the teams: the command centre, the bureau's head, the president, the finance desk
# (案款管理), the supervisors.
COURT_STAFF = {
    CourtLevel.BASIC: {Role.COMMAND_CENTRE: 3, Role.BUREAU_HEAD: 1, Role.PRESIDENT: 1, Role.FINANCE: 1},
    CourtLevel.INTERMEDIATE: {Role.COMMAND_CENTRE: 2, Role.BUREAU_HEAD: 1, Role.PRESIDENT: 1, Role.FINANCE: 1,
                              Role.SUPERVISOR: 2},
    CourtLevel.HIGH: {Role.COMMAND_CENTRE: 1, Role.BUREAU_HEAD: 1, Role.PRESIDENT: 1, Role.FINANCE: 1, Role.SUPERVISOR: 3},
}
USERNAME_PART = {
    Role.JUDGE: "judge", Role.ASSISTANT: "assistant", Role.CLERK: "clerk", Role.BAILIFF: "bailiff",
    Role.COMMAND_CENTRE: "centre", Role.BUREAU_HEAD: "head", Role.PRESIDENT: "president",
    Role.FINANCE: "finance", Role.SUPERVISOR: "supervisor",
}
# The logins printed for a demonstration: the first of each role at the demo court (the supervisor
# at its intermediate court), in this order.
DEMO_LOGINS = (
    ("judge", DEMO_COURT_CODE, Role.JUDGE),
    ("assistant", DEMO_COURT_CODE, Role.ASSISTANT),
    ("clerk", DEMO_COURT_CODE, Role.CLERK),
    ("bailiff", DEMO_COURT_CODE, Role.BAILIFF),
    ("centre", DEMO_COURT_CODE, Role.COMMAND_CENTRE),
    ("head", DEMO_COURT_CODE, Role.BUREAU_HEAD),
    ("president", DEMO_COURT_CODE, Role.PRESIDENT),
    ("finance", DEMO_COURT_CODE, Role.FINANCE),
    ("supervisor", SUPERVISOR_COURT_CODE, Role.SUPERVISOR),
)
ADMIN_USERNAME = "admin"


@dataclass
class TeamStaff:
    team: Team
    members: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))

    def first(self, *roles: str) -> User | None:
        for role in roles:
            if self.members.get(role):
                return self.members[role][0]
        return None


@dataclass
class CourtStaff:
    spec: CourtSpec
    court: Court
    teams: list[TeamStaff] = field(default_factory=list)
    by_role: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))

    def teams_of(self, *team_types: str) -> list[TeamStaff]:
        return [t for t in self.teams if t.team.team_type in team_types]


@dataclass
class Province:
    courts: list[CourtStaff]
    users: list[User]
    divisions: list[Division]
    teams: list[Team]
    admin: User | None

    def court(self, code: str) -> CourtStaff:
        return next(c for c in self.courts if c.court.court_code == code)


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


class _Planner:
    """Hands out explicit primary keys and unique staff names while the province is planned."""

    def __init__(self, rng: random.Random, password_hash: str, first_ids: dict[str, int]):
        self.rng = rng
        self.password_hash = password_hash
        self.ids = dict(first_ids)
        self.used_names: set[str] = set()
        self.users: list[User] = []
        self.demo_usernames = {(court_code, role): username for username, court_code, role in DEMO_LOGINS}

    def take(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind] - 1

    def unique_name(self) -> str:
        while True:
            name = person_name(self.rng, female=self.rng.random() < 0.45)
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def user(self, staff: CourtStaff, role: str, team: Team | None) -> User:
        spec = staff.spec
        number = len(staff.by_role[role]) + 1
        username = self.demo_usernames.pop((spec.code, role), None) or f"{spec.slug}.{USERNAME_PART[role]}{number}"
        user = User(pk=self.take("user"), username=username, password=self.password_hash, full_name=self.unique_name(),
                    court_id=staff.court.pk, role=role, team_id=team.pk if team else None)
        self.users.append(user)
        staff.by_role[role].append(user)
        return user


def plan_province(rng: random.Random, *, password_hash: str, first_ids: dict[str, int]) -> Province:
    """The province as unsaved rows with explicit primary keys (first_ids: 'court', 'division', 'team', 'user')."""
    planner = _Planner(rng, password_hash, first_ids)
    courts: list[CourtStaff] = []
    divisions: list[Division] = []
    teams: list[Team] = []
    by_code: dict[str, Court] = {}
    for spec in COURTS:
        parent = by_code.get(spec.parent_code) if spec.parent_code else None
        court = Court(pk=planner.take("court"), name=spec.name, court_code=spec.code, level=spec.level,
                      parent_id=parent.pk if parent else None, region=spec.city + spec.district)
        by_code[spec.code] = court
        bureau = Division(pk=planner.take("division"), court_id=court.pk, name="执行局")
        centre = Division(pk=planner.take("division"), court_id=court.pk, name="执行指挥中心", is_command_centre=True)
        divisions += [bureau, centre]
        staff = CourtStaff(spec=spec, court=court)
        for name, team_type, roster in TEAMS_BY_LEVEL[spec.level]:
            team = Team(pk=planner.take("team"), court_id=court.pk, division_id=bureau.pk, name=name, team_type=team_type)
            teams.append(team)
            team_staff = TeamStaff(team=team)
            for role, count in roster.items():
                team_staff.members[role] += [planner.user(staff, role, team) for _ in range(count)]
            team.leader_id = next(iter(team_staff.members.values()))[0].pk
            staff.teams.append(team_staff)
        for role, count in COURT_STAFF[spec.level].items():
            for _ in range(count):
                planner.user(staff, role, None)
        courts.append(staff)
    admin = None
    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        admin = User(pk=planner.take("user"), username=ADMIN_USERNAME, password=password_hash, full_name="系统管理员",
                     is_staff=True, is_superuser=True)
        planner.users.append(admin)
    return Province(courts=courts, users=planner.users, divisions=divisions, teams=teams, admin=admin)


def first_ids() -> dict[str, int]:
    return {"court": _next_id(Court), "division": _next_id(Division), "team": _next_id(Team), "user": _next_id(User)}


def fresh_ids() -> dict[str, int]:
    return {"court": 1, "division": 1, "team": 1, "user": 1}


def save_province(province: Province) -> None:
    """Insert the planned rows. Teams go in before their leaders exist: the foreign keys are deferred."""
    Court.objects.bulk_create([c.court for c in province.courts])
    Division.objects.bulk_create(province.divisions)
    Team.objects.bulk_create(province.teams)
    User.objects.bulk_create(province.users)


def demo_password_hash() -> str:
    # One PBKDF2 hash shared by every demo account: hashing hundreds separately takes minutes.
    return make_password(DEMO_PASSWORD)


def print_demo_logins(stdout) -> None:
    """The table of demo logins (username, 姓名, 法院, 角色, password)."""
    usernames = [u for u, _c, _r in DEMO_LOGINS] + [ADMIN_USERNAME]
    found = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("court")}
    rows = [("用户名", "姓名", "法院", "角色", "密码")]
    for username in usernames:
        user = found.get(username)
        if user is None:
            continue
        role = user.get_role_display() if user.role else "系统管理员（超级用户）"
        rows.append((username, user.full_name, user.court.name if user.court_id else "—", role, DEMO_PASSWORD))
    if len(rows) == 1:
        stdout.write("没有演示账号（数据库中没有 `zhixing demo` 生成的数据）。")
        return
    widths = [max(_width(r[i]) for r in rows) for i in range(5)]
    stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，除非已修改）：")
    for index, row in enumerate(rows):
        stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            stdout.write("  " + "  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
