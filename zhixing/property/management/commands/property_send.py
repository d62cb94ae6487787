"""`zhixing property-send --court CODE --filed-on DATE --items deposits,vehicles --user USERNAME`:
集约查控 from the command line (e.g. every morning for the cases filed the day before), the same
service as the page and the API."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from zhixing.accounts.models import User
from zhixing.cases.exceptions import DomainError, ValidationFailed
from zhixing.cases.models import EnforcementCase
from zhixing.courts.models import Court
from zhixing.property.checklist import network_items
from zhixing.property.queries import batch_send
from zhixing.property.rules import Group


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} 不是日期（应为 YYYY-MM-DD）") from exc


class Command(BaseCommand):
    help = "Send network queries for the respondents of a court's open cases filed on a day or in a range."

    def add_arguments(self, parser):
        parser.add_argument("--court", required=True, metavar="CODE", help="法院代字，如 京0108")
        parser.add_argument("--filed-on", metavar="DATE", help="立案日期（YYYY-MM-DD）")
        parser.add_argument("--filed-from", metavar="DATE")
        parser.add_argument("--filed-to", metavar="DATE")
        parser.add_argument("--items", default="", help="查控事项代码，逗号分隔；默认为5项网络查控")
        parser.add_argument("--user", required=True, help="发起人的用户名（本院书记员、法官助理、法官或指挥中心）")

    def handle(self, *args, court: str, filed_on, filed_from, filed_to, items: str, user: str, **options):
        try:
            actor = User.objects.select_related("court").get(username=user, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"用户 {user} 不存在") from exc
        try:
            target = Court.objects.get(court_code=court)
        except Court.DoesNotExist as exc:
            raise CommandError(f"法院代字 {court} 不存在") from exc
        if actor.court_id != target.pk:
            raise CommandError(f"用户 {user} 不是 {target.name} 的工作人员")
        if filed_on:
            start = end = _date(filed_on)
        elif filed_from or filed_to:
            start, end = _date(filed_from or filed_to), _date(filed_to or filed_from)
        else:
            raise CommandError("请给出 --filed-on，或 --filed-from / --filed-to")
        codes = [c.strip() for c in items.split(",") if c.strip()] or \
            [i.code for i in network_items(target) if i.group == Group.FIVE]
        cases = EnforcementCase.objects.filter(court=target, filed_on__gte=start, filed_on__lte=end)
        try:
            result = batch_send(actor=actor, cases=cases, item_codes=codes)
        except ValidationFailed as exc:
            raise CommandError("；".join(e.message for e in exc.errors)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for batch in result.batches:
            self.stdout.write(f"{batch.number}\t{batch.requests}\t{batch.request_file}")
        counts = "，".join(f"{reason} {n}" for reason, n in result.skipped_by_reason().items())
        self.stdout.write(result.message.split("；")[0] + (f"；跳过：{counts}" if counts else ""))
