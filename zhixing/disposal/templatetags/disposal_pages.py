"""The case page's line about disposal: `{% load disposal_pages %}{% disposal_case_line case %}` — one line
added to the case page; everything else stays in this app."""

from __future__ import annotations

from django import template

from zhixing.disposal import selectors

register = template.Library()


@register.inclusion_tag("disposal/_case_line.html")
def disposal_case_line(case) -> dict:
    return {"case": case, "summary": selectors.case_summary(case)}
