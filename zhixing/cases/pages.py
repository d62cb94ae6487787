"""The case as every app's pages look it up: through the visibility selector, so a page answers what the
API answers (another court's case is a 404, never revealed). Kept out of cases/views.py, which imports
the other apps' views for the case page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .exceptions import NotFound
from .models import EnforcementCase
from .selectors import case_get_for_user

READ_ONLY = "上级法院监督角色只能查看，不能办理"


def visible_case(request: HttpRequest, pk: int, *, acting: bool = False) -> EnforcementCase:
    """The case if the user may see it, else a 404. `acting`: a read-only (supervising) user is refused
    first, with a 403, before the case is even looked up."""
    if acting and request.user.is_read_only:
        raise PermissionDenied(READ_ONLY)
    try:
        return case_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
