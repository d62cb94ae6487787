"""/api/v1/documents: the same rules as the pages, as JSON — 201 with the file's hash, 422 naming the
field, 400 naming the rule, 403 for a reader, 404 for another court."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from docx import Document

from zhixing.accounts.models import ApiToken
from zhixing.cases.models import DataAccessLog
from zhixing.documents import pdf, services
from zhixing.documents.models import DocumentTemplate, GeneratedDocument

API = "/api/v1/documents"
D = dt.date


@pytest.fixture
def case(make_case):
    return make_case(filed_on=D(2026, 11, 20), amount_fen=12_345_678)


def post_json(client, url: str, body: dict, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def bearer(user) -> dict:
    _, token = ApiToken.issue(user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def docx_with(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_without_credentials_the_api_answers_401(client, db):
    assert client.get(f"{API}/kinds").status_code == 401


def test_the_kinds_and_the_field_list(client, judge):
    client.force_login(judge)
    kinds = {k["code"]: k for k in client.get(f"{API}/kinds").json()}
    assert len(kinds) == 15
    reward = kinds["reward_notice"]
    assert reward["title"] == "悬赏公告" and reward["needs_seal"] is True
    assert {"name": "reward_amount", "label": "悬赏金（元）", "kind": "money", "required": True, "help": ""} in reward["extras"]
    assert kinds["proof_of_service"]["signature_label"] == "受送达人签收"
    fields = {f["path"]: f["label"] for f in client.get(f"{API}/fields").json()}
    assert fields["case.number"] == "案号" and "respondents[].name" in fields


def test_a_program_generates_a_notice_and_downloads_the_same_bytes(client, judge, case):
    auth = bearer(judge)
    created = post_json(client, f"{API}/cases/{case.pk}/documents", {"kind": "enforcement_notice"}, **auth)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["case_id"], body["case_number"], body["kind"], body["title"], body["version"]) == (
        case.pk, case.case_number, "enforcement_notice", "执行通知书", 1)
    assert body["template_owner"] == "内置" and body["generated_by"] == "张法官" and body["batch_id"] is None
    assert body["missing_marks"] == ["院印", "审判员签名"]

    download = client.get(f"{API}/{body['id']}/docx", **auth)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert hashlib.sha256(download.content).hexdigest() == body["sha256"]
    assert "filename*=UTF-8''" in download["Content-Disposition"]
    assert DataAccessLog.objects.filter(user=judge, case=case, kind="api_document_view").count() == 1

    assert client.get(f"{API}/{body['id']}", **auth).json()["sha256"] == body["sha256"]
    second = post_json(client, f"{API}/cases/{case.pk}/documents", {"kind": "enforcement_notice"}, **auth).json()
    listed = client.get(f"{API}/cases/{case.pk}/documents", **auth).json()
    assert [(d["id"], d["version"]) for d in listed] == [(second["id"], 2), (body["id"], 1)]


def test_a_missing_reward_is_a_422_naming_the_extra(client, judge, case):
    client.force_login(judge)
    url = f"{API}/cases/{case.pk}/documents"
    response = post_json(client, url, {"kind": "reward_notice", "extras": {"contact": "张法官 010-1234"}})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid" and body["errors"][0]["field"] == "extras.reward_amount"
    assert "悬赏金" in body["errors"][0]["message"]
    bad = post_json(client, url, {"kind": "reward_notice", "extras": {"reward_amount": "-5"}}).json()
    assert bad["errors"] == [{"field": "extras.reward_amount", "message": "“悬赏金（元）”的值 '-5' 无效"}]
    unknown = post_json(client, url, {"kind": "no_such_document"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "kind"
    made = post_json(client, url, {"kind": "reward_notice", "extras": {"reward_amount": 5000}})
    assert made.status_code == 201 and made.json()["extras"] == {"reward_amount": 500_000}
    assert GeneratedDocument.objects.filter(case=case).count() == 1


def test_a_ruling_without_its_measure_is_refused_naming_the_measure(client, judge, case):
    client.force_login(judge)
    response = post_json(client, f"{API}/cases/{case.pk}/documents", {"kind": "ruling_seal"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "document_not_applicable"
    assert body["message"] == "本案没有可写入执行裁定书（查封）的查封措施"


def test_marks_are_recorded_once_and_only_by_the_courts_staff(client, judge, clerk, supervisor, case):
    doc = services.document_generate(actor=judge, case=case, kind="enforcement_notice")
    receipt = services.document_generate(actor=judge, case=case, kind="proof_of_service")
    client.force_login(supervisor)
    assert client.get(f"{API}/{doc.pk}").status_code == 200  # a supervisor reads
    assert post_json(client, f"{API}/{doc.pk}/marks", {"sealed": True}).status_code == 403

    client.force_login(clerk)
    sealed = post_json(client, f"{API}/{doc.pk}/marks", {"sealed": True, "note": "已用印"})
    assert sealed.status_code == 200 and sealed.json()["missing_marks"] == ["审判员签名"]
    client.force_login(judge)
    signed = post_json(client, f"{API}/{doc.pk}/marks", {"signed": True}).json()
    assert signed["missing_marks"] == [] and signed["signed_at"] and signed["sealed_at"]
    doc.refresh_from_db()
    assert (doc.sealed_by, doc.signed_by) == (clerk, judge)

    nothing = post_json(client, f"{API}/{doc.pk}/marks", {})
    assert nothing.status_code == 422 and nothing.json()["errors"][0]["field"] == "marks"
    no_seal = post_json(client, f"{API}/{receipt.pk}/marks", {"sealed": True})
    assert no_seal.status_code == 400 and no_seal.json()["message"] == "送达回证不加盖院印"


def test_a_template_with_a_misspelt_field_is_refused_and_a_good_one_becomes_the_courts(client, judge, bureau_head):
    client.force_login(bureau_head)
    bad = client.post(f"{API}/templates", {"kind": "enforcement_notice", "note": "试用",
                                           "file": io.BytesIO(docx_with("{{ case.numbr }}{{ court.name }}"))})
    assert bad.status_code == 422
    body = bad.json()
    assert "case.numbr" in body["message"] and "court.name" not in body["message"]
    assert body["errors"][0] == {"field": "file", "message": "未知字段：case.numbr"}
    assert "case.number" in body["errors"][1]["message"]  # the known fields, listed
    assert not DocumentTemplate.objects.filter(court__isnull=False).exists()

    blob = services.builtin_blob("enforcement_notice")
    upload = io.BytesIO(blob)
    upload.name = "执行通知书（本院）.docx"
    good = client.post(f"{API}/templates", {"kind": "enforcement_notice", "note": "本院格式", "file": upload})
    assert good.status_code == 201, good.content
    assert good.json()["version"] == 1 and good.json()["court_id"] == bureau_head.court_id
    assert good.json()["sha256"] == hashlib.sha256(blob).hexdigest() and good.json()["file_name"] == "执行通知书（本院）.docx"

    client.force_login(judge)
    refused = client.post(f"{API}/templates", {"kind": "enforcement_notice", "file": io.BytesIO(blob)})
    assert refused.status_code == 403 and refused.json()["error"] == "not_allowed"


def test_a_batch_runs_and_reports_its_progress(client, judge, make_case, django_capture_on_commit_callbacks):
    cases = [make_case(filed_on=D(2026, 11, 25)) for _ in range(2)]
    client.force_login(judge)
    with django_capture_on_commit_callbacks(execute=True):  # huey runs at once under pytest
        created = post_json(client, f"{API}/batches", {"kind": "enforcement_notice", "case_ids": [c.pk for c in cases]})
    assert created.status_code == 201, created.content
    assert created.json()["total"] == 2 and created.json()["selection"] == "指定案件 2 件"
    progress = client.get(f"{API}/batches/{created.json()['id']}").json()
    assert (progress["status"], progress["percent"], progress["done_count"], progress["skipped"]) == ("done", 100, 2, [])
    assert GeneratedDocument.objects.filter(batch_id=progress["id"]).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        by_day = post_json(client, f"{API}/batches", {"kind": "ruling_freeze", "filed_on": "2026-11-25"})
    assert by_day.status_code == 201 and by_day.json()["selection"] == "2026-11-25 立案"
    skipped = client.get(f"{API}/batches/{by_day.json()['id']}").json()
    assert skipped["status"] == "done" and skipped["percent"] == 100 and skipped["done_count"] == 0
    assert {s["case"] for s in skipped["skipped"]} == {c.case_number for c in cases}

    empty = post_json(client, f"{API}/batches", {"kind": "enforcement_notice", "filed_on": "2026-01-01"})
    assert empty.status_code == 400 and empty.json()["error"] == "empty_selection"


def test_another_courts_documents_and_batches_are_not_found(client, judge, other_judge, case, make_case,
                                                           django_capture_on_commit_callbacks):
    doc = services.document_generate(actor=judge, case=case, kind="enforcement_notice")
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create(actor=judge, court=case.court, kind="enforcement_notice", case_ids=[case.pk],
                                      selection="测试")
    client.force_login(other_judge)
    for url in (f"{API}/{doc.pk}", f"{API}/{doc.pk}/docx", f"{API}/{doc.pk}/pdf", f"{API}/cases/{case.pk}/documents",
                f"{API}/batches/{batch.pk}"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["error"] == "not_found", url
    assert post_json(client, f"{API}/{doc.pk}/marks", {"sealed": True}).status_code == 404
    assert post_json(client, f"{API}/cases/{case.pk}/documents", {"kind": "enforcement_notice"}).status_code == 404
    theirs = make_case(actor=other_judge)
    foreign = post_json(client, f"{API}/batches", {"kind": "enforcement_notice", "case_ids": [case.pk, theirs.pk]})
    assert foreign.status_code == 404
    assert not DataAccessLog.objects.filter(user=other_judge, case=case).exists()


def test_without_libreoffice_the_pdf_is_a_503_naming_the_reason(client, judge, case, monkeypatch):
    doc = services.document_generate(actor=judge, case=case, kind="enforcement_notice")
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    client.force_login(judge)
    response = client.get(f"{API}/{doc.pk}/pdf")
    assert response.status_code == 503
    assert response.json()["error"] == "pdf_unavailable" and "LibreOffice" in response.json()["message"]
