"""Generating documents from a case: the record (version, template, hash, log), the fields filled
from the case, refusals that name the rule, signing and sealing, court templates and batches."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from docx import Document

from zhixing.cases.choices import CaseStatus, CaseType, LogAction
from zhixing.cases.exceptions import DomainError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.models import DataAccessLog, EnforcementCase, LogEntry, NodeRecord
from zhixing.documents import services
from zhixing.documents.formatting import amount_capital
from zhixing.documents.models import BatchStatus, DocumentBatch, DocumentTemplate, GeneratedDocument
from zhixing.documents.rules import DOCUMENT_KINDS
from zhixing.property import measures
from zhixing.property.assets import case_asset_link

from .conftest import docx_text, table_rows

D = dt.date
FILED = D(2026, 6, 2)
BANK = {"bank": "中国工商银行北京海淀支行", "account": "6222020200001234", "balance": "80,000.00"}
FLAT = {"certificate_number": "京(2020)海淀区不动产权第0001234号", "address": "北京市海淀区某路1号", "area": "89.5"}


@pytest.fixture
def case(make_case):
    return make_case(filed_on=FILED, amount_fen=12_345_678)


def respondent(case):
    return case.parties.get(role="respondent")


def freeze(actor, case, details=BANK, kind="bank_deposit", measure="freeze", started_on=None, **kw):
    link = measures.asset_register(actor=actor, case=case, kind=kind, details=details, owner_party=respondent(case),
                                   found_on=D(2026, 6, 20), found_via="onsite")
    return measures.measure_take(actor=actor, case=case, asset=link.asset, kind=measure,
                                 started_on=started_on or D(2026, 7, 1), **kw)


def text_of(doc: GeneratedDocument) -> str:
    return docx_text(bytes(doc.file.content))


# ---------------------------------------------------------------- one document


def test_a_notice_is_filled_from_the_case_and_recorded_with_its_hash(judge, case):
    doc = services.document_generate(actor=judge, case=case, kind="enforcement_notice")
    text = text_of(doc)
    party = respondent(case)
    assert "北京市海淀区人民法院" in text and case.case_number in text and party.name in text
    assert "人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分" in text and "123,456.78元" in text
    assert "二〇二六年十一月二十五日" in text  # the date under the seal, in characters
    assert "{{" not in text and "{%" not in text
    assert doc.version == 1 and doc.number == case.case_number and doc.generated_by == judge
    assert doc.file_id == hashlib.sha256(bytes(doc.file.content)).hexdigest()
    entry = LogEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry.action == LogAction.DOCUMENT and entry.actor == judge
    assert entry.after["sha256"] == doc.file_id and entry.after["template"] == doc.template_id
    assert doc.template.court_id is None and doc.template.version >= 1


def test_regenerating_makes_a_new_version_and_keeps_the_old(judge, case):
    first = services.document_generate(actor=judge, case=case, kind="property_report_order")
    second = services.document_generate(actor=judge, case=case, kind="property_report_order")
    assert (first.version, second.version) == (1, 2)
    assert GeneratedDocument.objects.filter(case=case, kind="property_report_order").count() == 2
    assert LogEntry.objects.filter(case=case, action=LogAction.DOCUMENT).count() == 2


def test_party_lines_give_sex_birth_and_id_and_a_company_its_code(judge, make_case):
    person_case = make_case(filed_on=FILED)
    company_case = make_case(filed_on=FILED, respondent_kind="legal_person")
    person, company = respondent(person_case), respondent(company_case)
    text = text_of(services.document_generate(actor=judge, case=person_case, kind="enforcement_notice"))
    sex = "男" if int(person.id_number[16]) % 2 else "女"
    born = dt.date(int(person.id_number[6:10]), int(person.id_number[10:12]), int(person.id_number[12:14]))
    assert f"{person.name}，{sex}，{born.year}年{born.month}月{born.day}日出生，公民身份号码{person.id_number}" in text
    text = text_of(services.document_generate(actor=judge, case=company_case, kind="enforcement_notice"))
    assert f"统一社会信用代码{company.credit_code}" in text and "法定代表人：周某" in text


def test_a_freeze_ruling_lists_the_freezes_and_is_refused_without_one(judge, case):
    with pytest.raises(DomainError, match="冻结"):
        services.document_generate(actor=judge, case=case, kind="ruling_freeze")
    freeze(judge, case, amount_fen=5_000_000)
    text = text_of(services.document_generate(actor=judge, case=case, kind="ruling_freeze"))
    assert "6222020200001234" in text and "人民币伍万元整" in text and "2027年6月30日" in text  # one year (CPL-JI 485)
    assert "执行裁定书" in text and "执行裁定书（冻结）" not in text


def test_an_assistance_notice_goes_to_the_bank_or_to_the_typed_addressee(judge, case):
    m = freeze(judge, case)
    doc = services.document_generate(actor=judge, case=case, kind="assistance_notice")
    assert "\n中国工商银行北京海淀支行：" in text_of(doc)  # the addressee line, not just the asset's description
    flat = freeze(judge, case, details=FLAT, kind="real_estate", measure="seal")
    doc = services.document_generate(actor=judge, case=case, kind="assistance_notice", extras={"measure": flat.pk})
    assert "\n不动产登记中心：" in text_of(doc) and "京(2020)海淀区不动产权第0001234号" in text_of(doc)
    doc = services.document_generate(actor=judge, case=case, kind="assistance_notice",
                                     extras={"measure": m.pk, "addressee": "中国工商银行北京分行"})
    assert "\n中国工商银行北京分行：" in text_of(doc) and doc.extras == {"measure": m.pk, "addressee": "中国工商银行北京分行"}


def test_extras_are_checked_by_name(judge, case, make_case):
    with pytest.raises(ValidationFailed) as err:
        services.document_generate(actor=judge, case=case, kind="reward_notice", extras={})
    assert err.value.errors[0].field == "extras.reward_amount"
    with pytest.raises(ValidationFailed) as err:
        services.document_generate(actor=judge, case=case, kind="reward_notice", extras={"reward_amount": "五千"})
    assert "悬赏金" in err.value.errors[0].message
    other = make_case(filed_on=FILED)
    m = freeze(judge, other)
    with pytest.raises(ValidationFailed) as err:  # another case's measure is not this case's
        services.document_generate(actor=judge, case=case, kind="assistance_notice", extras={"measure": m.pk})
    assert err.value.errors[0].field == "extras.measure"
    doc = services.document_generate(actor=judge, case=case, kind="reward_notice",
                                     extras={"reward_amount": "5,000.05", "valid_until": "2027-01-31"})
    assert doc.extras["reward_amount"] == 500_005
    assert "人民币伍仟元零伍分" in text_of(doc) and "2027年1月31日" in text_of(doc)


def test_restoration_notice_only_for_a_restored_case_and_names_the_original(judge, make_case):
    original = make_case(filed_on=D(2025, 3, 3))
    EnforcementCase.objects.filter(pk=original.pk).update(status=CaseStatus.CLOSED, closing_type="terminate_current",
                                                          closed_on=D(2025, 9, 30))
    with pytest.raises(DomainError, match="恢复执行"):
        services.document_generate(actor=judge, case=original, kind="restoration_notice")
    restored = make_case(filed_on=FILED, case_type="执恢")
    EnforcementCase.objects.filter(pk=restored.pk).update(origin_case=original)
    restored.refresh_from_db()
    assert restored.case_type == CaseType.RESTORED
    text = text_of(services.document_generate(actor=judge, case=restored, kind="restoration_notice"))
    assert original.case_number in text and "终结本次执行程序" in text and "2025年9月30日" in text


def test_the_element_style_zhongben_ruling_tabulates_investigation_measures_and_sanctions(judge, case):
    from zhixing.cases import services as case_services

    case_services.node_record(actor=judge, case=case, node_code="consumption_restriction", occurred_on=D(2026, 6, 10))
    freeze(judge, case)
    doc = services.document_generate(actor=judge, case=case, kind="zhongben_ruling")
    rows = table_rows(bytes(doc.file.content))
    flat = ["|".join(r) for r in rows]
    assert any("银行存款" in r and respondent(case).name in r for r in flat)  # an investigation row per item
    assert any("冻结" in r and "6222020200001234" in r for r in flat)
    assert any("发出限制消费令" in r and "2026年6月10日" in r for r in flat)


def test_distribution_plan_shares_pro_rata_with_another_case_on_the_same_flat(judge, case, make_case):
    EnforcementCase.objects.filter(pk=case.pk).update(claim_amount_fen=12_000_000)
    other = make_case(filed_on=FILED, amount_fen=8_000_000)
    first = freeze(judge, case, details=FLAT, kind="real_estate", measure="seal", started_on=D(2026, 7, 1))
    # the other case's seal on the same flat queues behind (轮候)
    case_asset_link(case=other, asset=first.asset, found_on=D(2026, 7, 2), found_via="onsite")
    measures.measure_take(actor=judge, case=other, asset=first.asset, kind="seal", started_on=D(2026, 7, 2))
    case.refresh_from_db()
    doc = services.document_generate(actor=judge, case=case, kind="distribution_plan",
                                     extras={"available": "100,000.00", "costs": "1,500.00"})
    text = text_of(doc)
    # 98,500 shared 120,000 : 80,000 → 59,100 and 39,400 (CPL-JI Art. 508)
    assert "59,100.00元" in text and "39,400.00元" in text and other.case_number in text
    assert amount_capital(5_910_000) in text and "49.25%" in text
    assert "收到分配方案之日起十五日内" in text  # rules.DISTRIBUTION_OBJECTION_DAYS (CPL-JI Art. 509)
    with pytest.raises(DomainError, match="执行费用"):
        services.document_generate(actor=judge, case=case, kind="distribution_plan",
                                   extras={"available": "100.00", "costs": "200.00"})


def test_generation_is_refused_to_other_courts_supervisors_and_bailiffs(case, other_judge, supervisor, bailiff):
    with pytest.raises(NotFound):
        services.document_generate(actor=other_judge, case=case, kind="enforcement_notice")
    with pytest.raises(NotAllowed):
        services.document_generate(actor=supervisor, case=case, kind="enforcement_notice")
    with pytest.raises(NotAllowed, match="生成文书"):
        services.document_generate(actor=bailiff, case=case, kind="enforcement_notice")
    assert not GeneratedDocument.objects.exists()


# ---------------------------------------------------------------- signing and sealing


def test_sealing_and_signing_are_recorded_once_as_a_node(judge, clerk, case):
    doc = services.document_generate(actor=judge, case=case, kind="enforcement_notice")
    assert doc.missing_marks == ["院印", "审判员签名"]
    doc = services.document_mark(actor=clerk, document=doc, sealed=True)
    assert doc.missing_marks == ["审判员签名"] and doc.sealed_by == clerk
    doc = services.document_mark(actor=judge, document=doc, signed=True, sealed=True)  # the seal is not re-recorded
    assert doc.missing_marks == [] and doc.sealed_by == clerk
    assert NodeRecord.objects.filter(case=case, node_code="document_marked").count() == 2
    services.document_mark(actor=judge, document=doc, signed=True)  # a retry changes nothing
    assert LogEntry.objects.filter(case=case, action=LogAction.DOCUMENT_MARK).count() == 2
    service = services.document_generate(actor=judge, case=case, kind="proof_of_service")
    with pytest.raises(DomainError, match="不加盖院印"):
        services.document_mark(actor=clerk, document=service, sealed=True)
    assert services.document_mark(actor=clerk, document=service, signed=True).missing_marks == []


# ---------------------------------------------------------------- court templates


def _template_with(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_court_template_with_a_misspelt_field_is_refused_with_the_bad_and_known_fields(bureau_head, courts):
    blob = _template_with("{{ court.name }}", "案号：{{ case.numbr }}", "{% for p in respondents %}{{ p.nmae }}{% endfor %}")
    with pytest.raises(ValidationFailed) as err:
        services.template_upload(actor=bureau_head, court=courts["court"], kind="enforcement_notice", blob=blob,
                                 file_name="通知书.docx")
    message = str(err.value)
    assert "case.numbr" in message and "respondents[].nmae" in message
    assert any("case.number" in e.message for e in err.value.errors)  # the known ones are listed
    assert not DocumentTemplate.objects.filter(court=courts["court"]).exists()


def test_broken_files_and_tags_are_refused(bureau_head, courts):
    for blob, expected in ((b"not a word file", "Word"), (_template_with("{% for x in %}"), "模板标记")):
        with pytest.raises(ValidationFailed, match=expected):
            services.template_upload(actor=bureau_head, court=courts["court"], kind="enforcement_notice", blob=blob,
                                     file_name="x.docx")


def test_a_court_version_is_used_and_the_previous_stays_usable(bureau_head, judge, case, courts):
    v1 = services.template_upload(actor=bureau_head, court=courts["court"], kind="enforcement_notice",
                                  blob=_template_with("本院通知 {{ case.number }}"), file_name="v1.docx")
    v2 = services.template_upload(actor=bureau_head, court=courts["court"], kind="enforcement_notice",
                                  blob=_template_with("本院新版 {{ case.number }} {{ case.outstanding_amount_capital }}"),
                                  file_name="v2.docx")
    assert (v1.version, v2.version) == (1, 2)
    doc = services.document_generate(actor=judge, case=case, kind="enforcement_notice")
    assert doc.template == v2 and "本院新版" in text_of(doc)
    old = services.document_generate(actor=judge, case=case, kind="enforcement_notice", template_id=v1.pk)
    assert old.template == v1 and "本院通知" in text_of(old)
    services.template_withdraw(actor=bureau_head, template=v2)
    assert services.document_generate(actor=judge, case=case, kind="enforcement_notice").template == v1


def test_only_court_leaders_upload_templates(judge, courts):
    with pytest.raises(NotAllowed, match="上传文书模板"):
        services.template_upload(actor=judge, court=courts["court"], kind="enforcement_notice",
                                 blob=_template_with("{{ case.number }}"), file_name="x.docx")


def test_a_changed_builtin_file_becomes_a_new_builtin_version(db, monkeypatch):
    services.builtin_sync()
    before = DocumentTemplate.objects.get(kind="enforcement_notice", court__isnull=True)
    assert services.builtin_sync() == 0  # unchanged files add nothing
    monkeypatch.setattr(services, "builtin_blob", lambda kind: _template_with(f"新版 {kind} {{{{ case.number }}}}"))
    assert services.builtin_sync() == len(DOCUMENT_KINDS)
    after = DocumentTemplate.objects.filter(kind="enforcement_notice", court__isnull=True).order_by("-version").first()
    assert after.version == before.version + 1 and DocumentTemplate.objects.filter(pk=before.pk).exists()


# ---------------------------------------------------------------- batches


def test_a_batch_makes_one_notice_per_case_and_a_rerun_makes_none_again(judge, make_case, courts):
    cases = [make_case(filed_on=D(2026, 11, 25)) for _ in range(3)]
    batch = services.batch_create(actor=judge, court=courts["court"], kind="enforcement_notice",
                                  case_ids=[c.pk for c in cases], selection="今日立案")
    batch = services.batch_run(batch.pk)  # the test's transaction never commits, so the queued job never starts
    assert batch.status == BatchStatus.DONE and batch.done_count == 3 and batch.percent == 100
    DocumentBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED)  # as if it had died: a retry resumes
    services.batch_run(batch.pk)
    assert GeneratedDocument.objects.filter(batch=batch).count() == 3
    for c in cases:
        doc = GeneratedDocument.objects.get(batch=batch, case=c)
        assert c.case_number in text_of(doc)
        assert LogEntry.objects.filter(case=c, action=LogAction.DOCUMENT).count() == 1


def test_a_batch_lists_the_cases_it_could_not_make(judge, make_case, courts):
    plain = make_case(filed_on=FILED)
    frozen = make_case(filed_on=FILED)
    freeze(judge, frozen)
    batch = services.batch_create(actor=judge, court=courts["court"], kind="ruling_freeze",
                                  case_ids=[plain.pk, frozen.pk], selection="测试")
    batch = services.batch_run(batch.pk)
    assert batch.done_count == 1
    assert batch.skipped == [{"case_id": plain.pk, "case": plain.case_number, "reason": "本案没有可写入执行裁定书（冻结）的冻结措施"}]


def test_a_batch_refuses_another_courts_cases_and_oversized_selections(judge, make_case, other_judge, courts, monkeypatch):
    mine, theirs = make_case(filed_on=FILED), make_case(actor=other_judge, filed_on=FILED)
    with pytest.raises(NotFound):
        services.batch_create(actor=judge, court=courts["court"], kind="enforcement_notice",
                              case_ids=[mine.pk, theirs.pk], selection="x")
    monkeypatch.setattr(services, "MAX_BATCH_CASES", 1)
    with pytest.raises(DomainError, match="最多"):
        services.batch_create(actor=judge, court=courts["court"], kind="enforcement_notice",
                              case_ids=[mine.pk, mine.pk + 1000], selection="x")
    assert not DocumentBatch.objects.exists()


def test_viewing_is_logged_as_a_personal_data_lookup(judge, case, client):
    doc = services.document_generate(actor=judge, case=case, kind="enforcement_notice")
    client.force_login(judge)
    response = client.get(f"/documents/{doc.pk}/docx/")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    assert DataAccessLog.objects.filter(user=judge, case=case, kind="document_view").count() == 1
