"""A throwaway PostgreSQL cluster for the tests that need the real thing (one per test session).

Import the fixtures from a test module: ``from tests.postgres import postgres_cluster, postgres_url``.
The cluster uses Debian's ``postgresql`` binaries (``make postgres``), lives in a temporary
directory, listens on a free loopback port, and is stopped at the end of the session. As root it
runs as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import getpass
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import _in_ci, free_port

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
_names = itertools.count(1)


@dataclass
class PostgresCluster:
    """A running cluster: its admin URL, and a way to stop and start it (tests of a database that goes away)."""

    bin: Path
    data: Path
    port: int
    user: str
    as_user: list[str]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}:abm-test@127.0.0.1:{self.port}/{database}"

    def run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / tool), *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        log = self.data.parent / "server.log"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(log), "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; "immediate" skips the shutdown checkpoint (the cluster is thrown away)."""
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self) -> str:
        """A new empty database; return its URL."""
        import psycopg

        name = f"abm_test_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[PostgresCluster]:
    """A new cluster in a temporary directory, started; stopped and removed afterwards (tests, benchmarks)."""
    root = Path(tempfile.mkdtemp(prefix="abm-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        user, as_user = "postgres", ["runuser", "-u", "postgres", "--"]
    else:
        user, as_user = getpass.getuser(), []
    cluster = PostgresCluster(BIN_DIRS[0], root / "data", free_port(), user, as_user)
    password = root / "password"
    password.write_text("abm-test\n")
    if as_user:
        shutil.chown(password, "postgres")
    cluster.run(
        "initdb", "-D", str(cluster.data), "-U", user, f"--pwfile={password}", "--auth=scram-sha-256",
        "--locale=C", "--encoding=UTF8", "--no-sync",
    )
    settings = {"listen_addresses": "127.0.0.1", "port": cluster.port, "unix_socket_directories": root, "fsync": "off"}
    with (cluster.data / "postgresql.conf").open("a") as conf:
        conf.writelines(f"{name} = '{value}'\n" for name, value in settings.items())
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    if not BIN_DIRS or not (BIN_DIRS[0] / "initdb").exists():
        message = "needs Debian's postgresql (initdb, pg_ctl under /usr/lib/postgresql/*/bin): `make postgres`"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """The URL of a new, empty database in the session's cluster."""
    return postgres_cluster.create_database()
