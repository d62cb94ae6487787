"""Petitions, review outcomes and disclosures: recorded in one transaction with an execution-log entry,
refused with the field named, idempotent on retry; imports all-or-nothing and idempotent."""

from __future__ import annotations

import io

import pytest
import time_machine
from openpyxl import Workbook

from zhixing.cases.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.models import LogEntry
from zhixing.indicators import imports, services
from zhixing.indicators.models import ConductReview, Disclosure, Petition

from .support import D, build_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def june_2026():
    with time_machine.travel("2026-06-15 10:00:00+08:00", tick=False):
        yield


@pytest.fixture
def case(courts, judge):
    return build_case(courts["court"], filed_on=D(2026, 1, 5), handler=judge)


def test_a_petition_is_logged_on_its_case(case, clerk):
    petition = services.petition_register(actor=clerk, case=case, received_on=D(2026, 6, 1), summary="反映执行拖延",
                                          reference="XF-2026-001")
    entry = LogEntry.objects.filter(case=case).latest("seq")
    assert "登记执行信访" in entry.summary and entry.actor == clerk
    assert entry.after["petition"] == petition.pk


def test_the_same_petition_number_twice_is_one_petition(case, clerk):
    first = services.petition_register(actor=clerk, case=case, received_on=D(2026, 6, 1), summary="反映执行拖延",
                                       reference="XF-1")
    again = services.petition_register(actor=clerk, case=case, received_on=D(2026, 6, 1), summary="反映执行拖延",
                                       reference="XF-1")
    assert again.pk == first.pk and Petition.objects.count() == 1
    with pytest.raises(Conflict):
        services.petition_register(actor=clerk, case=case, received_on=D(2026, 6, 2), summary="另一事项",
                                   reference="XF-1")


def test_a_petition_refuses_future_and_inverted_dates_naming_the_field(case, clerk):
    with pytest.raises(ValidationFailed) as refused:
        services.petition_register(actor=clerk, case=case, received_on=D(2026, 6, 16), summary="", closed_on=D(2026, 6, 1))
    fields = {e.field for e in refused.value.errors}
    assert fields == {"received_on", "closed_on", "summary"}


def test_closing_a_petition_once(case, clerk):
    petition = services.petition_register(actor=clerk, case=case, received_on=D(2026, 6, 1), summary="反映执行拖延")
    services.petition_close(actor=clerk, petition=petition, closed_on=D(2026, 6, 10), outcome="已答复")
    assert services.petition_close(actor=clerk, petition=petition, closed_on=D(2026, 6, 10), outcome="已答复").pk == petition.pk
    with pytest.raises(Conflict, match="已于 2026-06-10 办结"):
        services.petition_close(actor=clerk, petition=petition, closed_on=D(2026, 6, 11), outcome="再答复")
    with pytest.raises(ValidationFailed):
        services.petition_close(actor=clerk, petition=Petition.objects.create(
            court=case.court, case=case, received_on=D(2026, 6, 5), summary="x"), closed_on=D(2026, 6, 4), outcome="x")


def test_supervisors_and_other_courts_cannot_record(case, supervisor, other_judge):
    with pytest.raises(NotAllowed):
        services.petition_register(actor=supervisor, case=case, received_on=D(2026, 6, 1), summary="x")
    with pytest.raises(NotFound):
        services.disclosure_record(actor=other_judge, case=case, kind="document_online", disclosed_on=D(2026, 6, 1))


def test_a_bailiff_may_not_record(case, bailiff):
    with pytest.raises(NotAllowed):
        services.review_record(actor=bailiff, case=case, kind="objection", outcome="revoked", decided_on=D(2026, 6, 1))


def test_a_review_outcome_must_fit_its_kind(case, judge):
    with pytest.raises(ValidationFailed) as refused:
        services.review_record(actor=judge, case=case, kind="state_compensation", outcome="revoked",
                               decided_on=D(2026, 6, 1))
    assert refused.value.errors[0].field == "outcome" and "决定赔偿" in refused.value.errors[0].message
    review = services.review_record(actor=judge, case=case, kind="objection", outcome="revoked", decided_on=D(2026, 6, 1),
                                    document_number="（2026）京0108执异1号")
    again = services.review_record(actor=judge, case=case, kind="objection", outcome="revoked", decided_on=D(2026, 6, 1),
                                   document_number="（2026）京0108执异1号")
    assert again.pk == review.pk and "执行异议结果：撤销" in LogEntry.objects.filter(case=case).latest("seq").summary


