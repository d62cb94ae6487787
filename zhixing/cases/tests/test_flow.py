import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zhixing.cases import services
from zhixing.cases.exceptions import DomainError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.log import verify_log
from zhixing.cases.models import LogEntry, NodeRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


def log_actions(case) -> list[str]:
    return list(LogEntry.objects.filter(case=case).order_by("seq").values_list("action", flat=True))


def test_recording_a_node_of_a_later_stage_moves_the_case_and_logs_it(make_case, judge):
    case = make_case()
    services.node_record(actor=judge, case=case, node_code="network_query")
    services.node_record(actor=judge, case=case, node_code="other_control", note="责令被执行人交出车辆")
    case.refresh_from_db()
    assert case.stage == "control"
    services.node_record(actor=judge, case=case, node_code="network_query", note="第二次查询")
    case.refresh_from_db()
    assert case.stage == "control"  # earlier-stage work does not move the case back
    assert log_actions(case) == ["register", "node", "node", "node"]
    control = LogEntry.objects.get(case=case, node_code="other_control")
    assert control.before == {"stage": "query"} and control.after["stage"] == "control"
    assert control.reason == "责令被执行人交出车辆"


def test_a_node_whose_prerequisite_is_missing_is_refused_with_the_rule(make_case, judge):
    case = make_case()
    with pytest.raises(DomainError) as exc:
        services.node_record(actor=judge, case=case, node_code="auction_confirmed")
    assert "启动拍卖" in exc.value.message and exc.value.code == "node_not_allowed"
    assert not NodeRecord.objects.filter(case=case, node_code="auction_confirmed").exists()
    assert log_actions(case) == ["register"]


def test_a_clerk_may_send_a_notice_but_not_control_property(make_case, clerk):
    case = make_case()
    services.node_record(actor=clerk, case=case, node_code="enforcement_notice")
    with pytest.raises(DomainError, match="角色"):
        services.node_record(actor=clerk, case=case, node_code="other_control")


def test_a_seal_is_recorded_with_its_measure_not_as_a_bare_node(make_case, judge):
    case = make_case()
    with pytest.raises(DomainError, match="专门的办理功能"):
        services.node_record(actor=judge, case=case, node_code="seal")


def test_a_node_dated_before_filing_or_in_the_future_is_refused(make_case, judge):
    case = make_case(filed_on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationFailed):
        services.node_record(actor=judge, case=case, node_code="network_query", occurred_on=dt.date(2026, 1, 4))
    with pytest.raises(ValidationFailed):
        services.node_record(actor=judge, case=case, node_code="network_query", occurred_on=dt.date(2099, 1, 1))


def test_nodes_recorded_by_their_own_service_cannot_be_recorded_by_hand(make_case, judge):
    case = make_case()
    with pytest.raises(DomainError, match="专门"):
        services.node_record(actor=judge, case=case, node_code="close")


def test_another_courts_judge_cannot_act_and_a_supervisor_only_reads(make_case, other_judge, supervisor):
    case = make_case()
    with pytest.raises(NotFound):
        services.node_record(actor=other_judge, case=case, node_code="network_query")
    with pytest.raises(NotAllowed):
        services.node_record(actor=supervisor, case=case, node_code="network_query")


def test_assignment_and_reassignment_need_a_reason_the_second_time(make_case, bureau_head, judge, assistant, other_judge):
    case = make_case()
    services.case_assign(actor=bureau_head, case=case, handler=judge)
    case.refresh_from_db()
    assert case.handler == judge and case.team == judge.team
    with pytest.raises(ValidationFailed, match="理由"):
        services.case_assign(actor=bureau_head, case=case, handler=assistant)
    services.case_assign(actor=bureau_head, case=case, handler=assistant, reason="张法官休假")
    with pytest.raises(ValidationFailed, match="本院"):
        services.case_assign(actor=bureau_head, case=case, handler=other_judge, reason="跨院")
    entry = LogEntry.objects.filter(case=case, action="assign").order_by("-seq").first()
    assert entry.before["handler"] == "张法官" and entry.after["handler"] == "李助理" and entry.reason == "张法官休假"


def test_editing_a_party_keeps_the_old_value_in_the_log(make_case, judge):
    case = make_case()
    respondent = case.parties.get(role="respondent")
    old_name = respondent.name
    services.party_update(actor=judge, party=respondent, changes={"name": "更正后的姓名", "phone": "13900000000"},
                          reason="身份证复印件核对")
    case.refresh_from_db()
    assert case.respondent_names == "更正后的姓名"
    entry = LogEntry.objects.filter(case=case, action="party_update").get()
    assert entry.before["name"] == old_name and entry.after["name"] == "更正后的姓名"
    with pytest.raises(ValidationFailed, match="理由"):
        services.party_update(actor=judge, party=respondent, changes={"phone": "1"}, reason=" ")
    with pytest.raises(ValidationFailed) as exc:
        services.party_update(actor=judge, party=respondent, changes={"id_number": "110108198503071230"}, reason="录错")
    assert "校验位" in str(exc.value)


