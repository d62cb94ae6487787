"""The documents pages as a clerk uses them: a case's documents (generate, preview, download, sign and
seal), the court's templates and batches — in Chinese, with the errors named, and only for the court's
own staff (a higher court's supervisor reads, another court sees nothing)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from zhixing.cases.models import DataAccessLog
from zhixing.documents import pdf, services
from zhixing.documents.models import BatchStatus, DocumentBatch, DocumentTemplate, GeneratedDocument

D = dt.date
TODAY = D(2026, 11, 25)  # conftest: Wednesday 25 November 2026, 10:00 in Beijing
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def case(make_case):
    return make_case(filed_on=D(2026, 11, 20), amount_fen=12_345_678)


def case_url(case, tail: str = "") -> str:
    return f"/documents/cases/{case.pk}/{tail}"


def notice(judge, case) -> GeneratedDocument:
    return services.document_generate(actor=judge, case=case, kind="enforcement_notice")


def docx_with(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(name: str, blob: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, blob, content_type=DOCX_TYPE)


def page(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- a case's documents


def test_the_case_page_offers_the_kinds_that_apply_and_explains_the_others(client, judge, case):
    client.force_login(judge)
    response = client.get(case_url(case))
    html = page(response)
    assert response.status_code == 200
    assert f"{case.case_number} · 执行文书" in html and "生成文书" in html and "本案尚未生成文书" in html
    assert '<option value="enforcement_notice" selected>' in html
    # no measure on the case: the rulings cannot be made, and the reason is shown
    assert '<option value="ruling_freeze" disabled title="本案没有可写入执行裁定书（冻结）的冻结措施">' in html
    assert "执行裁定书（冻结）（不适用）" in html
    assert "恢复执行通知书只适用于恢复执行（执恢）案件" in html
    assert '<option value="reward_notice">' in html  # a required extra is typed in, not a refusal
    # the case detail page links here
    assert f'href="/documents/cases/{case.pk}/"' in page(client.get(f"/cases/{case.pk}/"))


def test_switching_the_kind_returns_the_form_with_its_own_inputs(client, judge, case):
    client.force_login(judge)
    response = client.get(case_url(case, "form/"), {"kind": "reward_notice"}, HTTP_HX_REQUEST="true")
    html = page(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="panel" id="generate">') and "<html" not in html
    assert '<option value="reward_notice" selected>' in html
    assert 'name="x_reward_amount"' in html and "悬赏金（元）" in html and "悬赏期限至" in html
    assert "财产调查规定第21–24条" in html  # the citation of the chosen kind
    assert 'value="ruling_seal" disabled' in html and "（不适用）" in html
    plain = page(client.get(case_url(case, "form/"), {"kind": "enforcement_notice"}, HTTP_HX_REQUEST="true"))
    assert "x_reward_amount" not in plain


def test_generating_a_notice_adds_version_one_missing_its_seal(client, judge, case):
    client.force_login(judge)
    response = client.post(case_url(case, "generate/"), {"kind": "enforcement_notice"})
    doc = GeneratedDocument.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == f"{case_url(case)}#document-{doc.pk}"
    assert (doc.kind, doc.version, doc.generated_by) == ("enforcement_notice", 1, judge)
    html = page(client.get(response["Location"]))
    assert "已生成执行通知书第1版" in html
    assert f'id="document-{doc.pk}"' in html and "第1版" in html
    assert "缺院印" in html and "缺审判员签名" in html
    assert f"/documents/{doc.pk}/preview/" in html and f"/documents/{doc.pk}/docx/" in html

    again = client.post(case_url(case, "generate/"), {"kind": "enforcement_notice"}, HTTP_HX_REQUEST="true")
    second = GeneratedDocument.objects.get(case=case, version=2)
    assert again.status_code == 200 and again["HX-Redirect"] == f"{case_url(case)}#document-{second.pk}"
    assert again["HX-Refresh"] == "true"  # the same page with a new #fragment: reload it to show the row


def test_a_missing_or_bad_reward_is_a_422_with_the_error_next_to_the_field(client, judge, case):
    client.force_login(judge)
    url = case_url(case, "generate/")
    missing = client.post(url, {"kind": "reward_notice"}, HTTP_HX_REQUEST="true")
    html = page(missing)
    assert missing.status_code == 422
    assert html.lstrip().startswith('<section class="panel" id="generate">')  # htmx swaps the form in place
    assert '<div class="field has-error">\n  <label for="id_x_reward_amount">悬赏金（元）</label>' in html
    assert "这个字段是必填项" in html

    bad = client.post(url, {"kind": "reward_notice", "x_reward_amount": "五千", "x_valid_until": "2026-11-01"})
    html = page(bad)
    assert bad.status_code == 422 and "<html" in html
    assert "“悬赏金（元）”的值 &#x27;五千&#x27; 无效" in html
    assert "“悬赏期限至” 2026-11-01 早于今天" in html
    assert not GeneratedDocument.objects.exists()

    ok = client.post(url, {"kind": "reward_notice", "x_reward_amount": "5,000", "x_valid_until": "2027-01-31"})
    assert ok.status_code == 302
    assert GeneratedDocument.objects.get(case=case).extras == {"reward_amount": 500_000, "valid_until": "2027-01-31"}


def test_a_ruling_without_its_measure_is_refused_by_name(client, judge, case):
    client.force_login(judge)
    response = client.post(case_url(case, "generate/"), {"kind": "ruling_freeze"})
    assert response.status_code == 400
    assert "本案没有可写入执行裁定书（冻结）的冻结措施" in page(response)
    assert not GeneratedDocument.objects.exists()


def test_the_measure_and_the_addressee_are_chosen_from_the_case(client, judge, case):
    from zhixing.property import measures

    respondent = case.parties.get(role="respondent")
    link = measures.asset_register(actor=judge, case=case, kind="bank_deposit", owner_party=respondent,
                                   details={"bank": "中国工商银行北京海淀支行", "account": "6222020200001234",
                                            "balance": "80,000.00"}, found_on=D(2026, 11, 21), found_via="onsite")
    frozen = measures.measure_take(actor=judge, case=case, asset=link.asset, kind="freeze", started_on=D(2026, 11, 23))
    client.force_login(judge)
    form = page(client.get(case_url(case, "form/"), {"kind": "assistance_notice"}, HTTP_HX_REQUEST="true"))
    assert '<option value="assistance_notice" selected>' in form and "（不适用）" in form
    assert f'<option value="{frozen.pk}">冻结 ' in form and "最近一项有效措施" in form
    response = client.post(case_url(case, "generate/"), {"kind": "assistance_notice", "x_measure": frozen.pk,
                                                         "x_addressee": "中国工商银行北京分行"})
    assert response.status_code == 302
    assert GeneratedDocument.objects.get(kind="assistance_notice").extras == {
        "measure": frozen.pk, "addressee": "中国工商银行北京分行"}
    assert client.post(case_url(case, "generate/"), {"kind": "assistance_notice", "x_measure": "999999"}).status_code == 422

    client.post(case_url(case, "generate/"), {"kind": "proof_of_service", "x_addressee": respondent.pk})
    assert GeneratedDocument.objects.get(kind="proof_of_service").extras == {"addressee": respondent.pk}
    nothing = client.post(case_url(case, "generate/"), {"kind": "distribution_plan"})  # nothing paid in yet
    assert nothing.status_code == 400 and "可供分配金额须大于零" in page(nothing)


def test_signing_and_sealing_are_recorded_and_the_row_no_longer_warns(client, judge, case):
    doc = notice(judge, case)
    client.force_login(judge)
    nothing = client.post(f"/documents/{doc.pk}/mark/", {"note": ""}, follow=True)
    assert "请选择签名或用印" in page(nothing)

    response = client.post(f"/documents/{doc.pk}/mark/", {"signed": "on", "sealed": "on", "note": "已送用印"})
    assert response.status_code == 302 and response["Location"].endswith(f"#document-{doc.pk}")
    doc.refresh_from_db()
    assert doc.signed_by == judge and doc.sealed_by == judge and doc.missing_marks == []
    html = page(client.get(case_url(case)))
    assert "已记录执行通知书第1版的签名、用印" in html
    assert "✔ 院印（张法官" in html and "缺院印" not in html and "记录签名、用印" not in html


def test_the_docx_download_is_the_recorded_file_and_is_logged(client, judge, case):
    doc = notice(judge, case)
    client.force_login(judge)
    response = client.get(f"/documents/{doc.pk}/docx/")
    blob = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == DOCX_TYPE
    assert hashlib.sha256(blob).hexdigest() == doc.file_id
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    assert DataAccessLog.objects.filter(user=judge, case=case, kind="document_view").count() == 1


def test_the_pdf_download_and_its_503_page_without_libreoffice(client, judge, case, monkeypatch):
    doc = notice(judge, case)
    client.force_login(judge)
    if shutil.which("soffice") is not None:
        response = client.get(f"/documents/{doc.pk}/pdf/", {"inline": "1"})
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Frame-Options"] == "SAMEORIGIN"  # the preview page shows it in an iframe
        assert DataAccessLog.objects.filter(case=case, kind="document_view").count() == 1

    other = notice(judge, case)  # no PDF made for it yet
    logged = DataAccessLog.objects.count()
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    response = client.get(f"/documents/{other.pk}/pdf/")
    html = page(response)
    assert response.status_code == 503
    assert "无法生成 PDF" in html and "未安装 LibreOffice" in html
    assert f"/documents/{other.pk}/docx/" in html and f"/documents/{other.pk}/preview/?html=1" in html
    assert DataAccessLog.objects.count() == logged  # nothing was shown


def test_the_preview_shows_the_document_as_html(client, judge, case, monkeypatch):
    doc = notice(judge, case)
    client.force_login(judge)
    response = client.get(f"/documents/{doc.pk}/preview/", {"html": "1"})
    html = page(response)
    assert response.status_code == 200
    assert "执行通知书 · 第1版" in html and 'class="docx-preview"' in html
    assert "北京市海淀区人民法院" in html and case.case_number in html and "<iframe" not in html
    assert DataAccessLog.objects.filter(user=judge, case=case, kind="document_view").count() == 1

    monkeypatch.setattr(pdf, "soffice_path", lambda: "/usr/bin/soffice")
    framed = page(client.get(f"/documents/{doc.pk}/preview/"))
    assert f'<iframe class="pdf-preview" src="/documents/{doc.pk}/pdf/?inline=1"' in framed
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    assert 'class="docx-preview"' in page(client.get(f"/documents/{doc.pk}/preview/"))  # no LibreOffice: HTML


def test_a_supervisor_reads_the_documents_but_cannot_generate_or_mark(client, judge, supervisor, case):
    doc = notice(judge, case)
    client.force_login(supervisor)
    response = client.get(case_url(case))
    html = page(response)
    assert response.status_code == 200 and "执行通知书" in html and "第1版" in html
    assert 'id="generate"' not in html and 'name="kind"' not in html and "记录签名、用印" not in html
    assert client.post(case_url(case, "generate/"), {"kind": "enforcement_notice"}).status_code == 403
    assert client.post(f"/documents/{doc.pk}/mark/", {"sealed": "on"}).status_code == 403
    assert GeneratedDocument.objects.count() == 1
    doc.refresh_from_db()
    assert doc.sealed_at is None
    assert client.get(f"/documents/{doc.pk}/preview/", {"html": "1"}).status_code == 200
    batches = page(client.get("/documents/batches/"))
    assert "本院批量任务" in batches and "统计案件数" not in batches
    assert client.post("/documents/batches/", {"kind": "enforcement_notice", "filed_from": "2026-11-20",
                                               "filed_to": "2026-11-20", "counted": "1", "confirm": "1"}).status_code == 403
    assert not DocumentBatch.objects.exists()


def test_a_bailiff_gets_no_forms_for_what_he_may_not_do(client, judge, bailiff, case):
    notice(judge, case)
    client.force_login(bailiff)
    html = page(client.get(case_url(case)))
    assert "第1版" in html and 'id="generate"' not in html and "记录签名、用印" not in html
    refused = client.post(case_url(case, "generate/"), {"kind": "enforcement_notice"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403 and "不能生成文书" in page(refused)


def test_another_court_sees_nothing_of_this_courts_documents(client, judge, bureau_head, other_judge, case,
                                                              django_capture_on_commit_callbacks):
    doc = notice(judge, case)
    own = services.template_upload(actor=bureau_head, court=case.court, kind="enforcement_notice",
                                   blob=services.builtin_blob("enforcement_notice"), file_name="通知.docx")
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create(actor=judge, court=case.court, kind="enforcement_notice", case_ids=[case.pk],
                                      selection="测试")
    client.force_login(other_judge)
    for url in (case_url(case), case_url(case, "form/"), f"/documents/{doc.pk}/docx/", f"/documents/{doc.pk}/pdf/",
                f"/documents/{doc.pk}/preview/?html=1", f"/documents/batches/{batch.pk}/",
                f"/documents/batches/{batch.pk}/zip/", f"/documents/templates/{own.pk}/download/"):
        assert client.get(url).status_code == 404, url
    for url in (case_url(case, "generate/"), f"/documents/{doc.pk}/mark/", f"/documents/templates/{own.pk}/withdraw/"):
        assert client.post(url, {"kind": "enforcement_notice", "sealed": "on"}).status_code == 404, url
    assert f"/documents/batches/{batch.pk}/" not in page(client.get("/documents/batches/"))
    assert "北京市海淀区人民法院第1版" not in page(client.get("/documents/templates/"))
    own.refresh_from_db()
    assert own.withdrawn_at is None and not DataAccessLog.objects.filter(user=other_judge).exists()


# ---------------------------------------------------------------- templates


def test_the_templates_page_lists_versions_and_fields_and_a_judge_cannot_upload(client, judge):
    client.force_login(judge)
    response = client.get("/documents/templates/")
    html = page(response)
    assert response.status_code == 200
    assert "模板与版本" in html and "内置第1版" in html and "字段说明" in html
    assert "<code>case.number</code>" in html and "<code>respondents[].name</code>" in html
    assert "上传本院模板" not in html  # a judge does not manage templates

    refused = client.post("/documents/templates/", {"kind": "enforcement_notice",
                                                    "file": upload("通知.docx", services.builtin_blob("enforcement_notice"))})
    html = page(refused)
    assert refused.status_code == 403
    assert "您的角色（执行法官）不能上传文书模板" in html and 'role="alert"' in html
    assert not DocumentTemplate.objects.filter(court__isnull=False).exists()


def test_a_bureau_head_uploads_a_version_which_is_then_used_and_can_be_withdrawn(client, judge, bureau_head, case):
    client.force_login(bureau_head)
    blob = services.builtin_blob("enforcement_notice")
    response = client.post("/documents/templates/", {"kind": "enforcement_notice", "note": "本院格式",
                                                     "file": upload("执行通知书（本院）.docx", blob)})
    assert response.status_code == 302 and response["Location"] == "/documents/templates/#kind-enforcement_notice"
    own = DocumentTemplate.objects.get(court=case.court)
    assert (own.kind, own.version, own.note, own.uploaded_by) == ("enforcement_notice", 1, "本院格式", bureau_head)
    html = page(client.get("/documents/templates/"))
    assert "已上传执行通知书本院第1版" in html and "北京市海淀区人民法院第1版" in html

    download = client.get(f"/documents/templates/{own.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == blob

    client.force_login(judge)
    form = page(client.get(case_url(case)))
    assert f'<option value="{own.pk}">本院第1版</option>' in form
    client.post(case_url(case, "generate/"), {"kind": "enforcement_notice"})
    assert GeneratedDocument.objects.get(case=case).template == own
    client.post(f"/documents/templates/{own.pk}/withdraw/")  # a judge may not
    own.refresh_from_db()
    assert own.withdrawn_at is None

    client.force_login(bureau_head)
    withdrawn = client.post(f"/documents/templates/{own.pk}/withdraw/", follow=True)
    own.refresh_from_db()
    assert own.withdrawn_at is not None and "已停用执行通知书本院第1版" in page(withdrawn)
    builtin = DocumentTemplate.objects.get(kind="enforcement_notice", court__isnull=True)
    refused = client.post(f"/documents/templates/{builtin.pk}/withdraw/", follow=True)
    assert "内置模板不能停用" in page(refused)


def test_a_template_with_a_misspelt_field_is_refused_naming_it(client, bureau_head):
    client.force_login(bureau_head)
    blob = docx_with("{{ court.name }}（{{ case.numbr }}）{{ respondnts[0].name }}")
    response = client.post("/documents/templates/", {"kind": "enforcement_notice", "file": upload("错字.docx", blob)})
    html = page(response)
    assert response.status_code == 422
    assert "未知字段：case.numbr、respondnts" in html
    assert "可用字段见本页下方“字段说明”" in html
    fields = html.split('<section class="panel" id="fields">', 1)[1]
    assert "<code>case.number</code>" in fields and "<code>respondents</code>" in fields
    assert not DocumentTemplate.objects.filter(court__isnull=False).exists()

    broken = client.post("/documents/templates/", {"kind": "enforcement_notice",
                                                   "file": upload("x.docx", b"not a word file")})
    assert broken.status_code == 422 and "不是有效的 Word（.docx）文件" in page(broken)


# ---------------------------------------------------------------- batches


def test_the_batch_form_counts_then_confirms_and_the_zip_has_one_docx_per_case(client, judge, make_case,
                                                                               django_capture_on_commit_callbacks):
    cases = [make_case(filed_on=TODAY) for _ in range(3)]
    make_case(filed_on=D(2026, 11, 1))  # filed earlier: not selected
    client.force_login(judge)
    form = page(client.get("/documents/batches/"))
    assert "批量生成文书" in form and "统计案件数" in form
    assert 'name="filed_from" value="2026-11-25"' in form and 'name="filed_to" value="2026-11-25"' in form

    data = {"kind": "enforcement_notice", "filed_from": "2026-11-25", "filed_to": "2026-11-25", "status": "open"}
    counted = client.post("/documents/batches/", data)
    html = page(counted)
    assert counted.status_code == 200 and "符合条件的案件：3 件" in html and "开始生成 3 份" in html
    assert not DocumentBatch.objects.exists()

    assert '<input type="hidden" name="counted" value="3">' in html
    widened = client.post("/documents/batches/", data | {"filed_from": "2026-11-01", "counted": "3", "confirm": "1"})
    assert "符合条件的案件：4 件" in page(widened) and "已重新统计" in page(widened)
    assert not DocumentBatch.objects.exists()  # changed after counting: counted again, not started

    with django_capture_on_commit_callbacks(execute=True):  # huey runs at once under pytest
        confirmed = client.post("/documents/batches/", data | {"counted": "3", "confirm": "1"})
    batch = DocumentBatch.objects.get()
    assert confirmed.status_code == 302 and confirmed["Location"] == f"/documents/batches/{batch.pk}/"
    html = page(client.get(confirmed["Location"]))
    assert "已完成" in html and "已生成 3 / 3 份" in html and f"/documents/batches/{batch.pk}/zip/" in html
    assert 'hx-trigger="every 1s"' not in html  # finished: no more polling

    response = client.get(f"/documents/batches/{batch.pk}/zip/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{c.case_number}_执行通知书_第1版.docx" for c in cases)
        for c in cases:
            blob = archive.read(f"{c.case_number}_执行通知书_第1版.docx")
            assert hashlib.sha256(blob).hexdigest() == GeneratedDocument.objects.get(batch=batch, case=c).file_id
    assert DataAccessLog.objects.filter(user=judge, court=batch.court, query=f"批次{batch.pk}").count() == 1


def test_the_batch_form_names_its_errors(client, judge):
    client.force_login(judge)
    response = client.post("/documents/batches/", {"kind": "enforcement_notice", "filed_from": "2026-11-25",
                                                   "filed_to": "2026-11-01"})
    assert response.status_code == 422 and "结束日期早于开始日期" in page(response)
    nothing = client.post("/documents/batches/", {"kind": "enforcement_notice", "filed_from": "2026-11-25",
                                                  "filed_to": "2026-11-25", "counted": "0", "confirm": "1"})
    assert nothing.status_code == 400 and "所选条件下没有案件" in page(nothing)


def test_an_unfinished_batch_polls_and_htmx_gets_only_the_progress(client, judge, case):
    batch = services.batch_create(actor=judge, court=case.court, kind="enforcement_notice", case_ids=[case.pk],
                                  selection="测试", enqueue=False)
    client.force_login(judge)
    html = page(client.get(f"/documents/batches/{batch.pk}/"))
    assert "排队中" in html and 'hx-trigger="every 1s"' in html and "下载 zip" not in html
    partial = page(client.get(f"/documents/batches/{batch.pk}/", HTTP_HX_REQUEST="true"))
    assert partial.lstrip().startswith('<section class="panel" id="batch-progress"') and "<html" not in partial
    services.batch_run(batch.pk)
    done = page(client.get(f"/documents/batches/{batch.pk}/", HTTP_HX_REQUEST="true"))
    assert "已完成" in done and "hx-trigger" not in done and "下载 zip（1 份）" in done
    assert client.get(f"/documents/batches/{batch.pk}/zip/").status_code == 200


def test_the_batch_list_is_paginated(client, judge, courts):
    now = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
    DocumentBatch.objects.bulk_create([
        DocumentBatch(court=courts["court"], kind="enforcement_notice", selection=f"第{i}批", case_ids=[], total=0,
                      status=BatchStatus.DONE, created_by=judge, created_at=now + dt.timedelta(minutes=i))
        for i in range(31)
    ])
    client.force_login(judge)
    first = page(client.get("/documents/batches/"))
    assert "第 1/2 页" in first and "第30批" in first and "第0批" not in first and '?page=2">下一页' in first
    second = page(client.get("/documents/batches/", {"page": "2"}))
    assert "第 2/2 页" in second and "第0批" in second and "第30批" not in second and '?page=1">上一页' in second


def test_a_batch_lists_the_cases_it_could_not_make_with_the_reason(client, judge, case,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create(actor=judge, court=case.court, kind="ruling_freeze", case_ids=[case.pk],
                                      selection="测试")
    client.force_login(judge)
    html = page(client.get(f"/documents/batches/{batch.pk}/"))
    assert "已完成" in html and "已生成 0 / 1 份，1 件未生成" in html and "下载 zip" not in html
    assert "未生成的案件（1）" in html and "本案没有可写入执行裁定书（冻结）的冻结措施" in html
    assert f'<a href="/documents/cases/{case.pk}/">{case.case_number}</a>' in html
    assert client.get(f"/documents/batches/{batch.pk}/zip/").status_code == 404
