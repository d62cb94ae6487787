"""Fixtures of the bundle tests: the shared court tree (京 → 京01 → 京0108, 京0102) plus a second
intermediate court (京02 → 京0111, 京0112), so that "across the courts under one intermediate court"
has an inside and an outside; and a generated province with planted relations."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.cases import services
from zhixing.cases.inputs import parse_case
from zhixing.courts.choices import CourtLevel, TeamType
from zhixing.courts.models import Court, Team
from zhixing.demo.identity import make_credit_code, make_id_number
from zhixing.testing.fixtures import case_payload, make_user

from ..synthetic import Generator, start_ids, write


@pytest.fixture
def all_courts(courts):
    second = Court.objects.create(name="北京市第二中级人民法院", court_code="京02", level=CourtLevel.INTERMEDIATE,
                                  parent=courts["high"])
    east = Court.objects.create(name="北京市东城区人民法院", court_code="京0111", level=CourtLevel.BASIC, parent=second)
    south = Court.objects.create(name="北京市丰台区人民法院", court_code="京0112", level=CourtLevel.BASIC, parent=second)
    return {**courts, "mid2": second, "east": east, "south": south}


def province_of(all_courts) -> dict[int, tuple[str, int | None]]:
    """{court id: (code, intermediate court id or None)} as the detection sees the tree."""
    mid, mid2 = all_courts["mid"].pk, all_courts["mid2"].pk
    return {
        all_courts["high"].pk: ("京", None),
        mid: ("京01", mid), all_courts["court"].pk: ("京0108", mid), all_courts["other"].pk: ("京0102", mid),
        mid2: ("京02", mid2), all_courts["east"].pk: ("京0111", mid2), all_courts["south"].pk: ("京0112", mid2),
    }


@pytest.fixture
def generated(all_courts, team):
    """A few thousand generated cases over the seven courts, every kind of relation planted, written."""
    teams = {court.pk: [Team.objects.create(court=court, name=f"{court.court_code}普执一组", team_type=TeamType.ORDINARY).pk]
             for key, court in all_courts.items() if key != "court"}
    teams[all_courts["court"].pk] = [team.pk]
    generator = Generator(random.Random(7), province_of(all_courts), teams, timezone.localdate(), start_ids())
    generator.province(2000, institutions=4)
    # More of the rarer kinds than a province's mix would give at this size.
    generator.mutual(150)
    generator.possible_respondents(40)
    generator.cross_court_respondents(40)
    write(generator)
    return generator


# ---------------------------------------------------------------- Mengzhou, through the real services

def person(name: str, serial: int) -> dict:
    return {"kind": "natural_person", "name": name,
            "id_number": make_id_number(region="410883", birth_on=dt.date(1970, 1, 1) + dt.timedelta(days=serial * 97),
                                        serial=serial)}


def company(name: str, seed: int) -> dict:
    return {"kind": "legal_person", "name": name, "credit_code": make_credit_code(random.Random(seed), region="410883"),
            "legal_representative": "李某"}


def register(actor, court_code: str, applicants: list[dict], respondents: list[dict]):
    parties = [{**p, "role": "applicant"} for p in applicants] + [{**p, "role": "respondent"} for p in respondents]
    return services.case_register(actor=actor, data=parse_case(case_payload(court_code, parties=parties)))


@dataclass
class Mengzhou:
    """Seed 003: five persons each hold two claims against a technology company (10 cases), which holds
    four against them (4 cases) — 14 cases in 京0108; and one more claim against the company in 京0102."""

    company: dict
    persons: list[dict]
    against_company: list  # the 10 cases
    by_company: list  # the 4 cases
    elsewhere: object  # 京0102's case against the company


@pytest.fixture
def mengzhou(judge, other_judge):
    firm = company("焦作某科技有限公司", 1)
    people = [person(name, i) for i, name in enumerate(["王某霞", "王某生", "陈某某", "范某明", "柴某霞"], start=1)]
    against = [register(judge, "京0108", [p], [firm]) for p in people for _ in range(2)]
    by = [register(judge, "京0108", [firm], people[:2])] + [register(judge, "京0108", [firm], [p]) for p in people[2:]]
    elsewhere = register(other_judge, "京0102", [person("赵某", 9)], [firm])
    return Mengzhou(firm, people, against, by, elsewhere)


@pytest.fixture
def head_team(courts, bureau_head):
    """The team a bundle is handed to, led by a judge of 京0108."""
    lead = make_user("lead", courts["court"], Role.JUDGE, "孙法官")
    squad = Team.objects.create(court=courts["court"], name="速执团队", team_type=TeamType.FAST, leader=lead)
    lead.team = squad
    lead.save(update_fields=["team"])
    return squad
