"""二次财产调查 (seed 001 case 1): open cases more than 2.5 months old with nothing found get a second round of
network queries; cases with property, a recent second round or replies still awaited do not."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from zhixing.cases.models import LogEntry, Party
from zhixing.closing import investigation
from zhixing.property.checklist import query_record_manual
from zhixing.property.measures import asset_register
from zhixing.property.models import PropertyQuery
from zhixing.property.queries import batch_send
from zhixing.workdays import calendar

from .conftest import TODAY, D, node


def test_the_cutoff_is_the_last_filing_day_older_than_two_and_a_half_months(db):
    # by hand: on 2026-11-25, 2.5 months back is 2026-09-10 (9-10 + 2 months = 11-10, + 15 days = 11-25)
    assert investigation.filed_cutoff(D(2026, 11, 25)) == D(2026, 9, 10)
    # month ends: 2026-12-16 - 15 days = 11-30, the last day of November: all of September's end lands there
    assert investigation.filed_cutoff(D(2026, 12, 15)) == D(2026, 9, 30)
    for offset in range(0, 400):
        as_of = D(2026, 1, 1) + dt.timedelta(days=offset)
        cutoff = investigation.filed_cutoff(as_of)
        for f in (cutoff - dt.timedelta(days=1), cutoff, cutoff + dt.timedelta(days=1)):
            old = calendar.add_months(f, 2, roll_off_rest_day=False) + dt.timedelta(days=15) <= as_of
            assert old == (f <= cutoff), (as_of, f)


def answered_once(case, judge):
    respondent = Party.objects.get(case=case, role="respondent")
    node(case, "network_query", judge, case.filed_on + dt.timedelta(days=2))
    query_record_manual(actor=judge, case=case, party=respondent, item_code="deposits", state="replied_none",
                        replied_on=case.filed_on + dt.timedelta(days=5))


def test_the_worklist_takes_old_cases_without_property_or_a_second_round(make_case, judge, clerk):
    due = make_case(filed_on=D(2026, 9, 1))
    answered_once(due, judge)
    young = make_case(filed_on=D(2026, 9, 20))
    with_property = make_case(filed_on=D(2026, 8, 1))
    asset_register(actor=judge, case=with_property, kind="vehicle", owner_party=Party.objects.get(case=with_property, role="respondent"),
                   details={"plate": "京C11111", "vin": "LFV2A21K1A3999999"}, found_on=TODAY, found_via="onsite")
    twice = make_case(filed_on=D(2026, 8, 1))
    node(twice, "network_query", judge, D(2026, 8, 3))
    node(twice, "traditional_query", judge, D(2026, 10, 30))
    awaiting = make_case(filed_on=D(2026, 8, 1))
    batch_send(actor=clerk, cases=[awaiting.pk], item_codes=["deposits"])
    ids = list(investigation.cases_due(court_ids=[due.court_id]).values_list("pk", flat=True))
    assert ids == [due.pk]
    assert young.pk not in ids and with_property.pk not in ids and twice.pk not in ids and awaiting.pk not in ids


def test_the_command_sends_the_second_round_once_and_notes_why(make_case, judge, clerk):
    case = make_case(filed_on=D(2026, 9, 1))
    answered_once(case, judge)
    out = io.StringIO()
    call_command("second_investigation", court="京0108", user=clerk.username, stdout=out)
    assert "应二次调查 1 件，已对 1 件发送网络查控 5 项" in out.getvalue()
    assert PropertyQuery.objects.filter(case=case, sent_on=TODAY, state="sent").count() == 5
    note = LogEntry.objects.filter(case=case, action="note").order_by("-seq").first()
    assert "二次财产调查" in note.summary and "seed 001" in note.reason
    out = io.StringIO()
    call_command("second_investigation", court="京0108", user=clerk.username, stdout=out)
    assert "没有需要二次财产调查的案件" in out.getvalue()


def test_a_dry_run_lists_without_sending(make_case, judge, clerk):
    case = make_case(filed_on=D(2026, 9, 1))
    out = io.StringIO()
    call_command("second_investigation", court="京0108", user=clerk.username, dry_run=True, stdout=out)
    assert case.case_number in out.getvalue() and "未发送" in out.getvalue()
    assert not PropertyQuery.objects.filter(case=case).exists()
