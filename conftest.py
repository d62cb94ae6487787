"""Test harness: the same suite on SQLite (default) and on a throwaway PostgreSQL cluster.

`ZHIXING_TEST_DB=postgres pytest` starts a cluster from the local server binaries
(/usr/lib/postgresql/*/bin) in a temporary directory owned by `postgres` (initdb refuses root),
on 127.0.0.1 and a free port, with fsync off; it is removed at the end of the session.
"""

from __future__ import annotations

import os

import pytest

from zhixing.testing.pgcluster import ThrowawayCluster

TEST_DB = os.environ.get("ZHIXING_TEST_DB", "sqlite")


_cluster: ThrowawayCluster | None = None


def pytest_configure(config):
    global _cluster
    if TEST_DB == "postgres" and _cluster is None and not hasattr(config, "workerinput"):
        _cluster = ThrowawayCluster()
        _cluster.start()
        url = _cluster.url("zhixing")
        os.environ["DATABASE_URL"] = url
        # pytest-django has already read the settings: point the default database at the cluster
        # before any connection is opened (the test database is created later, at first use).
        from django.conf import settings
        from django.db import connections

        from zhixing.settings import database_from_url

        settings.DATABASES["default"] = {**database_from_url(url), "CONN_MAX_AGE": 0}
        connections.__dict__.pop("settings", None)
        try:
            del connections["default"]  # a SQLite wrapper may already exist from settings checks
        except AttributeError:
            pass


def pytest_unconfigure(config):
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None


def pytest_report_header(config):
    return f"zhixing test database: {TEST_DB}"


@pytest.fixture(scope="session", autouse=True)
def _database_is_the_one_asked_for(django_db_blocker):
    from django.db import connection

    expected = "postgresql" if TEST_DB == "postgres" else "sqlite"
    assert connection.vendor == expected, f"tests asked for {expected} but run on {connection.vendor}"


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (run with ZHIXING_TEST_DB=postgres)")
    for item in items:
        if "postgres_only" in item.keywords and TEST_DB != "postgres":
            item.add_marker(skip_pg)


pytest_plugins = ["zhixing.testing.fixtures"]
