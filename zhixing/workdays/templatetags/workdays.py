"""Showing deadlines whose year may be counted Monday–Friday, and the page's calendar warning."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html

from .. import calendar

register = template.Library()


@register.filter
def deadline(day: dt.date | None) -> str:
    """A stored deadline as Y-m-d. One in a year nobody has loaded gets a trailing “*” and raises the
    page's calendar warning (calendar.note_displayed): it was counted Monday–Friday."""
    if not day:
        return ""
    text = f"{day:%Y-%m-%d}"
    if calendar.note_displayed(day):
        return format_html('{}<abbr class="provisional" title="按周一至周五暂计">*</abbr>', text)
    return text


class BannerAboveBodyNode(template.Node):
    child_nodelists = ("nodelist_banner", "nodelist_body")  # so {% block %}s inside can be overridden

    def __init__(self, nodelist_banner: template.NodeList, nodelist_body: template.NodeList):
        self.nodelist_banner = nodelist_banner
        self.nodelist_body = nodelist_body

    def render(self, context) -> str:
        body = self.nodelist_body.render(context)
        return self.nodelist_banner.render(context) + body


@register.tag
def banner_above_body(parser, token):
    """{% banner_above_body %}banner{% body %}page{% endbanner_above_body %}

    Renders the page first and the banner after it, but outputs the banner above the page: a banner
    about what the page used (the years counted Monday–Friday) must see the deadlines the page displayed,
    not only those the view computed."""
    nodelist_banner = parser.parse(("body",))
    parser.delete_first_token()
    nodelist_body = parser.parse(("endbanner_above_body",))
    parser.delete_first_token()
    return BannerAboveBodyNode(nodelist_banner, nodelist_body)
