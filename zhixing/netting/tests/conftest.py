"""Fixtures of the netting tests: today is Wednesday 2026-11-25 in Beijing, and a factory that registers a
case between named parties (the same person is the same identity number in every case)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine

from zhixing.cases import services as case_services
from zhixing.cases.inputs import parse_case
from zhixing.demo.identity import make_credit_code, make_id_number
from zhixing.testing.fixtures import *  # noqa: F401,F403
from zhixing.testing.fixtures import case_payload

D = dt.date
BEIJING = dt.timezone(dt.timedelta(hours=8))
TODAY = D(2026, 11, 25)
FILED = D(2026, 4, 1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False) as traveller:
        yield traveller


def person(name: str, serial: int) -> dict:
    return {"kind": "natural_person", "name": name,
            "id_number": make_id_number(birth_on=D(1970, 1, 1) + dt.timedelta(days=97 * serial), serial=serial)}


def company(name: str, seed: int) -> dict:
    return {"kind": "legal_person", "name": name, "credit_code": make_credit_code(random.Random(seed)),
            "legal_representative": "周某"}


def key(party: dict) -> str:
    return party.get("id_number") or party["credit_code"]


@pytest.fixture
def register(judge):
    """register(applicant, respondent or [respondents], amount_fen, filed_on=…) → a registered case."""

    def factory(applicant: dict, respondents, amount_fen: int, *, filed_on: dt.date = FILED, actor=None,
                **overrides):
        respondents = respondents if isinstance(respondents, list) else [respondents]
        actor = actor or judge
        payload = case_payload(actor.court.court_code, filed_on=filed_on, amount_fen=amount_fen, **overrides)
        payload["parties"] = [{**applicant, "role": "applicant"}] + [{**r, "role": "respondent"} for r in respondents]
        return case_services.case_register(actor=actor, data=parse_case(payload))

    return factory


@pytest.fixture
def people():
    return {"A": company("河南某科技有限公司", 1), "B": person("王某霞", 1), "C": person("王某生", 2),
            "D": person("陈某某", 3), "E": person("范某明", 4)}