def test_a_disclosure_on_the_same_day_is_recorded_once(case, clerk):
    first = services.disclosure_record(actor=clerk, case=case, kind="document_online", disclosed_on=D(2026, 6, 1))
    again = services.disclosure_record(actor=clerk, case=case, kind="document_online", disclosed_on=D(2026, 6, 1))
    assert first.pk == again.pk and Disclosure.objects.count() == 1
    with pytest.raises(ValidationFailed, match="早于立案日期"):
        services.disclosure_record(actor=clerk, case=case, kind="node_notice", disclosed_on=D(2025, 12, 1))


# ---------------------------------------------------------------- imports


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def test_import_is_all_or_nothing_with_row_numbers(case, clerk):
    content = _csv(f"案号,收到日期,信访事项,信访方式\n{case.case_number},2026-05-01,反映一,来访\n"
                   f"{case.case_number},2026-13-01,反映二,来访\n（2026）京0108执99999号,2026-05-02,反映三,飞鸽\n")
    with pytest.raises(ValidationFailed) as refused:
        imports.records_import(actor=clerk, kind="petitions", file_name="p.csv", content=content)
    found = {(e.row, e.field) for e in refused.value.errors}
    assert (3, "收到日期") in found and (4, "信访方式") in found
    assert not Petition.objects.exists()


def test_import_refuses_a_case_of_another_court_and_records_nothing(case, clerk, courts):
    foreign = build_case(courts["other"], filed_on=D(2026, 1, 5))
    content = _csv(f"案号,收到日期,信访事项\n{case.case_number},2026-05-01,反映一\n{foreign.case_number},2026-05-01,反映二\n")
    with pytest.raises(ValidationFailed) as refused:
        imports.records_import(actor=clerk, kind="petitions", file_name="p.csv", content=content)
    assert refused.value.errors[0].row == 3 and "本院没有案件" in refused.value.errors[0].message
    assert not Petition.objects.exists()


def test_importing_the_same_file_twice_records_once(case, clerk):
    content = _csv(f"案号,审查类型,审查结果,决定日期\n{case.case_number},执行异议,撤销,2026-05-01\n"
                   f"{case.case_number},国家赔偿,决定赔偿,2026-05-20\n")
    first = imports.records_import(actor=clerk, kind="reviews", file_name="r.csv", content=content)
    second = imports.records_import(actor=clerk, kind="reviews", file_name="r.csv", content=content)
    assert (first.created, first.already) == (2, 0) and (second.created, second.already) == (0, 2)
    assert ConductReview.objects.count() == 2


def test_import_from_xlsx_with_date_cells(case, clerk):
    book = Workbook()
    sheet = book.active
    sheet.append(["案号", "公开事项", "公开日期", "公开载体或网址"])
    sheet.append([case.case_number, "结案文书上网公开", D(2026, 5, 3), "https://wenshu.court.gov.cn/x"])
    out = io.BytesIO()
    book.save(out)
    result = imports.records_import(actor=clerk, kind="disclosures", file_name="d.xlsx", content=out.getvalue())
    assert result.created == 1 and Disclosure.objects.get().disclosed_on == D(2026, 5, 3)


def test_import_names_missing_columns(clerk):
    with pytest.raises(ValidationFailed, match="缺少必需的列：收到日期、信访事项"):
        imports.records_import(actor=clerk, kind="petitions", file_name="p.csv", content=_csv("案号\nx\n"))


def test_the_template_reads_back(case, clerk):
    rows = imports.read("petitions", "t.csv", imports.template_csv("petitions"))
    assert rows[0][1]["summary"] == "反映案件长期未执行" and rows[0][1]["channel"] == "visit"
