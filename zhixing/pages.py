"""Helpers every app's pages share: recognising htmx requests and turning a service's refusal into
a form error (its HTTP status kept) or a 404 — the same answers as the API."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest

from zhixing.cases.exceptions import DomainError, NotFound


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def run_service(form, call: Callable[[], object]) -> tuple[object | None, int]:
    """Call a service; a refusal goes onto the form with its status, NotFound becomes a 404."""
    try:
        return call(), 200
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        form.add_domain_error(exc)
        return None, exc.http_status
