"""A court's lookup limits (财产处置设置): changed by the bureau head or the president only, audited in the
admin history (who, when, before and after) and the `zhixing.audit` logger — there is no case log for
a court setting (as for the case-money settings)."""

from __future__ import annotations

import logging

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction

from zhixing.accounts.models import User
from zhixing.cases.exceptions import FieldError, ValidationFailed
from zhixing.cases.services import ensure_can_act, ensure_role
from zhixing.courts.models import Court

from .models import DisposalSettings
from .rules import SETTINGS_ROLES

audit = logging.getLogger("zhixing.audit")


def settings_update(*, actor: User, court: Court, daily_lookup_limit: int, daily_batch_limit: int) -> DisposalSettings:
    ensure_can_act(actor, court.pk)
    ensure_role(actor, SETTINGS_ROLES, "修改询价次数上限")
    errors = [FieldError(name, "应为1至10000之间的整数")
              for name, value in (("daily_lookup_limit", daily_lookup_limit), ("daily_batch_limit", daily_batch_limit))
              if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10_000]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row, created = DisposalSettings.objects.select_for_update().get_or_create(court=court)
        before = (row.daily_lookup_limit, row.daily_batch_limit)
        if not created and before == (daily_lookup_limit, daily_batch_limit):
            return row
        row.daily_lookup_limit, row.daily_batch_limit, row.updated_by = daily_lookup_limit, daily_batch_limit, actor
        row.save()
        message = f"每人每日询价次数上限 {before[0]} → {daily_lookup_limit}；批量估价次数上限 {before[1]} → {daily_batch_limit}"
        LogEntry.objects.log_actions(actor.pk, [row], ADDITION if created else CHANGE, change_message=message,
                                     single_object=True)
        audit.info("disposal settings of %s changed by %s: %s", court.court_code, actor.username, message)
    return row
