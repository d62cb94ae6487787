"""Template helpers of the indicator pages: figures as the clerk reads them, links to the cases behind
a number, and the command-centre big screen's panel (`{% include "indicators/_screen_panel.html" %}`)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl, urlencode

from django import template
from django.urls import reverse

from zhixing.cases.exceptions import DomainError
from zhixing.cases.templatetags.money import fen_to_yuan_text

from .. import periods, selectors
from ..choices import Grain, Tier
from ..rules import CORE_CODES, INDICATORS

register = template.Library()
SCREEN_CODES = (*CORE_CODES, "closure_rate", "amount_realised_rate")
SCOPE_PARAMS = ("court", "team", "handler", "region")


@register.filter
def figure_value(figure) -> str:
    """66.6667 → '66.67%'; no denominator → '—'."""
    if figure is None or figure.value is None:
        return "—"
    return f"{figure.value.quantize(Decimal('0.01')):,}{figure.indicator.unit_label}"


@register.filter
def part_text(figure, part: str) -> str:
    """A numerator or denominator: money in yuan, day totals and counts as integers."""
    if figure is None:
        return "—"
    amount = figure.numerator if part == "numerator" else figure.denominator
    if figure.indicator.numerator.total.endswith("_fen"):
        return f"{fen_to_yuan_text(amount)} 元"
    return f"{amount:,}"


@register.filter
def target_text(indicator) -> str:
    if indicator.target is None:
        return "—"
    sign = "≥" if indicator.direction == "higher" else "≤"
    return f"{sign}{indicator.target:g}{indicator.unit_label}"


@register.filter
def met_class(figure) -> str:
    met = figure.indicator.meets_target(figure.value) if figure is not None else None
    return {True: "met", False: "unmet", None: ""}[met]


@register.filter
def tier_class(tier: str) -> str:
    return f"tier-{tier}" if tier else "tier-none"


@register.filter
def bar_width(figure) -> str:
    """A percentage for a printed bar (0–100)."""
    if figure is None or figure.value is None:
        return "0"
    return str(max(0, min(100, int(figure.value))))


@register.simple_tag
def drill_url(query: str, code: str, part: str = "numerator", **scope) -> str:
    """/indicators/cases/?<scope and period>&indicator=…&part=…. `scope` (court=…, team=…, handler=…)
    names another scope — a row of a breakdown — in place of the page's."""
    params = dict(parse_qsl(query or ""))
    if scope:
        for name in SCOPE_PARAMS:
            params.pop(name, None)
        params.update({k: v for k, v in scope.items() if v not in (None, "")})
    params.update({"indicator": code, "part": part})
    return reverse("indicators:drill") + "?" + urlencode(params)


@register.simple_tag
def scope_url(name: str, query: str, **scope) -> str:
    """A page of this app for another scope (a row of a breakdown), same period."""
    params = dict(parse_qsl(query or ""))
    for key in SCOPE_PARAMS:
        params.pop(key, None)
    params.update({k: v for k, v in scope.items() if v not in (None, "")})
    return reverse(f"indicators:{name}") + "?" + urlencode(params)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


# ---------------------------------------------------------------- the big screen


def screen_panel_data(court, user) -> dict | None:
    """The year so far at one court: the core four, 结案率, 标的到位率 and the Wuhan score, from the
    year's snapshot (else computed live). None when the user may not see the court."""
    try:
        scope = selectors.scope_for(user, court_id=court.pk)
    except DomainError:
        return None
    period = periods.containing(periods.today(), Grain.YEAR)
    board = selectors.board(scope, period)
    card = board.scorecard
    return {
        "court": scope.court,
        "period": period,
        "as_of": board.as_of,
        "source": board.source,
        "figures": [board.figures[code] for code in SCREEN_CODES if code in board.figures],
        "total": card.total,
        "tier": card.tier,
        "tier_label": card.tier_label,
        "tiers": Tier,
        "url": reverse("indicators:overview") + "?" + urlencode({"court": scope.court.pk, "period": period.key}),
        "refresh_url": reverse("indicators:screen_panel") + "?" + urlencode({"court": scope.court.pk}),
    }


@register.simple_tag(takes_context=True)
def indicator_screen_panel(context, court) -> dict | None:
    request = context.get("request")
    if request is None or court is None or not request.user.is_authenticated:
        return None
    return screen_panel_data(court, request.user)


@register.filter
def indicator_name(code: str) -> str:
    return INDICATORS[code].name if code in INDICATORS else code
