"""A throwaway PostgreSQL server for the tests, from Debian's ``postgresql`` package (``make test`` installs it).

PostgreSQL refuses to run as root, and CI runs as root: then initdb and the server run as ``nobody``, their
data directory a fresh temporary directory given to that user. The server listens on 127.0.0.1 at a free port
(its socket in the same directory) and trusts local connections. For the tests it skips fsync (it lives for
one run); ``benchmarks/store_throughput.py`` starts one that syncs, as a real server does.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

INSTALL_HINT = "run `make test` (it installs Debian's postgresql) or `make postgresql`"
UNPRIVILEGED_USER = "nobody"


def postgresql_bin() -> Path:
    """The newest installed PostgreSQL's bin directory, or a failure that says how to get one."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parent.parent.name))
    if not found:
        pytest.fail(f"/usr/lib/postgresql/*/bin/initdb is missing: {INSTALL_HINT}")
    return Path(found[-1]).parent


class PostgreSQLServer:
    """A running server; ``new_database()`` gives each test its own, empty, database."""

    def __init__(self, port: int, fsync: bool = False):
        self.bin = postgresql_bin()
        self.port = port
        self.fsync = fsync
        self.root = Path(tempfile.mkdtemp(prefix="promise-gap-postgresql-"))
        self.data = self.root / "data"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam(UNPRIVILEGED_USER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as_user = ["runuser", "-u", UNPRIVILEGED_USER, "--"]
        self._names = itertools.count(1)

    def _run(self, *command: str) -> None:
        done = subprocess.run([*self._as_user, *command], cwd=self.root, capture_output=True, text=True,
                              timeout=120)
        if done.returncode:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
            pytest.fail(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}{tail}")

    def start(self) -> PostgreSQLServer:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
        self._start_server()
        return self

    def _start_server(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c max_connections=200"
        if not self.fsync:
            options += " -F"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").is_file():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database on this server."""
        import psycopg

        name = f"workshop_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def restart(self) -> None:
        """Stop the server at once (as a crash would) and start it again on the same data and port."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self._start_server()
