import csv
import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from zhixing.workdays.calendar import invalidate_cache
from zhixing.workdays.models import CalendarDay, CalendarYear, DayKind

KINDS = {"holiday": DayKind.HOLIDAY, "休": DayKind.HOLIDAY, "workday": DayKind.WORKDAY, "班": DayKind.WORKDAY}


class Command(BaseCommand):
    help = (
        "Load a whole year's holidays and make-up workdays from a CSV with the columns "
        "date,kind,name (kind: holiday/休 or workday/班). All-or-nothing; replaces that year's table "
        "and recomputes the stored deadlines of the cases that fall in it (logged as 期限重算)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--source", required=True, help="the notice it comes from, e.g. 国办发明电〔2026〕X号")
        parser.add_argument("--user", help="the administrator loading it (recorded as 载入人 and in the case logs)")

    def handle(self, file: Path, year: int, source: str, user: str | None = None, **options):
        # Imported here: the calendar app is below the cases app and must not import it at module level.
        from zhixing.cases.services import deadlines_recompute

        loaded_by = None
        if user:
            try:
                loaded_by = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"用户 {user} 不存在") from exc
        rows, errors = [], []
        with file.open(encoding="utf-8-sig", newline="") as fh:
            for line_no, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    day = dt.date.fromisoformat((row.get("date") or "").strip())
                except ValueError:
                    errors.append(f"第{line_no}行 date：{row.get('date')!r} 不是有效日期（YYYY-MM-DD）")
                    continue
                kind = KINDS.get((row.get("kind") or "").strip())
                if kind is None:
                    errors.append(f"第{line_no}行 kind：{row.get('kind')!r} 应为 holiday/休 或 workday/班")
                elif day.year != year:
                    errors.append(f"第{line_no}行 date：{day} 不属于 {year} 年")
                else:
                    rows.append(CalendarDay(date=day, kind=kind, name=(row.get("name") or "").strip()))
        if errors:
            raise CommandError("未载入任何数据：\n" + "\n".join(errors))
        if not rows:
            raise CommandError("文件中没有任何日期，未载入。")
        try:
            with transaction.atomic():
                CalendarDay.objects.filter(date__year=year).delete()
                CalendarDay.objects.bulk_create(rows)
                CalendarYear.objects.update_or_create(
                    year=year, defaults={"source": source, "loaded_by": loaded_by, "loaded_at": timezone.now()}
                )
                invalidate_cache()  # the recomputation must count with the table just written
                changed = deadlines_recompute(years={year}, actor=loaded_by, reason=f"载入{year}年节假日安排：{source}")
        finally:
            invalidate_cache()  # committed or rolled back, nobody keeps what was read inside the transaction
        self.stdout.write(f"已载入 {year} 年：{len(rows)} 个节假日/调休日期。")
        self.stdout.write(f"已重算 {changed} 件案件的期限（执行日志记为“期限重算”）。")
        from zhixing.supervision.engine import supervise  # the calendar app sits below supervision

        # The supervision deadlines are counted through the same calendar: move them now, not tonight.
        self.stdout.write(supervise(reason=f"载入{year}年节假日安排后重算：{source}"[:300]).summary)
