import datetime as dt

import pytest

from zhixing.cases import services
from zhixing.cases.casenumbers import parse_case_number
from zhixing.cases.exceptions import NotAllowed, NotFound, ValidationFailed
from zhixing.cases.inputs import parse_case, parse_yuan
from zhixing.cases.models import CaseNumberSequence, EnforcementCase, LogEntry, Party
from zhixing.testing.fixtures import case_payload
from zhixing.workdays import calendar


def errors_of(exc_info) -> dict[str, str]:
    return {e.field: e.message for e in exc_info.value.errors}


def test_case_numbers_run_per_court_year_and_type(make_case, judge, other_judge):
    first = make_case(filed_on=dt.date(2026, 3, 2))
    second = make_case(filed_on=dt.date(2026, 3, 3))
    last_year = make_case(filed_on=dt.date(2025, 12, 30))
    preservation = make_case(filed_on=dt.date(2026, 3, 3), case_type="执保")
    elsewhere = make_case(actor=other_judge, filed_on=dt.date(2026, 3, 3))
    assert first.case_number == "（2026）京0108执1号"
    assert second.case_number == "（2026）京0108执2号"
    assert last_year.case_number == "（2025）京0108执1号"
    assert preservation.case_number == "（2026）京0108执保1号"
    assert elsewhere.case_number == "（2026）京0102执1号"


def test_half_width_brackets_and_restored_cases_parse():
    number = parse_case_number("(2024)京0108执恢12号")
    assert (number.year, number.court_code, number.case_type, number.sequence) == (2024, "京0108", "执恢", 12)
    assert str(number) == "（2024）京0108执恢12号"
    with pytest.raises(ValueError):
        parse_case_number("（2024）京0108民初12号")


def test_registration_stores_parties_claims_deadlines_and_the_first_log_entry(judge):
    payload = case_payload(filed_on=dt.date(2025, 9, 24), respondent_kind="legal_person")
    payload["claims"] = [{"kind": "principal", "amount_yuan": "12,345.67"}, {"kind": "interest", "amount_fen": 1000}]
    case = services.case_register(actor=judge, data=parse_case(payload))
    case.refresh_from_db()
    assert case.claim_amount_fen == 1_234_567 + 1000
    assert case.parties.count() == 2 and case.respondent_names.startswith("某某有限公司")
    # 7 days from Wed 2025-09-24 = 10-01, the National Day holiday: rolls to Thursday 10-09
    assert case.assign_due == dt.date(2025, 10, 9)
    assert case.close_due == calendar.add_months(dt.date(2025, 9, 24), 6)
    entry = LogEntry.objects.get(case=case)
    assert entry.seq == 1 and entry.action == "register" and entry.actor == judge
    assert entry.after["claim_amount_fen"] == 1_235_567


def test_money_is_parsed_exactly_without_floats():
    assert parse_yuan("0.1") + parse_yuan("0.2") == 30
    assert parse_yuan("¥1,000,000.01") == 100_000_001
    assert parse_yuan(12345.6) == 1_234_560
    for bad in ("1.234", "-5", "十元", ""):
        with pytest.raises(ValueError):
            parse_yuan(bad)


