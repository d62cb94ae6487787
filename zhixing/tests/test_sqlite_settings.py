"""The SQLite file a new installation gets (zhixing/settings.py), whichever database the suite runs on."""

import sqlite3

import pytest
from django.db.utils import ConnectionHandler

from zhixing.settings import SQLITE_PAGE_SIZE, _sqlite


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    # Connections of their own to files of their own: not the test database.
    with django_db_blocker.unblock():
        yield


def _open(path):
    connection = ConnectionHandler({"default": _sqlite(path)})["default"]
    connection.ensure_connection()
    return connection


def _pragma(connection, name: str):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_a_new_file_gets_16_kib_pages_in_wal_mode(tmp_path):
    connection = _open(tmp_path / "zhixing.sqlite3")
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x INTEGER)")
        assert SQLITE_PAGE_SIZE == 16384
        assert _pragma(connection, "page_size") == SQLITE_PAGE_SIZE
        assert _pragma(connection, "journal_mode") == "wal"
    finally:
        connection.close()


def test_an_existing_file_keeps_its_page_size(tmp_path):
    # The page size of a file with tables can change only by VACUUM (docs/operations.md); opening
    # one made with 4 KiB pages must neither fail nor pretend to have changed it.
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.execute("PRAGMA page_size=4096")
    old.execute("CREATE TABLE t (x INTEGER)")
    old.commit()
    old.close()
    connection = _open(path)
    try:
        assert _pragma(connection, "page_size") == 4096
        assert _pragma(connection, "journal_mode") == "wal"
    finally:
        connection.close()
