"""Browser tests drive Debian's chromium (never `playwright install`) against pytest-django's live
server. A module sets the screen size by overriding the `viewport` fixture; screenshots go to
var/screenshots/ for a human to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def viewport() -> dict:
    return {"width": 1366, "height": 768}  # a court desktop


@pytest.fixture
def browser_page(viewport):
    if os.environ.get("ZHIXING_SKIP_BROWSER") == "1":
        pytest.skip("ZHIXING_SKIP_BROWSER=1")
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium and CJK fonts "
            "(`apt-get install chromium fonts-noto-cjk`, or `make system-deps`), "
            "or set ZHIXING_SKIP_BROWSER=1 to skip this test"
        )
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls are in
    # its own thread, but fixtures that touch the database run here, after the loop started.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            try:
                # While the loop runs, Django keeps this thread's connections per async context
                # (asgiref's Local): the ORM calls made here since the loop started used a second
                # connection, which nothing else closes. Left open, it blocks DROP DATABASE of the
                # PostgreSQL test database at the end of the run.
                connections.close_all()
            finally:
                browser.close()


@pytest.fixture
def screenshot():
    def take(page, name: str, *, full_page: bool = False) -> Path:
        folder = Path(settings.VAR_DIR) / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        print(f"screenshot: {path}")
        return path

    return take


@pytest.fixture
def log_in(live_server):
    """log_in(page, username, display_name): through the login page, as a user would; waits for the
    user box to show the name."""

    def go(page, username: str, display_name: str) -> None:
        from playwright.sync_api import expect

        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "zhixing-test-pw")
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".user-box")).to_contain_text(display_name)

    return go
