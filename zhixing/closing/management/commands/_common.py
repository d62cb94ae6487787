"""What the closing commands share: the acting user of a court, and dates on the command line."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from zhixing.accounts.models import User
from zhixing.courts.models import Court


def actor_of(username: str, court_code: str) -> User:
    try:
        actor = User.objects.select_related("court").get(username=username, is_active=True)
    except User.DoesNotExist as exc:
        raise CommandError(f"用户 {username} 不存在") from exc
    try:
        court = Court.objects.get(court_code=court_code)
    except Court.DoesNotExist as exc:
        raise CommandError(f"法院代字 {court_code} 不存在") from exc
    if actor.court_id != court.pk:
        raise CommandError(f"用户 {username} 不是 {court.name} 的工作人员")
    return actor


def date_arg(text: str | None, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{name} {text!r} 不是有效日期（YYYY-MM-DD）") from exc
