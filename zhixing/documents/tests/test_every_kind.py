"""Every built-in template renders for generated cases of every kind — natural and legal persons,
执 and 执恢, open and closed, with and without measures — with no field missing or left as a tag."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from zhixing.accounts.models import User
from zhixing.cases.choices import PartyKind
from zhixing.cases.models import EnforcementCase
from zhixing.documents import context as ctx
from zhixing.documents import services
from zhixing.documents.render import render_docx
from zhixing.documents.rules import DOCUMENT_KINDS
from zhixing.property import measures

from .conftest import docx_text

EXTRAS = {"reward_notice": {"reward_amount": 300_000}, "distribution_plan": {"available": 1_000_000}}


@pytest.fixture
def demo(db):
    call_command("demo", cases=300, seed=11, today="2026-11-20", stdout=StringIO(), stderr=StringIO())


def detained_car(kind: str) -> EnforcementCase:
    """A small demo may not have detained anything: detain a car in an open case, through the service."""
    assert kind == "detain", f"the demo has no {kind}"
    case = EnforcementCase.objects.filter(status="open", handler__isnull=False).order_by("pk").first()
    respondent = case.parties.filter(role="respondent").first()
    link = measures.asset_register(actor=case.handler, case=case, kind="vehicle", owner_party=respondent,
                                   details={"plate": "京A99999", "vin": "LSVAM4187C2184999"},
                                   found_on=case.filed_on, found_via="onsite")
    measures.measure_take(actor=case.handler, case=case, asset=link.asset, kind="detain", started_on=case.filed_on)
    return case


def shape(case: EnforcementCase) -> tuple:
    kinds = frozenset(p.kind for p in case.parties.all() if p.role == "respondent")
    return (case.case_type, case.status, PartyKind.LEGAL_PERSON in kinds, case.control_measures.exists())


def test_every_builtin_template_renders_for_every_shape_of_demo_case(demo):
    actor = User.objects.filter(role="clerk").order_by("pk").first()
    samples: dict[tuple, EnforcementCase] = {}
    for case in EnforcementCase.objects.prefetch_related("parties").order_by("pk"):
        samples.setdefault(shape(case), case)
    shapes = set(samples)
    for kind in ("freeze", "seal", "detain", "deduct"):  # a case holding each measure (the rulings need one)
        status = ("done",) if kind == "deduct" else ("active", "queued")
        holder = EnforcementCase.objects.filter(control_measures__kind=kind, control_measures__status__in=status).first()
        samples[("measure", kind)] = holder or detained_car(kind)
    assert any(s[0] == "执恢" for s in shapes) and any(s[2] for s in shapes) and any(s[3] for s in shapes)
    services.builtin_sync()
    rendered = 0
    for spec in DOCUMENT_KINDS.values():
        template = services.template_for(actor.court_id, spec.code)
        blob = bytes(template.file.content)
        needed = set(services.needed_names(template.file_id, blob))
        loaded = ctx.load_cases([c.pk for c in samples.values()], needed)
        made_for_kind = 0
        for case in samples.values():
            one = loaded[case.pk]
            extras = EXTRAS.get(spec.code, {})
            if ctx.refusal(spec, one, extras):
                continue
            context = ctx.case_context(one, spec, needed=needed, extras=extras, actor=actor, version=1)
            text = docx_text(render_docx(blob, context))  # StrictUndefined: a missing field raises here
            assert "{{" not in text and "{%" not in text, spec.code
            assert case.case_number in text and case.court.name in text, spec.code
            made_for_kind += 1
        assert made_for_kind, f"no demo case could take {spec.code}"
        rendered += made_for_kind
    assert rendered >= len(DOCUMENT_KINDS) * 2
