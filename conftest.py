"""Test harness: the same suite on SQLite (default) and on a throwaway PostgreSQL cluster.

`ZHIXING_TEST_DB=postgres pytest` starts a cluster from the local server binaries
(/usr/lib/postgresql/*/bin) in a temporary directory owned by `postgres` (initdb refuses root),
on 127.0.0.1 and a free port, with fsync off; it is removed at the end of the session.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

TEST_DB = os.environ.get("ZHIXING_TEST_DB", "sqlite")


def _pg_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries not found: `make test` installs Debian's postgresql package")
    return Path(candidates[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class ThrowawayCluster:
    def __init__(self):
        self.bin = _pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="zhixing-pg-"))
        self.port = _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"

    def start(self) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                          "-E", "UTF8", "--locale=C.UTF-8"]),
            check=True, capture_output=True,
        )
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"),
                          "-w", "start"]),
            check=True, capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


_cluster: ThrowawayCluster | None = None


def pytest_configure(config):
    global _cluster
    if TEST_DB == "postgres" and _cluster is None and not hasattr(config, "workerinput"):
        _cluster = ThrowawayCluster()
        _cluster.start()
        url = f"postgres://postgres@127.0.0.1:{_cluster.port}/zhixing"
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