def test_a_wrong_id_check_digit_is_refused_naming_the_field_and_rule(judge):
    payload = case_payload()
    good = payload["parties"][1]["id_number"]
    payload["parties"][1]["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationFailed) as exc:
        parse_case(payload)
    message = errors_of(exc)["parties[1].id_number"]
    assert "校验位" in message and f"末位应为 {good[17]}" in message


def test_every_problem_is_reported_at_once_and_nothing_is_written(judge):
    payload = case_payload(filed_on=dt.date(2026, 1, 5))
    payload["filed_on"] = "2026-02-30"
    payload["parties"] = [payload["parties"][0]]  # no respondent
    payload["claims"] = [{"kind": "principal", "amount_yuan": "-3"}]
    payload["parties"][0]["credit_code"] = "91110108MA01ABCDE0"
    with pytest.raises(ValidationFailed) as exc:
        services.case_register(actor=judge, data=parse_case(payload))
    fields = errors_of(exc)
    assert "不是存在的日期" in fields["filed_on"]
    assert "被执行人" in fields["parties"]
    assert "claims[0].amount" in fields
    assert "parties[0].credit_code" in fields
    assert not EnforcementCase.objects.exists()


def test_an_execution_basis_effective_after_filing_is_impossible(judge):
    payload = case_payload(filed_on=dt.date(2026, 1, 5))
    payload["basis"]["effective_on"] = "2026-01-06"
    with pytest.raises(ValidationFailed) as exc:
        parse_case(payload)
    assert "basis.effective_on" in errors_of(exc)


def test_a_bad_credit_code_check_character_is_refused():
    payload = case_payload(respondent_kind="legal_person")
    code = payload["parties"][1]["credit_code"]
    payload["parties"][1]["credit_code"] = code[:17] + ("1" if code[17] != "1" else "2")
    with pytest.raises(ValidationFailed) as exc:
        parse_case(payload)
    assert "GB 32100" in errors_of(exc)["parties[1].credit_code"]


def test_an_unknown_region_code_is_a_warning_not_a_rejection(judge):
    from zhixing.demo.identity import make_id_number

    payload = case_payload()
    payload["parties"][1]["id_number"] = make_id_number(region="990199", birth_on=dt.date(1990, 5, 5), serial=17)
    data = parse_case(payload)
    assert any("地区码 990199" in w for w in data.warnings)
    assert services.case_register(actor=judge, data=data).pk


def test_an_unknown_court_code_is_refused(judge):
    with pytest.raises(ValidationFailed) as exc:
        services.case_register(actor=judge, data=parse_case(case_payload("京9999")))
    assert "京9999" in errors_of(exc)["court_code"]


def test_staff_register_only_in_their_own_court_and_supervisors_not_at_all(other_judge, supervisor, courts):
    with pytest.raises(NotFound):
        services.case_register(actor=other_judge, data=parse_case(case_payload("京0108")))
    with pytest.raises(NotAllowed):
        services.case_register(actor=supervisor, data=parse_case(case_payload("京01")))
    assert not EnforcementCase.objects.exists()


def test_a_bailiff_may_not_register(bailiff):
    with pytest.raises(NotAllowed, match="立案"):
        services.case_register(actor=bailiff, data=parse_case(case_payload()))


def test_an_imported_old_number_is_kept_and_the_sequence_continues_after_it(judge):
    data = parse_case(case_payload(filed_on=dt.date(2026, 4, 1), case_number="(2026)京0108执88号"))
    old = services.case_register(actor=judge, data=data, source="import")
    assert old.case_number == "（2026）京0108执88号"
    new = services.case_register(actor=judge, data=parse_case(case_payload(filed_on=dt.date(2026, 4, 2))))
    assert new.case_number == "（2026）京0108执89号"
    assert CaseNumberSequence.objects.get(court=judge.court, year=2026, case_type="执").last_value == 89


def test_an_imported_number_of_another_court_or_year_is_refused(judge):
    with pytest.raises(ValidationFailed) as exc:
        services.case_register(
            actor=judge, data=parse_case(case_payload(filed_on=dt.date(2026, 4, 1), case_number="（2025）京0102执5号"))
        )
    message = errors_of(exc)["case_number"]
    assert "京0102" in message and "2025" in message
    assert not Party.objects.exists()


def test_a_birth_date_of_today_in_beijing_is_possible_while_utc_is_still_yesterday():
    import time_machine

    from zhixing.cases.identity import IdentityError, check_id_number
    from zhixing.demo.identity import make_id_number

    born_today = make_id_number(birth_on=dt.date(2026, 11, 25), serial=7)
    born_tomorrow = make_id_number(birth_on=dt.date(2026, 11, 26), serial=7)
    # 2026-11-24 17:30 UTC is 2026-11-25 01:30 in Beijing (UTC+8)
    with time_machine.travel(dt.datetime(2026, 11, 24, 17, 30, tzinfo=dt.UTC), tick=False):
        assert check_id_number(born_today).birth_on == dt.date(2026, 11, 25)
        with pytest.raises(IdentityError, match="不可能"):
            check_id_number(born_tomorrow)
