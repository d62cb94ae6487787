"""50 clerks register at the same moment in one court: PostgreSQL must hand out 50 distinct numbers."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from zhixing.cases import services
from zhixing.cases.inputs import parse_case
from zhixing.cases.models import EnforcementCase
from zhixing.testing.fixtures import case_payload


@pytest.mark.postgres_only
def test_fifty_parallel_registrations_never_share_a_case_number(log_flushable, judge):
    payloads = [parse_case(case_payload()) for _ in range(50)]

    def register(data):
        try:
            return services.case_register(actor=judge, data=data).case_number
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=50) as pool:
        numbers = list(pool.map(register, payloads))
    assert len(set(numbers)) == 50
    sequences = sorted(EnforcementCase.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 51))
