"""归档 needs a complete dossier for the closing type and the money account at zero or explained."""

from __future__ import annotations

import pytest

from zhixing.cases import services as case_services
from zhixing.closing import archiving
from zhixing.closing.archiving import ArchiveRefused
from zhixing.documents import services as documents
from zhixing.money import services as money

from .conftest import TODAY, D, at


def test_a_zhongben_case_is_archived_only_with_its_signed_and_sealed_ruling(closed_zhongben, judge, clerk):
    case = closed_zhongben(D(2026, 11, 2))
    with pytest.raises(ArchiveRefused) as exc:
        case_services.case_archive(actor=clerk, case=case)
    assert exc.value.http_status == 409 and "终结本次执行程序裁定书" in exc.value.message and "未生成" in exc.value.message
    ruling = documents.document_generate(actor=judge, case=case, kind="zhongben_ruling")
    with pytest.raises(ArchiveRefused, match="未签名或未用印"):
        case_services.case_archive(actor=clerk, case=case)
    documents.document_mark(actor=judge, document=ruling, signed=True, sealed=True)
    archived = case_services.case_archive(actor=clerk, case=case)
    assert archived.status == "archived"


def test_money_left_in_the_account_must_be_explained(make_case, judge, clerk, finance):
    case = make_case(amount_fen=1_000_000, filed_on=D(2026, 11, 2))
    money.receipt_record(actor=finance, court_id=case.court_id, amount_fen=1_000_000, received_on=TODAY, case=case,
                         bank_reference="B-0001")
    case_services.case_close(actor=judge, case=case, closing_type="performed", performed_amount_fen=1_000_000)
    readiness = archiving.archive_readiness(case)
    assert readiness.dossier_ok and not readiness.money_ok and readiness.balance_fen == 1_000_000
    with pytest.raises(ArchiveRefused, match="10,000.00 元未发放完毕"):
        case_services.case_archive(actor=clerk, case=case)
    archiving.explanation_record(actor=judge, case=case, text="申请执行人账户被冻结，款项暂存，待解冻后发放")
    assert case_services.case_archive(actor=clerk, case=case).status == "archived"


def test_an_explanation_is_refused_when_nothing_is_left(make_case, judge):
    from zhixing.cases.exceptions import DomainError

    case = make_case(amount_fen=1_000_000, filed_on=D(2026, 11, 2))
    case_services.case_close(actor=judge, case=case, closing_type="performed", performed_amount_fen=1_000_000)
    with pytest.raises(DomainError, match="无需说明"):
        archiving.explanation_record(actor=judge, case=case, text="无")


def test_the_element_style_ruling_tabulates_the_same_check(closed_zhongben, judge):
    import io

    from docx import Document

    from zhixing.closing import checks

    case = closed_zhongben(D(2026, 11, 2))
    with at(TODAY):
        doc = documents.document_generate(actor=judge, case=case, kind="zhongben_ruling")
    rows = [[c.text for c in r.cells] for t in Document(io.BytesIO(bytes(doc.file.content))).tables for r in t.rows]
    check = checks.zhongben_check(case)
    for result in check.results:
        assert [result.condition.title, result.condition.article, result.state_label] in [r[:3] for r in rows]
