"""The main navigation: every page it links to opens for the people who use it."""

from __future__ import annotations

import re

import pytest

from zhixing.accounts.choices import Role
from zhixing.testing.fixtures import make_user

pytestmark = pytest.mark.django_db


def nav_links(html: str) -> list[str]:
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="([^"]+)"', nav)


def test_every_link_of_the_main_navigation_opens_for_a_bureau_head(client, courts):
    head = make_user("nav_head", courts["court"], Role.BUREAU_HEAD)
    client.force_login(head)
    links = nav_links(client.get("/cases/").content.decode())
    # the 办案专项 menu carries the triage, related-case, disposal, netting and closing desks
    for expected in ("/triage/assign/", "/bundles/", "/disposal/", "/netting/", "/closing/", "/indicators/"):
        assert expected in links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_menu_marks_the_area_the_user_is_in(client, courts):
    client.force_login(make_user("nav_head2", courts["court"], Role.BUREAU_HEAD))
    page = client.get("/disposal/").content.decode()
    assert '<details class="nav-more active">' in page
    assert '<details class="nav-more">' in client.get("/cases/").content.decode()