def test_zhongben_is_refused_until_more_than_three_months_after_filing(make_case, judge):
    # Filed 2026-08-22: three months end 2026-11-22, so 终本 is possible from 2026-11-23 (Art. 1(4) 法〔2016〕373号)
    with at(dt.date(2026, 8, 22)):
        case = make_case(filed_on=dt.date(2026, 8, 22))
    with at(dt.date(2026, 11, 22)):
        with pytest.raises(DomainError) as exc:
            services.case_close(actor=judge, case=case, closing_type="terminate_current", performed_amount_fen=0)
        assert exc.value.code == "zhongben_too_early" and "2026年11月23日" in exc.value.message
    with at(dt.date(2026, 11, 23)):  # no longer too early; now the 终本 conditions themselves decide (zhixing.closing)
        with pytest.raises(DomainError) as exc:
            services.case_close(actor=judge, case=case, closing_type="terminate_current", performed_amount_fen=0)
        assert exc.value.code == "zhongben_conditions_missing"
    case.refresh_from_db()
    assert case.status == "open"


def test_closing_records_the_amount_and_the_archive_deadline(make_case, judge, clerk):
    with at(dt.date(2026, 9, 1)):
        case = make_case(filed_on=dt.date(2026, 9, 1), amount_fen=100_000)
    with at(dt.date(2026, 9, 30)):
        with pytest.raises(ValidationFailed, match="不能超过"):
            services.case_close(actor=judge, case=case, closing_type="performed", performed_amount_fen=100_001)
        with pytest.raises(ValidationFailed, match="执行完毕须填写"):
            services.case_close(actor=judge, case=case, closing_type="performed", performed_amount_fen=0)
        services.case_close(actor=judge, case=case, closing_type="performed", performed_amount_fen=100_000)
        case.refresh_from_db()
        # one month from 2026-09-30 = 2026-10-30 (Friday, a workday after 国庆)
        assert case.archive_due == dt.date(2026, 10, 30)
        with pytest.raises(DomainError, match="已于"):
            services.case_close(actor=judge, case=case, closing_type="performed", performed_amount_fen=100_000)
        with pytest.raises(DomainError, match="案件已结案"):
            services.node_record(actor=judge, case=case, node_code="network_query")
    with at(dt.date(2026, 10, 9)):
        services.case_archive(actor=clerk, case=case)
    case.refresh_from_db()
    assert case.status == "archived" and case.archived_on == dt.date(2026, 10, 9)
    assert log_actions(case) == ["register", "close", "archive"]


@pytest.mark.parametrize("closing_type, words", [("terminated", "终结执行须写明"), ("withdrawn", "销案须写明"),
                                                 ("not_enforced", "不予执行须写明"), ("rejected", "驳回申请须写明")])
def test_a_closing_on_a_ruling_must_state_its_ground(make_case, judge, closing_type, words):
    with at(dt.date(2026, 9, 1)):
        case = make_case(filed_on=dt.date(2026, 9, 1), amount_fen=100_000)
    with at(dt.date(2026, 9, 30)):
        with pytest.raises(ValidationFailed, match=words) as refused:
            services.case_close(actor=judge, case=case, closing_type=closing_type, performed_amount_fen=0, reason="  ")
        assert [e.field for e in refused.value.errors] == ["reason"]
        case.refresh_from_db()
        assert case.status == "open" and log_actions(case) == ["register"]
        services.case_close(actor=judge, case=case, closing_type=closing_type, performed_amount_fen=12_345,
                            reason="申请执行人撤回执行申请")
    entry = LogEntry.objects.filter(case=case, action="close").get()
    # the amount in the log line is exact: integer arithmetic, never float
    assert "实际执行到位 123.45 元" in entry.summary and entry.reason == "申请执行人撤回执行申请"


def test_only_a_closed_case_can_be_archived(make_case, clerk):
    case = make_case()
    with pytest.raises(DomainError, match="只有已结案件"):
        services.case_archive(actor=clerk, case=case)


def test_the_log_chain_verifies_after_a_whole_case_history(make_case, judge, bureau_head):
    case = make_case()
    services.case_assign(actor=bureau_head, case=case, handler=judge)
    services.node_record(actor=judge, case=case, node_code="enforcement_notice")
    services.node_record(actor=judge, case=case, node_code="network_query")
    entries = list(LogEntry.objects.filter(case=case).order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))
    assert verify_log() == []


def test_the_database_itself_refuses_to_change_or_delete_a_log_entry(make_case):
    from django.db import DatabaseError, transaction

    case = make_case()
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(case=case).update(summary="改过了")
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(case=case).delete()
    assert LogEntry.objects.get(case=case).summary.startswith("立案")
