"""A search's storage and remote: the user's mistakes in one line each: a database that cannot
be reached, a driver that is not installed, a clone without the remotes that `--remote` pushes to. (The
PostgreSQL server itself, a refused login and several machines: test_database.py.)"""

import socket

import pytest
from helpers import dvc, run

from lstm_tuning.errors import UserError
from lstm_tuning.search.run import check_remote
from lstm_tuning.search.storage import database_url, shown, storage


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_database_that_cannot_be_reached_is_one_line_without_its_password():
    url = f"postgresql://optuna:secret@127.0.0.1:{closed_port()}/studies"
    with pytest.raises(UserError) as error:
        storage(url)
    line = str(error.value)
    assert "\n" not in line and "secret" not in line, line
    assert line.startswith(f"--storage {url.replace('secret', '***')}: cannot open the database: connection failed")
    assert "Connection refused" in line, line


def test_a_missing_driver_names_the_package_to_install():
    url = f"mysql://u@127.0.0.1:{closed_port()}/studies"  # PyMySQL is no dependency: really missing here
    with pytest.raises(UserError, match=rf"^--storage {url}: the mysql driver \(pymysql\) is not installed: "
                                        r"pip install 'PyMySQL'$"):
        storage(url)


def test_urls_name_the_installed_driver_and_hide_the_password():
    assert database_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert database_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"  # the user's choice
    assert database_url("sqlite:///s.db") == "sqlite:///s.db"
    assert shown("postgresql://u:p@h:5432/db") == "postgresql://u:***@h:5432/db"


@pytest.mark.slow  # real git and DVC commands
def test_a_remote_to_push_to_that_is_missing_is_one_line(tmp_path, monkeypatch):
    run(["git", "init", "-q"], cwd=tmp_path)
    dvc("init", "-q", cwd=tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match=r"^--remote origin: no git remote 'origin' in this clone .*; add it with "
                                        r"`git remote add origin <url>`$"):
        check_remote("origin")
    run(["git", "remote", "add", "origin", str(tmp_path / "elsewhere")], cwd=tmp_path)
    with pytest.raises(UserError, match=r"^--remote origin: no default DVC remote for the trials' outputs; add one "
                                        r"with `dvc remote add -d <name> <url>`$"):
        check_remote("origin")
    dvc("remote", "add", "-d", "shared", str(tmp_path / "dvc-remote"), cwd=tmp_path)
    check_remote("origin")
