"""The case page's line about netting: `{% load netting_pages %}{% netting_case_line case %}` — one
line added to the case page, everything else stays in this app."""

from __future__ import annotations

from django import template

from zhixing.netting import selectors

register = template.Library()


@register.inclusion_tag("netting/_case_line.html", takes_context=True)
def netting_case_line(context, case) -> dict:
    proposals = selectors.proposals_for_case(case)
    return {"case": case, "latest": proposals[0] if proposals else None, "count": len(proposals),
            "user": context.get("user")}
