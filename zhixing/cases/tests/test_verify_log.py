import pytest
from django.core.management import CommandError, call_command

from zhixing.cases.choices import LogAction
from zhixing.cases.log import new_entry
from zhixing.cases.models import EnforcementCase, LogEntry
from zhixing.testing.logtamper import log_edits_allowed


def verify(*args) -> tuple[str, CommandError | None]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_log", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_it_counts_the_entries_and_cases_of_an_intact_log(make_case):
    make_case()
    make_case()

    output, error = verify()

    assert error is None
    assert "已核验 2 条日志，2 个案件" in output


def test_it_names_the_case_whose_entry_was_edited(make_case):
    intact, tampered = make_case(), make_case()
    with log_edits_allowed():
        LogEntry.objects.filter(case=tampered, seq=1).update(summary="立案：改过的摘要")

    output, error = verify()

    assert error is not None and error.returncode == 1
    assert tampered.case_number in output and "第1条" in output and "篡改" in output
    assert intact.case_number not in output


def test_it_names_the_case_whose_chain_skips_an_entry(make_case, judge):
    case = make_case()
    first = LogEntry.objects.get(case=case, seq=1)
    second = new_entry(case=case, seq=2, prev_hash=first.entry_hash, actor=judge, action=LogAction.NOTE, summary="备注一")
    third = new_entry(case=case, seq=3, prev_hash=second.entry_hash, actor=judge, action=LogAction.NOTE, summary="备注二")
    third.save(force_insert=True)  # the second entry never reaches the table

    output, error = verify()

    assert error is not None
    assert f"{case.case_number}\t第3条\t缺少第2条" in output


def test_it_names_a_case_that_has_no_log_at_all(make_case):
    case = make_case()
    orphan = EnforcementCase.objects.create(
        court=case.court, case_number=f"（{case.year}）{case.court.court_code}执99999号", year=case.year,
        sequence=99999, filed_on=case.filed_on,
    )

    output, error = verify()

    assert error is not None
    assert f"{orphan.case_number}\t—\t没有任何执行日志" in output


def test_court_option_checks_only_that_courts_cases(make_case, other_judge):
    mine = make_case()
    theirs = make_case(actor=other_judge)
    with log_edits_allowed():
        LogEntry.objects.filter(case=theirs).update(reason="改过")

    output, error = verify("--court", mine.court.court_code)
    assert error is None
    assert f"{mine.court.court_code} 执行日志完整：已核验 1 条日志，1 个案件" in output

    output, error = verify("--court", theirs.court.court_code)
    assert error is not None and theirs.case_number in output


def test_an_unknown_court_code_is_refused(db):
    with pytest.raises(CommandError, match="不存在"):
        call_command("verify_log", "--court", "火星01")
