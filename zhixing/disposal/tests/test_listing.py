"""One-click listing: the package of a round in one action — JSON, XLSX and the three documents in a ZIP,
filled from the case, logged with its hash, in well under 2 seconds."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile

import docx
import pytest
from openpyxl import load_workbook

from zhixing.cases.exceptions import DomainError, NotAllowed, NotFound
from zhixing.cases.models import LogEntry
from zhixing.disposal import auctions, doc_templates, listing

from .conftest import D, register, seal
from .test_auctions import first_round


@pytest.fixture
def round_(judge, case, flat):
    from zhixing.disposal import reference

    reference.negotiation_record(actor=judge, case=case, asset=flat, applicant_figure_fen=100_000_000,
                                 respondent_figure_fen=100_000_000, agreed_price_fen=100_000_000, on=D(2026, 10, 20))
    plan = auctions.plan_create(actor=judge, case=case, asset=flat, platform="淘宝网", viewing="每周三上午现场看样",
                                encumbrances="中国工商银行温岭支行抵押", taxes="买卖双方各自承担", priority_holders="承租人李某",
                                contact="王法官 0576-86000000")
    return first_round(judge, plan)


def text_of(blob: bytes) -> str:
    document = docx.Document(io.BytesIO(blob))
    return "\n".join(p.text for p in document.paragraphs)


def test_the_package_holds_the_listing_data_and_three_documents(judge, make_case, case, round_):
    other = make_case(filed_on=D(2026, 3, 2))
    seal(judge, other, register(judge, other))  # another creditor's queued seizure: an encumbrance and a notice
    started = time.perf_counter()
    package = listing.listing_package_generate(actor=judge, round=round_)
    assert time.perf_counter() - started < 2.0
    archive = zipfile.ZipFile(io.BytesIO(bytes(package.file.content)))
    names = archive.namelist()
    assert names == ["listing.json", "listing.xlsx", "01-执行裁定书（拍卖）.docx", "02-拍卖公告.docx", "03-拍卖通知书.docx"]
    data = json.loads(archive.read("listing.json"))
    assert data["round"]["starting_price_fen"] == 70_000_000 and data["reference_price"]["price_fen"] == 100_000_000
    assert data["asset"]["details"]["坐落"] == "浙江省温岭市太平街道锦园小区3幢501室"
    assert data["viewing"] == "每周三上午现场看样" and data["taxes"] == "买卖双方各自承担"
    assert [m["case_number"] for m in data["encumbrances"]["other_measures"]] == [other.case_number]
    assert package.fields == len(listing.flatten(data)) > 60
    sheet = load_workbook(io.BytesIO(archive.read("listing.xlsx"))).active
    assert sheet.max_row == package.fields + 1

    ruling, announcement, notice = (text_of(archive.read(n)) for n in names[2:])
    for text in (ruling, announcement, notice):
        assert not re.search(r"\{\{|\{%|%\}|\}\}", text)
        assert case.case_number in text and case.court.name in text
    assert "拍卖被执行人" in ruling and "锦园小区3幢501室" in ruling and "人民币壹佰万元整" in ruling
    assert "起拍价人民币柒拾万元整（700,000.00元）" in announcement and "淘宝网" in announcement
    assert "拍卖30日前公告" not in announcement and "拍卖三十日前公告" in announcement
    assert "承租人李某" in notice and other.case_number in notice and case.applicant_names in notice


def test_each_package_is_a_version_logged_with_its_hash(judge, case, round_):
    first = listing.listing_package_generate(actor=judge, round=round_)
    second = listing.listing_package_generate(actor=judge, round=round_)
    assert (first.version, second.version) == (1, 2)
    entry = LogEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry.after["sha256"] == second.file_id and "生成挂拍材料第2版" in entry.summary


def test_no_package_for_a_round_that_is_over(judge, round_):
    auctions.round_withdraw(actor=judge, round=round_, reason="和解")
    with pytest.raises(DomainError):
        listing.listing_package_generate(actor=judge, round=round_)


def test_who_may_make_and_see_a_package(judge, bailiff, other_judge, round_):
    with pytest.raises(NotAllowed):
        listing.listing_package_generate(actor=bailiff, round=round_)
    package = listing.listing_package_generate(actor=judge, round=round_)
    with pytest.raises(NotFound):
        listing.package_get_for_user(user=other_judge, pk=package.pk)


def test_the_generator_reproduces_the_committed_templates(tmp_path):
    from zhixing.documents.render import template_source

    for path in doc_templates.build_all(tmp_path):
        assert template_source(path.read_bytes()) == template_source(doc_templates.blob(path.stem)), path.name
