import pytest

from zhixing.cases.models import LogEntry


def test_a_registered_case_gets_a_number_and_opens_its_log(make_case, judge):
    case = make_case()
    assert case.case_number.startswith(f"（{case.filed_on.year}）京0108执")
    assert LogEntry.objects.filter(case=case).count() == 1


def test_the_database_refuses_to_edit_a_log_entry(make_case):
    from django.db import IntegrityError, InternalError, OperationalError, transaction

    case = make_case()
    with pytest.raises((IntegrityError, InternalError, OperationalError)), transaction.atomic():
        LogEntry.objects.filter(case=case).update(summary="改过了")
