"""Debian's nginx as a reverse proxy on loopback in front of edges (`make nginx`), for the tests that need it.

Everything nginx writes (pid, logs, temporary files) lives in a temporary directory, and it runs in
the foreground (``daemon off;``) as a subprocess, so it needs no privilege and leaves nothing behind.
As root, its worker runs as ``nobody`` (the directory is handed to that user). Its logs never hold a
client's address: the access log's format has no ``$remote_addr``, and the error log is kept at
``crit``, since nginx's error lines name the client (``client: 203.0.113.7``).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import _in_ci

NGINX = Path("/usr/sbin/nginx")
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")

CONFIG = """daemon off;
master_process on;
worker_processes 1;
{user}pid {root}/nginx.pid;
error_log {root}/logs/error.log crit;
events {{ worker_connections 512; }}
http {{
    log_format abm '$time_iso8601 "$request_method $uri" $status $upstream_addr $upstream_status $request_time';
    access_log {root}/logs/access.log abm;
{temp_paths}
    upstream abm_edges {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://abm_edges;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-Id $request_id;
            proxy_next_upstream error timeout http_502 http_504 non_idempotent;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


@dataclass
class Nginx:
    port: int
    root: Path

    def logs(self) -> dict[str, str]:
        """Every log file nginx wrote, by name."""
        return {path.name: path.read_text(errors="replace") for path in sorted((self.root / "logs").iterdir())}


def config(root: Path, port: int, upstreams: Sequence[int]) -> str:
    user = ""
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        user = f"user nobody {grp.getgrgid(nobody.pw_gid).gr_name};\n"
    temp_paths = "\n".join(f"    {name}_temp_path {root}/tmp/{name};" for name in TEMP_PATHS)
    servers = "\n".join(f"        server 127.0.0.1:{upstream} max_fails=1 fail_timeout=2s;" for upstream in upstreams)
    return CONFIG.format(user=user, root=root, temp_paths=temp_paths, servers=servers, port=port)


def _listening(port: int) -> bool:
    with contextlib.closing(socket.socket()) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def running_nginx(port: int, upstreams: Sequence[int]) -> Iterator[Nginx]:
    """nginx on 127.0.0.1:`port` balancing over the edges on `upstreams`; stopped and removed afterwards."""
    if not NGINX.exists():
        message = f"needs Debian's nginx at {NGINX}: `make nginx`"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="abm-nginx-"))
    for folder in ("logs", "tmp"):
        (root / folder).mkdir()
    (root / "nginx.conf").write_text(config(root, port, upstreams))
    if os.geteuid() == 0:
        for path in (root, root / "tmp"):
            shutil.chown(path, "nobody")
    command = [str(NGINX), "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "logs" / "error.log")]
    with (root / "logs" / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 10
        while not _listening(port):
            if process.poll() is not None:
                raise AssertionError(f"nginx exited: {(root / 'logs' / 'stderr.log').read_text()}")
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
        yield Nginx(port, root)
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(root, ignore_errors=True)
