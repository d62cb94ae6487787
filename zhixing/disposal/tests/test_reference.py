"""The reference-price ladder in its legal order, online inquiry averages, appraisal, service, the
objection window and the Wenling objection → appraisal path, validity — dates worked out by hand.
Today is Wednesday 2026-11-25; the flat was sealed on Monday 2026-10-12."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.cases.exceptions import DomainError, NotAllowed, ValidationFailed
from zhixing.cases.models import LogEntry, NodeRecord
from zhixing.disposal import inquiries, reference, valuation
from zhixing.disposal.choices import ObjectionOutcome, PriceStatus
from zhixing.disposal.models import ReferencePrice
from zhixing.disposal.rules import INQUIRY_PLATFORMS

from .conftest import D, register, respondent

EQUITY = {"company": "温岭某某机械有限公司", "company_credit_code": "91331081MA2AAAAA1X", "share": "30%"}


def negotiate(judge, case, asset, agreed=None, on=None):
    return reference.negotiation_record(actor=judge, case=case, asset=asset, applicant_figure_fen=120_000_000,
                                        respondent_figure_fen=150_000_000, agreed_price_fen=agreed, on=on)


def nodes(case, code):
    return list(NodeRecord.objects.filter(case=case, node_code=code).values_list("occurred_on", flat=True))


# ---------------------------------------------------------------- the order of the ladder


def test_negotiation_comes_first_and_an_appraisal_straight_away_is_refused(judge, case, flat):
    with pytest.raises(DomainError) as refused:
        reference.appraisal_commission(actor=judge, case=case, asset=flat, institution="某评估公司", selection="lottery")
    assert refused.value.code == "ladder_refused"
    assert "当事人议价、定向询价、网络询价" in refused.value.message and "法释〔2018〕15号" in refused.value.message


def test_each_rung_opens_when_the_one_below_failed(judge, case, flat, price_table):
    with pytest.raises(DomainError):  # directed inquiry before the negotiation failed
        reference.directed_inquiry_record(actor=judge, case=case,
                                          valuation=valuation.flat_lookup(actor=judge, case=case, asset=flat))
    failed = negotiate(judge, case, flat)
    assert failed.status == PriceStatus.FAILED and "议价不成" in failed.failure_reason
    lookup = valuation.flat_lookup(actor=judge, case=case, asset=flat)
    ref = reference.directed_inquiry_record(actor=judge, case=case, valuation=lookup)
    assert (ref.status, ref.price_fen, ref.follows) == (PriceStatus.RESULT, 112_778_537, failed)
    assert "温岭市税务局不动产（楼幢基准价）价格表第1版" in ref.source


def test_a_ground_skips_a_rung_and_must_be_explained(judge, case, flat, price_table):
    lookup = valuation.flat_lookup(actor=judge, case=case, asset=flat)
    with pytest.raises(ValidationFailed) as unexplained:
        reference.directed_inquiry_record(actor=judge, case=case, valuation=lookup, grounds=["party_refused"])
    assert unexplained.value.errors[0].field == "ground_note"
    ref = reference.directed_inquiry_record(actor=judge, case=case, valuation=lookup, grounds=["party_refused"],
                                            ground_note="被执行人下落不明")
    assert ref.status == PriceStatus.RESULT and ref.grounds == ["party_refused"]


def test_a_ground_the_method_does_not_accept_is_refused_with_those_it_does(judge, case, flat):
    with pytest.raises(DomainError) as refused:
        reference.online_inquiry_send(actor=judge, case=case, asset=flat, grounds=["needs_inspection"], ground_note="x")
    assert "网络询价不适用理由：财产须由专业人员现场勘验或鉴定" in refused.value.message


def test_an_asset_without_a_tax_base_price_skips_the_directed_inquiry(judge, case, django_capture_on_commit_callbacks):
    equity = register(judge, case, kind="equity", details=EQUITY)
    from zhixing.property import measures

    measures.measure_take(actor=judge, case=case, asset=equity, kind="freeze", started_on=D(2026, 10, 12))
    negotiate(judge, case, equity)
    with django_capture_on_commit_callbacks(execute=True):
        ref = reference.online_inquiry_send(actor=judge, case=case, asset=equity)  # no directed price for equity
    assert ref.status == PriceStatus.IN_PROGRESS and ref.platforms == list(INQUIRY_PLATFORMS)


def test_no_second_rung_while_one_is_in_progress_or_a_price_stands(judge, case, flat):
    negotiate(judge, case, flat, agreed=130_000_000)
    with pytest.raises(DomainError) as refused:
        negotiate(judge, case, flat, agreed=140_000_000)
    assert "已有有效参考价" in refused.value.message


def test_a_queued_seizure_cannot_fix_a_price(judge, make_case, flat):
    second = make_case(filed_on=D(2026, 3, 2))
    from .conftest import seal

    seal(judge, second, register(judge, second))  # queued behind the first case
    with pytest.raises(DomainError) as refused:
        negotiate(judge, second, flat)
    assert refused.value.code == "asset_not_held"


def test_only_judges_and_assistants_fix_prices_and_supervisors_never(clerk, supervisor, case, flat):
    with pytest.raises(NotAllowed):
        negotiate(clerk, case, flat)
    with pytest.raises(NotAllowed):
        negotiate(supervisor, case, flat)


# ---------------------------------------------------------------- deadlines, nodes, log


def test_the_first_rung_records_appraisal_started_and_the_late_start_is_logged(judge, case, flat):
    ref = negotiate(judge, case, flat, agreed=130_000_000)
    assert ref.start_due == D(2026, 11, 11)  # sealed Monday 12 October + 30 days = Wednesday 11 November
    assert nodes(case, "appraisal_started") == [D(2026, 11, 25)]
    entry = LogEntry.objects.filter(case=case).order_by("-seq").first()
    assert "参考价 1,300,000.00 元" in entry.summary and entry.after["price_fen"] == 130_000_000


def test_an_agreed_price_is_valid_one_year_counting_its_first_day(judge, case, flat):
    with pytest.raises(ValidationFailed) as too_long:
        reference.negotiation_record(actor=judge, case=case, asset=flat, applicant_figure_fen=1, respondent_figure_fen=1,
                                     agreed_price_fen=130_000_000, valid_until=D(2027, 11, 25))
    assert too_long.value.errors[0].field == "valid_until" and "2027-11-24" in too_long.value.message
    assert not ReferencePrice.objects.exists()
    ref = negotiate(judge, case, flat, agreed=130_000_000)
    assert ref.valid_until == D(2027, 11, 24)


# ---------------------------------------------------------------- online inquiry


def _reply_file(ref, rows):
    number = reference.inquiry_number(ref)
    lines = ["询价编号,询价平台,询价结果（元）,报告编号,出具日期,有效期至"]
    lines += [f"{number},{platform},{price},R-{i},{issued},{valid}" for i, (platform, price, issued, valid) in enumerate(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def online(judge, case, flat, django_capture_on_commit_callbacks, exchange_dir):
    negotiate(judge, case, flat, on=D(2026, 11, 16))
    with django_capture_on_commit_callbacks(execute=True):
        ref = reference.online_inquiry_send(actor=judge, case=case, asset=flat, grounds=["no_directed_price"],
                                            ground_note="税务机关无该房产计税基准价", on=D(2026, 11, 18))
    return ref


def test_an_online_inquiry_writes_its_request_file(online, exchange_dir):
    assert online.reply_due == D(2026, 11, 23)  # Wednesday 18th + 3 days = Saturday 21st → Monday 23rd
    written = (exchange_dir / online.request_file).read_text("utf-8-sig")
    assert written.count(reference.inquiry_number(online)) == 3


def test_the_reference_price_is_the_average_of_the_results_in_time(judge, case, online):
    content = _reply_file(online, [("淘宝网", "1000000.00", "2026-11-20", "2027-11-19"),
                                   ("京东网", "1100000.01", "2026-11-23", "2027-06-30"),
                                   ("人民法院诉讼资产网", "2000000", "2026-11-24", "2027-11-23")])  # late: not counted
    imported, created = inquiries.inquiry_replies_import(actor=judge, court=case.court, file_name="r.csv", content=content)
    assert created and imported.rows == 3
    ref = ReferencePrice.objects.get(pk=online.pk)
    # (100,000,000 + 110,000,001) / 2 = 105,000,000.5 → 105,000,001 fen (half up)
    assert (ref.status, ref.price_fen) == (PriceStatus.RESULT, 105_000_001)
    assert ref.valid_until == D(2027, 6, 30)  # the shortest validity of the results used
    again, created = inquiries.inquiry_replies_import(actor=judge, court=case.court, file_name="r.csv", content=content)
    assert again == imported and not created


def test_a_reply_file_with_one_bad_row_is_refused_whole(judge, case, online):
    content = _reply_file(online, [("淘宝网", "1000000", "2026-11-20", "2027-11-19"), ("某某网", "abc", "2026-11-20", "x")])
    with pytest.raises(ValidationFailed) as refused:
        inquiries.inquiry_replies_import(actor=judge, court=case.court, file_name="r.csv", content=content)
    assert {(e.row, e.field) for e in refused.value.errors} >= {(3, "询价平台"), (3, "询价结果（元）"), (3, "有效期至")}
    assert not online.replies.exists()


def test_no_result_in_time_extends_once_then_the_inquiry_failed(judge, case, online, time_machine):
    with pytest.raises(DomainError):  # the platforms still have time on the 23rd … today is the 25th: concluded
        time_machine.move_to(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
        reference.online_inquiry_conclude(actor=judge, reference=online)
    time_machine.move_to(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    extended = reference.online_inquiry_conclude(actor=judge, reference=online)
    assert extended.extended and extended.reply_due == D(2026, 11, 26)  # Monday 23rd + 3 days
    time_machine.move_to(dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    failed = reference.online_inquiry_conclude(actor=judge, reference=online)
    assert failed.status == PriceStatus.FAILED
    appraisal = reference.appraisal_commission(actor=judge, case=case, asset=online.asset, institution="某评估公司",
                                               selection="lottery")  # the ladder's last rung opens
    assert appraisal.appraisal_due == D(2026, 12, 28)  # 27 November + 30 days = Sunday 27 December → Monday 28th


# ---------------------------------------------------------------- appraisal, service, objection


def _appraisal(judge, case, asset):
    negotiate(judge, case, asset, on=D(2026, 11, 2))
    return reference.appraisal_commission(actor=judge, case=case, asset=asset, institution="台州某评估公司",
                                          selection="agreed", grounds=["parties_agree"], ground_note="双方书面同意委托评估",
                                          on=D(2026, 11, 3))


def test_an_appraisal_is_extended_at_most_twice_by_15_days_each(judge, case, flat):
    ref = _appraisal(judge, case, flat)
    with pytest.raises(ValidationFailed):
        reference.appraisal_extend(actor=judge, reference=ref, days=16, reason="现场勘验")
    reference.appraisal_extend(actor=judge, reference=ref, days=15, reason="现场勘验")
    ref = reference.appraisal_extend(actor=judge, reference=ref, days=10, reason="补充资料")
    assert ref.appraisal_due == D(2026, 12, 3) + dt.timedelta(days=25)
    with pytest.raises(DomainError) as third:
        reference.appraisal_extend(actor=judge, reference=ref, days=1, reason="再延")
    assert third.value.code == "too_many_extensions"


def test_served_results_open_a_5_day_objection_window(judge, case, flat, time_machine):
    ref = _appraisal(judge, case, flat)
    ref = reference.appraisal_report(actor=judge, reference=ref, price_fen=150_000_000, report_number="台评〔2026〕88号",
                                     report_on=D(2026, 11, 18), fee_fen=525_000)
    ref = reference.reference_serve(actor=judge, reference=ref, served_on=D(2026, 11, 20))
    assert ref.objection_due == D(2026, 11, 25)  # Friday 20th + 5 days = Wednesday 25th
    assert nodes(case, "appraisal_served") == [D(2026, 11, 20)]
    assert reference.standing_price(case, flat, D(2026, 11, 25)) is None  # still in the window
    assert reference.standing_price(case, flat, D(2026, 11, 26)) == ref
    time_machine.move_to(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    with pytest.raises(DomainError) as late:
        reference.objection_record(actor=judge, reference=ref, raised_on=D(2026, 11, 26), raised_by="被执行人",
                                   grounds="评估价过低")
    assert late.value.code == "objection_late" and "2026-11-25" in late.value.message


def test_an_objection_to_an_inquiry_starts_an_appraisal_within_3_working_days(judge, case, flat, price_table):
    negotiate(judge, case, flat, on=D(2026, 11, 16))
    ref = reference.directed_inquiry_record(actor=judge, case=case,
                                            valuation=valuation.flat_lookup(actor=judge, case=case, asset=flat))
    ref = reference.reference_serve(actor=judge, reference=ref, served_on=D(2026, 11, 25))
    objection = reference.objection_record(actor=judge, reference=ref, raised_on=D(2026, 11, 25),
                                           raised_by=respondent(case).name, grounds="询价结果明显低于市场价")
    assert objection.appraisal_due == D(2026, 11, 30)  # Wednesday 25th + 3 working days = Monday 30th
    assert ReferencePrice.objects.get(pk=ref.pk).status == PriceStatus.OBJECTED
    assert reference.standing_price(case, flat, D(2026, 12, 31)) is None
    with pytest.raises(DomainError):  # while the objection is pending, only an appraisal may follow
        reference.online_inquiry_send(actor=judge, case=case, asset=flat, grounds=["parties_agree"], ground_note="x")
    appraisal = reference.appraisal_commission(actor=judge, case=case, asset=flat, institution="某评估公司",
                                               selection="lottery", grounds=["objection"], ground_note="被执行人书面异议")
    objection.refresh_from_db()
    assert objection.outcome == ObjectionOutcome.TO_APPRAISAL
    assert ReferencePrice.objects.get(pk=ref.pk).status == PriceStatus.SUPERSEDED
    assert nodes(case, "appraisal_objection") == [D(2026, 11, 25)]
    assert nodes(case, "appraisal_started") == [D(2026, 11, 16), D(2026, 11, 25)]  # the first rung, then the appraisal
    assert appraisal.follows_id == ref.pk


def test_objection_as_a_ground_needs_an_objection(judge, case, flat):
    negotiate(judge, case, flat)
    with pytest.raises(DomainError) as refused:
        reference.appraisal_commission(actor=judge, case=case, asset=flat, institution="某评估公司", selection="lottery",
                                       grounds=["objection"], ground_note="x")
    assert "没有对询价结果的待处理异议" in refused.value.message


def test_a_dismissed_objection_lets_the_result_stand_again(judge, case, flat):
    ref = _appraisal(judge, case, flat)
    ref = reference.appraisal_report(actor=judge, reference=ref, price_fen=150_000_000, report_number="R1",
                                     report_on=D(2026, 11, 18))
    ref = reference.reference_serve(actor=judge, reference=ref, served_on=D(2026, 11, 19))
    objection = reference.objection_record(actor=judge, reference=ref, raised_on=D(2026, 11, 20), raised_by="申请人",
                                           grounds="评估程序违法")
    reference.objection_decide(actor=judge, objection=objection, upheld=False, note="评估程序合法")
    assert ReferencePrice.objects.get(pk=ref.pk).status == PriceStatus.RESULT
    assert reference.standing_price(case, flat, D(2026, 11, 26)).pk == ref.pk


def test_an_expired_price_no_longer_stands_and_a_new_one_may_be_fixed(judge, case, flat, time_machine):
    ref = negotiate(judge, case, flat, agreed=130_000_000)  # valid until 2027-11-24
    assert reference.standing_price(case, flat, D(2027, 11, 24)) == ref
    time_machine.move_to(dt.datetime(2027, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    again = negotiate(judge, case, flat, agreed=125_000_000)
    assert again.status == PriceStatus.RESULT and again.follows == ref
