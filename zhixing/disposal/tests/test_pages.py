"""The disposal pages: the case page and its forms, refusals shown next to the field, the property-centric
page across courts, the court's lists, visibility and read-only supervisors."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhixing.disposal import auctions, reference, valuation
from zhixing.disposal.models import DisposalPlan, PriceTable, ReferencePrice, Valuation

from .conftest import PRICE_TABLE_CSV, D, register, seal


@pytest.fixture
def logged_in(client):
    def login(user):
        client.force_login(user)
        return client
    return login


def case_url(case):
    return reverse("disposal:case", args=[case.pk])


def test_the_case_page_shows_each_asset_with_the_ladder_and_its_forms(logged_in, judge, case, flat, django_assert_max_num_queries):
    client = logged_in(judge)
    with django_assert_max_num_queries(40):
        response = client.get(case_url(case))
    text = response.content.decode()
    assert response.status_code == 200
    assert "锦园小区3幢501室" in text and "启动参考价期限" in text and "2026-11-11" in text
    assert "① 当事人议价" in text and "法释〔2018〕15号第4条" in text


def test_a_negotiation_through_the_page_fixes_the_price(logged_in, judge, case, flat):
    client = logged_in(judge)
    url = reverse("disposal:asset_action", args=[case.pk, flat.pk, "negotiation"])
    prefix = f"negotiation-{flat.pk}"
    response = client.post(url, {f"{prefix}-applicant_figure": "1,000,000", f"{prefix}-respondent_figure": "1200000",
                                 f"{prefix}-agreed_price": "1100000.00", f"{prefix}-on": "2026-11-25"})
    assert response.status_code == 302 and response["Location"].endswith(f"#asset-{flat.pk}")
    assert ReferencePrice.objects.get().price_fen == 110_000_000
    page = client.get(case_url(case)).content.decode()
    assert "1,100,000.00" in page and "① 当事人议价" not in page  # a valid price: no second one is offered


def test_a_refused_round_comes_back_with_the_rule_next_to_the_field(logged_in, judge, case, flat):
    reference.negotiation_record(actor=judge, case=case, asset=flat, applicant_figure_fen=100_000_000,
                                 respondent_figure_fen=100_000_000, agreed_price_fen=100_000_000, on=D(2026, 10, 20))
    plan = auctions.plan_create(actor=judge, case=case, asset=flat, platform="淘宝网")
    client = logged_in(judge)
    prefix = f"round-{plan.pk}"
    response = client.post(reverse("disposal:row_action", args=["round", plan.pk]), {
        f"{prefix}-starting_price": "699,000", f"{prefix}-deposit": "70000", f"{prefix}-increment": "5000",
        f"{prefix}-announce_on": "2026-11-25", f"{prefix}-parties_notified_on": "2026-11-20",
        f"{prefix}-starts_at": "2026-12-25T10:00", f"{prefix}-ends_at": "2026-12-26T10:00"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "低于参考价 1,000,000.00 元的70%" in text and "法释〔2016〕18号第10条" in text
    assert not plan.rounds.exists()
    response = client.post(reverse("disposal:row_action", args=["round", plan.pk]), {
        f"{prefix}-starting_price": "700,000", f"{prefix}-deposit": "70000", f"{prefix}-increment": "5000",
        f"{prefix}-announce_on": "2026-11-25", f"{prefix}-parties_notified_on": "2026-11-20",
        f"{prefix}-starts_at": "2026-12-25T10:00", f"{prefix}-ends_at": "2026-12-26T10:00"})
    assert response.status_code == 302
    r = plan.rounds.get()
    assert r.starts_at.hour == 2  # 10:00 in Beijing is 02:00 UTC
    package = client.post(reverse("disposal:row_action", args=["package", r.pk]))
    assert package.status_code == 302
    download = client.get(reverse("disposal:package_download", args=[r.packages.get().pk]))
    assert download.status_code == 200 and "listing.json" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()


def test_another_courts_judge_gets_404_and_a_supervisor_reads_without_forms(logged_in, other_judge, supervisor, case, flat):
    assert logged_in(other_judge).get(case_url(case)).status_code == 404
    response = logged_in(supervisor).get(case_url(case))
    assert response.status_code == 200 and "① 当事人议价" not in response.content.decode()
    post = logged_in(supervisor).post(reverse("disposal:asset_action", args=[case.pk, flat.pk, "negotiation"]), {})
    assert post.status_code == 403


def test_the_case_detail_page_has_the_disposal_line(logged_in, judge, case, flat):
    text = logged_in(judge).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "财产处置" in text and "尚未启动确定参考价" in text


def test_the_asset_page_shows_every_case_claiming_the_asset_in_queue_order(logged_in, judge, other_judge, case, flat, make_case):
    other_case = make_case(actor=other_judge, filed_on=D(2026, 3, 2))
    other_flat = register(other_judge, other_case)
    assert other_flat == flat  # the same flat, found by another court
    seal(other_judge, other_case, other_flat, on=D(2026, 11, 2))
    reference.negotiation_record(actor=judge, case=case, asset=flat, applicant_figure_fen=1, respondent_figure_fen=1,
                                 agreed_price_fen=123_456_700)
    url = reverse("disposal:asset", args=[flat.pk])
    mine = logged_in(judge).get(url).content.decode()
    assert mine.index(case.case_number) < mine.index(other_case.case_number)  # first seizure first
    assert "1,234,567.00" in mine and "北京市西城区人民法院" in mine
    theirs = logged_in(other_judge).get(url).content.decode()
    assert case.case_number in theirs and "1,234,567.00" not in theirs  # another court's price stays hidden


def test_the_asset_page_is_404_to_who_sees_no_claiming_case(logged_in, other_judge, flat):
    assert logged_in(other_judge).get(reverse("disposal:asset", args=[flat.pk])).status_code == 404


def test_the_court_imports_a_table_runs_the_batch_and_reads_the_log(logged_in, command_centre, judge, case, flat):
    client = logged_in(command_centre)
    upload = SimpleUploadedFile("基准价.csv", PRICE_TABLE_CSV.encode(), content_type="text/csv")
    response = client.post(reverse("disposal:price_import"), {"kind": "real_estate", "file": upload,
                                                               "effective_from": "2026-01-01", "source": "温岭市税务局"})
    assert response.status_code == 302 and PriceTable.objects.count() == 1
    response = client.post(reverse("disposal:batch_run"))
    assert response.status_code == 302
    assert "112,778,537" not in client.get(response["Location"]).content.decode()  # shown in yuan
    assert "1,127,785.37" in client.get(response["Location"]).content.decode()
    valuation.flat_lookup(actor=judge, case=case, asset=flat)
    assert client.get(reverse("disposal:lookups")).content.decode().count(case.case_number) == 2  # the centre: all
    assert logged_in(judge).get(reverse("disposal:lookups")).content.decode().count(case.case_number) == 1  # own only


def test_a_bad_table_file_is_refused_with_its_rows(logged_in, command_centre):
    upload = SimpleUploadedFile("t.csv", "记录类型,小区\n楼幢,锦园小区\n".encode(), content_type="text/csv")
    response = logged_in(command_centre).post(reverse("disposal:price_import"), {
        "kind": "real_estate", "file": upload, "effective_from": "2026-01-01", "source": "税务局"})
    assert response.status_code == 422 and "第2行" in response.content.decode()


def test_the_plans_list_filters_and_pages(logged_in, judge, case, flat):
    reference.negotiation_record(actor=judge, case=case, asset=flat, applicant_figure_fen=1, respondent_figure_fen=1,
                                 agreed_price_fen=100)
    auctions.plan_create(actor=judge, case=case, asset=flat, platform="京东网")
    client = logged_in(judge)
    assert case.case_number in client.get(reverse("disposal:home")).content.decode()
    assert case.case_number not in client.get(reverse("disposal:home") + "?status=sold").content.decode()
    assert DisposalPlan.objects.count() == 1


def test_a_lookup_over_the_limit_is_shown_on_the_page(logged_in, judge, case, flat, price_table, courts):
    from zhixing.disposal.models import DisposalSettings

    DisposalSettings.objects.create(court=courts["court"], daily_lookup_limit=1)
    client = logged_in(judge)
    url = reverse("disposal:asset_action", args=[case.pk, flat.pk, "lookup_flat"])
    assert client.post(url, {}).status_code == 302
    refused = client.post(url, {})
    assert refused.status_code == 429 and "每人每日1次的上限" in refused.content.decode()
    assert Valuation.objects.count() == 1
