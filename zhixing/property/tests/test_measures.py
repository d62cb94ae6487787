"""Assets and control measures: statutory end dates, renewal, release and the queue across courts,
deductions, permissions, log entries, the pages and the API. Today is Wednesday 2026-11-25."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zhixing.accounts.choices import Role
from zhixing.cases.choices import LogAction
from zhixing.cases.exceptions import DomainError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.models import LogEntry, NodeRecord
from zhixing.property import measures
from zhixing.property.assets import other_claims
from zhixing.property.models import ControlMeasure, MeasureStatus
from zhixing.property.rules import PERIOD_CLASSES
from zhixing.testing.fixtures import make_user

D = dt.date
TODAY = D(2026, 11, 25)
FILED = D(2025, 6, 2)
BANK = {"bank": "中国工商银行北京海淀支行", "account": "6222 0202 0000 1234", "balance": "80,000.00"}
FLAT = {"certificate_number": "京(2020)海淀区不动产权第0001234号", "address": "北京市海淀区某路1号", "area": "89.5"}
FOUND_ON = D(2026, 1, 5)
CAR = {"plate": "京A12345", "vin": "LSVAM4187C2184846", "model": "大众"}


pytestmark = pytest.mark.usefixtures("on_25_november_2026")


@pytest.fixture
def case(make_case):
    return make_case(filed_on=FILED)


@pytest.fixture
def other_case(make_case, other_judge):
    """A case of another court (西城) whose respondent holds the same bank account."""
    return make_case(actor=other_judge, filed_on=FILED)


def respondent(case):
    return case.parties.get(role="respondent")


def register(actor, case, kind="bank_deposit", details=None, found_on=FOUND_ON):
    return measures.asset_register(actor=actor, case=case, kind=kind, details=details or BANK,
                                   owner_party=respondent(case), found_on=found_on, found_via="onsite")


def take(actor, case, asset, started_on, kind="freeze", **kwargs):
    return measures.measure_take(actor=actor, case=case, asset=asset, kind=kind, started_on=started_on, **kwargs)


def last_log(case):
    return LogEntry.objects.filter(case_id=case.pk).order_by("-seq").first()


# ---------------------------------------------------------------- statutory end dates


@pytest.mark.parametrize(("period", "start", "end"), [
    ("deposit", D(2026, 3, 1), D(2027, 2, 28)),  # 1 year from 1 March ends on the last day of February
    ("deposit", D(2024, 2, 29), D(2025, 2, 28)),  # from 29 February: no 29 Feb in 2025, the month's last day
    ("deposit", D(2024, 3, 1), D(2025, 2, 28)),
    ("deposit", D(2026, 1, 31), D(2027, 1, 30)),
    ("deposit", D(2026, 11, 25), D(2027, 11, 24)),  # a Wednesday; no roll-off to a workday either way
    ("movable", D(2024, 2, 29), D(2026, 2, 28)),
    ("movable", D(2026, 3, 1), D(2028, 2, 29)),  # two years ending in a leap February keep its 29th
    ("movable", D(2026, 5, 10), D(2028, 5, 9)),
    ("immovable", D(2026, 5, 10), D(2029, 5, 9)),
    ("immovable", D(2028, 3, 1), D(2031, 2, 28)),
])
def test_statutory_end_counts_the_first_day_and_ends_the_day_before_the_anniversary(period, start, end):
    assert measures.statutory_end(PERIOD_CLASSES[period], start) == end


def test_a_bank_freeze_lasts_one_year_movables_two_real_estate_three(judge, case):
    bank = register(judge, case).asset
    flat = register(judge, case, "real_estate", FLAT).asset
    car = register(judge, case, "vehicle", CAR).asset
    freeze = take(judge, case, bank, D(2026, 3, 1), document_number="（2025）京0108执1号之一")
    seal = take(judge, case, flat, D(2026, 3, 1), kind="seal")
    detain = take(judge, case, car, D(2026, 3, 1), kind="detain")
    assert (freeze.ends_on, detain.ends_on, seal.ends_on) == (D(2027, 2, 28), D(2028, 2, 29), D(2029, 2, 28))
    assert freeze.status == MeasureStatus.ACTIVE and freeze.period_class == "deposit"
    entry = LogEntry.objects.filter(case_id=case.pk, action=LogAction.MEASURE, node_code="freeze").get()
    assert "2027-02-28" in entry.summary and "第485条" in entry.summary
    assert entry.after["ends_on"] == "2027-02-28"
    nodes = set(NodeRecord.objects.filter(case_id=case.pk).values_list("node_code", flat=True))
    assert {"property_found", "freeze", "seal", "detain"} <= nodes


def test_it_refuses_a_measure_dated_in_the_future_or_before_filing_or_unfit_for_the_asset(judge, case):
    bank = register(judge, case).asset
    with pytest.raises(ValidationFailed) as future:
        take(judge, case, bank, D(2026, 11, 26))
    assert future.value.errors[0].field == "started_on"
    with pytest.raises(ValidationFailed) as early:
        take(judge, case, bank, D(2025, 6, 1))
    assert "早于立案日期" in early.value.message
    with pytest.raises(ValidationFailed) as seal:
        take(judge, case, bank, D(2026, 3, 1), kind="seal")
    assert seal.value.errors[0].field == "kind" and "银行存款不能查封" in seal.value.message


def test_a_queued_measure_needs_who_is_ahead(judge, case):
    flat = register(judge, case, "real_estate", FLAT).asset
    with pytest.raises(ValidationFailed) as exc:
        take(judge, case, flat, D(2026, 3, 1), kind="seal", queue_rank=2)
    assert exc.value.errors[0].field == "ahead"
    m = take(judge, case, flat, D(2026, 3, 1), kind="seal", queue_rank=2, ahead="北京市朝阳区人民法院（2025）京0105执9号")
    assert m.status == MeasureStatus.QUEUED and m.ends_on is None


# ---------------------------------------------------------------- deduction


def test_a_deduction_needs_an_amount_and_a_cash_asset_and_has_no_end(judge, case):
    bank = register(judge, case).asset
    flat = register(judge, case, "real_estate", FLAT).asset
    with pytest.raises(ValidationFailed) as no_amount:
        take(judge, case, bank, D(2026, 3, 2), kind="deduct")
    assert no_amount.value.errors[0].field == "amount_fen" and "第484条" in no_amount.value.message
    with pytest.raises(ValidationFailed) as too_much:
        take(judge, case, bank, D(2026, 3, 2), kind="deduct", amount_fen=8_000_001)
    assert "超过已知余额" in too_much.value.message
    with pytest.raises(ValidationFailed) as not_cash:
        take(judge, case, flat, D(2026, 3, 2), kind="deduct", amount_fen=100)
    assert "不动产不能扣划" in not_cash.value.message
    done = take(judge, case, bank, D(2026, 3, 2), kind="deduct", amount_fen=5_000_000)
    assert done.status == MeasureStatus.DONE and done.ends_on is None and done.amount_fen == 5_000_000
    assert NodeRecord.objects.filter(case_id=case.pk, node_code="deduct").exists()


def test_it_refuses_to_deduct_money_another_court_froze_first(judge, other_judge, case, other_case):
    theirs = register(other_judge, other_case).asset
    take(other_judge, other_case, theirs, D(2026, 2, 1))
    ours = register(judge, case).asset
    with pytest.raises(DomainError) as exc:
        take(judge, case, ours, D(2026, 3, 2), kind="deduct", amount_fen=100)
    assert exc.value.code == "held_by_other_case" and "北京市西城区人民法院" in exc.value.message


# ---------------------------------------------------------------- renewal


@pytest.fixture
def frozen(judge, case):
    """A freeze ending on 2026-11-30 (started 2025-12-01)."""
    bank = register(judge, case, found_on=D(2025, 11, 20)).asset
    return take(judge, case, bank, D(2025, 12, 1))


def test_renewal_before_expiry_continues_from_the_day_after_the_old_end(judge, case, frozen):
    assert frozen.ends_on == D(2026, 11, 30)
    new = measures.measure_renew(actor=judge, measure=frozen, document_number="续冻1号")
    frozen.refresh_from_db()
    assert (new.started_on, new.ends_on, new.renewal_of_id) == (D(2026, 12, 1), D(2027, 11, 30), frozen.pk)
    assert frozen.status == MeasureStatus.RENEWED and frozen.ended_on == D(2026, 11, 30)
    entry = last_log(case)
    assert entry.action == LogAction.MEASURE_RENEW and "2027-11-30" in entry.summary
    assert NodeRecord.objects.filter(case_id=case.pk, node_code="freeze", occurred_on=D(2026, 12, 1)).exists()


def test_renewal_on_the_last_day_is_still_before_expiry(judge, case):
    bank = register(judge, case, found_on=D(2025, 11, 20)).asset
    m = take(judge, case, bank, D(2025, 11, 26))
    assert m.ends_on == TODAY
    new = measures.measure_renew(actor=judge, measure=m)
    assert new.started_on == D(2026, 11, 26)


def test_renewal_after_expiry_is_refused_and_the_measure_can_be_marked_lapsed(judge, case):
    bank = register(judge, case, found_on=D(2025, 11, 10)).asset
    m = take(judge, case, bank, D(2025, 11, 20))
    assert m.ends_on == D(2026, 11, 19)
    with pytest.raises(DomainError) as exc:
        measures.measure_renew(actor=judge, measure=m)
    assert exc.value.code == "measure_expired" and "第27条" in exc.value.message
    assert list(measures.expiring_measures(case.court)) == [m]
    measures.measure_lapse(actor=judge, measure=m, reason="")
    m.refresh_from_db()
    assert m.status == MeasureStatus.LAPSED and m.ended_on == D(2026, 11, 19)
    assert last_log(case).action == LogAction.MEASURE_END
    assert list(measures.expiring_measures(case.court)) == []


def test_a_measure_not_yet_expired_cannot_be_marked_lapsed(judge, frozen):
    with pytest.raises(DomainError) as exc:
        measures.measure_lapse(actor=judge, measure=frozen, reason="")
    assert exc.value.code == "not_expired"


def test_expiring_lists_only_the_courts_active_measures_within_30_days(judge, other_judge, case, other_case, frozen):
    far = take(judge, case, register(judge, case, "real_estate", FLAT).asset, D(2026, 3, 1), kind="seal")
    theirs = register(other_judge, other_case, details={**BANK, "account": "9999"}, found_on=D(2025, 12, 1)).asset
    take(other_judge, other_case, theirs, D(2025, 12, 5))  # ends 2026-12-04, but in another court
    assert list(measures.expiring_measures(case.court)) == [frozen]
    assert list(measures.expiring_measures(case.court, within_days=10_000)) == [frozen, far]


# ---------------------------------------------------------------- queue across courts


def test_a_second_courts_measure_is_queued_and_takes_effect_when_the_first_is_released(judge, other_judge, case, other_case):
    ours = register(judge, case).asset
    first = take(judge, case, ours, D(2026, 2, 1))
    theirs = register(other_judge, other_case, found_on=D(2026, 2, 10)).asset
    assert theirs.pk == ours.pk  # the same account is one asset for both courts
    queued = take(other_judge, other_case, theirs, D(2026, 2, 10))
    assert queued.status == MeasureStatus.QUEUED and queued.queue_rank == 2
    assert "北京市海淀区人民法院" in queued.ahead and case.case_number in queued.ahead

    claims = other_claims([ours.pk], case.pk)[ours.pk]
    assert [(c["court"], c["case_number"]) for c in claims] == [("北京市西城区人民法院", other_case.case_number)]
    assert claims[0]["measures"][0].queue_rank == 2

    with pytest.raises(ValidationFailed):
        measures.measure_release(actor=judge, measure=first, released_on=D(2026, 11, 20), reason=" ")
    measures.measure_release(actor=judge, measure=first, released_on=D(2026, 11, 20), reason="被执行人提供担保")
    queued.refresh_from_db()
    assert queued.status == MeasureStatus.ACTIVE and queued.queue_rank == 1
    assert queued.ends_on == D(2027, 11, 19)
    theirs_log = last_log(other_case)
    assert theirs_log.action == LogAction.MEASURE and theirs_log.actor_id is None
    assert "自动生效" in theirs_log.summary and "第26条" in theirs_log.reason
    assert case.case_number in theirs_log.reason
    ours_log = last_log(case)
    assert ours_log.action == LogAction.MEASURE_END and ours_log.reason == "被执行人提供担保"


def test_releasing_the_holder_moves_every_queued_measure_up(judge, other_judge, courts, case, other_case, make_case):
    third_judge = make_user("third", courts["other"], Role.JUDGE, "西城二号法官")
    third_case = make_case(actor=third_judge, filed_on=FILED)
    asset = register(judge, case).asset
    first = take(judge, case, asset, D(2026, 2, 1))
    register(other_judge, other_case)
    second = take(other_judge, other_case, asset, D(2026, 2, 10))
    register(third_judge, third_case)
    third = take(third_judge, third_case, asset, D(2026, 2, 20))
    assert (second.queue_rank, third.queue_rank) == (2, 3)
    measures.measure_release(actor=judge, measure=first, released_on=D(2026, 11, 24), reason="执行完毕")
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, second.queue_rank) == (MeasureStatus.ACTIVE, 1)
    assert (third.status, third.queue_rank) == (MeasureStatus.QUEUED, 2)
    assert "顺位 3 → 2" in last_log(third_case).summary


def test_the_same_case_does_not_freeze_the_same_asset_twice(judge, case, frozen):
    with pytest.raises(DomainError) as exc:
        take(judge, case, frozen.asset, D(2026, 11, 1))
    assert "续行" in exc.value.message


# ---------------------------------------------------------------- permissions and log


def test_another_courts_judge_and_the_supervisor_cannot_act(judge, other_judge, supervisor, case, frozen):
    with pytest.raises(NotFound):
        register(other_judge, case, "vehicle", CAR)
    with pytest.raises(NotFound):
        measures.measure_renew(actor=other_judge, measure=frozen)
    with pytest.raises(NotAllowed):
        measures.measure_release(actor=supervisor, measure=frozen, released_on=TODAY, reason="x")
    assert ControlMeasure.objects.get(pk=frozen.pk).status == MeasureStatus.ACTIVE


def test_a_clerk_may_not_take_measures(clerk, judge, case):
    asset = register(judge, case).asset
    with pytest.raises(NotAllowed):
        take(clerk, case, asset, D(2026, 3, 1))


def test_registering_an_asset_logs_it_and_records_property_found_once_a_day(judge, case):
    register(judge, case)
    register(judge, case, "vehicle", CAR)
    assert NodeRecord.objects.filter(case_id=case.pk, node_code="property_found").count() == 1
    entries = LogEntry.objects.filter(case_id=case.pk, action=LogAction.ASSET)
    assert entries.count() == 2 and "机动车" in entries.last().summary
    with pytest.raises(DomainError):
        register(judge, case, "vehicle", {**CAR, "vin": CAR["vin"].lower()})  # the same car again


def test_asset_fields_are_checked_naming_the_field(judge, case):
    with pytest.raises(ValidationFailed) as exc:
        register(judge, case, "bank_deposit", {"bank": "工行"})
    assert {e.field for e in exc.value.errors} == {"account", "balance"}


# ---------------------------------------------------------------- pages


def test_the_case_page_shows_assets_measures_and_other_claims(client, judge, other_judge, case, other_case):
    asset = register(judge, case).asset
    take(judge, case, asset, D(2026, 3, 1))
    register(other_judge, other_case)
    take(other_judge, other_case, asset, D(2026, 3, 5))
    client.force_login(judge)
    page = client.get(f"/property/cases/{case.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "2027-02-28" in text and "第485条" in text
    assert "北京市西城区人民法院" in text and other_case.case_number in text and "顺位2" in text
    assert "80,000.00" in text


def test_a_measure_form_post_records_it_and_errors_come_back_in_the_partial(client, judge, case):
    asset = register(judge, case).asset
    client.force_login(judge)
    url = f"/property/measures/cases/{case.pk}/take/"
    bad = client.post(url, {"measure-asset": asset.pk, "measure-kind": "freeze", "measure-started_on": "2026-12-01",
                            "measure-queue_rank": 1}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "晚于今天" in bad.content.decode()
    assert 'id="property-measures"' in bad.content.decode()
    ok = client.post(url, {"measure-asset": asset.pk, "measure-kind": "freeze", "measure-started_on": "2026-03-01",
                           "measure-queue_rank": 1, "measure-amount": "50,000"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and ok.headers["HX-Redirect"] == f"/property/cases/{case.pk}/"
    m = ControlMeasure.objects.get(case=case)
    assert (m.ends_on, m.amount_fen) == (D(2027, 2, 28), 5_000_000)


def test_a_release_form_post_on_another_courts_measure_is_a_404(client, other_judge, frozen):
    client.force_login(other_judge)
    response = client.post(f"/property/measures/{frozen.pk}/release/", {f"release-{frozen.pk}-released_on": "2026-11-25",
                                                                        f"release-{frozen.pk}-reason": "x"})
    assert response.status_code == 404


def test_the_expiring_page_lists_renewal_reminders(client, judge, frozen):
    client.force_login(judge)
    response = client.get("/property/expiring/")
    text = response.content.decode()
    assert response.status_code == 200 and "2026-11-30" in text and "5 日" in text


# ---------------------------------------------------------------- API


def test_api_registers_an_asset_takes_a_measure_and_renews_it(client, judge, case):
    client.force_login(judge)
    party = respondent(case)
    created = client.post(f"/api/v1/property/cases/{case.pk}/assets", json.dumps(
        {"kind": "bank_deposit", "details": BANK, "owner_party_id": party.pk, "found_on": "2025-11-20"}),
        content_type="application/json")
    assert created.status_code == 201, created.content
    asset_id = created.json()["id"]
    assert created.json()["value_fen"] == 8_000_000
    taken = client.post(f"/api/v1/property/cases/{case.pk}/measures", json.dumps(
        {"asset_id": asset_id, "kind": "freeze", "started_on": "2025-12-01"}), content_type="application/json")
    assert taken.status_code == 201 and taken.json()["ends_on"] == "2026-11-30"
    renewed = client.post(f"/api/v1/property/measures/{taken.json()['id']}/renew", "{}", content_type="application/json")
    assert renewed.status_code == 201 and renewed.json()["ends_on"] == "2027-11-30"
    listed = client.get(f"/api/v1/property/cases/{case.pk}/assets").json()
    assert [m["status"] for m in listed[0]["measures"]] == ["renewed", "active"]


def test_api_answers_422_naming_the_field(client, judge, case):
    client.force_login(judge)
    asset = register(judge, case).asset
    response = client.post(f"/api/v1/property/cases/{case.pk}/measures", json.dumps(
        {"asset_id": asset.pk, "kind": "deduct", "started_on": "2026-03-01"}), content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid" and body["errors"][0]["field"] == "amount_fen"


def test_the_case_property_page_includes_the_measure_panels(client, judge, case):
    register(judge, case)
    client.force_login(judge)
    response = client.get(f"/property/cases/{case.pk}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="property-assets"' in text and 'id="property-measures"' in text and 'id="property-investigations"' in text
