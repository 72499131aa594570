"""The proxy configuration `make cluster` renders (scripts/cluster.py): sticky by the route
cookie, fail-over to the other replicas, Streamlit's websocket, everything nginx writes kept in
the cluster's own directory. The browser test (tests/browser/test_cluster.py) runs it."""

from __future__ import annotations

import contextlib
import http.server
import re
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from scripts.cluster import (
    NGINX,
    ROUTE_COOKIE,
    backends,
    free_port,
    nginx_conf,
    site_conf,
    stop,
)

REPLICAS = backends(["127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"])
SITE = site_conf("127.0.0.1:8501", REPLICAS)


def block(conf: str, head: str) -> list[str]:
    """The directives directly inside `head { ... }` (nested blocks left out)."""
    lines = conf.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{head} {{")
    depth, inside = 0, []
    for line in lines[start + 1 :]:
        text = line.split("#", 1)[0].strip()
        if text.endswith("{"):
            depth += 1
        elif text == "}":
            if depth == 0:
                return inside
            depth -= 1
        elif text and depth == 0:
            inside.append(text)
    raise AssertionError(f"{head} is not closed")


def route_cookie_for(upstream_addr: str) -> str:
    """What the route cookie map gives for nginx's $upstream_addr (its regexes are PCRE, and
    these ones mean the same in Python)."""
    for line in block(SITE, "map $upstream_addr $mild_route_cookie")[1:]:
        pattern, value = re.fullmatch(r'"~(.+)" "(.*)";', line).groups()
        if re.search(pattern, upstream_addr):
            return value
    return ""


def test_a_browser_with_a_route_cookie_goes_to_its_replica_and_the_others_stand_by():
    for own in REPLICAS:
        servers = block(SITE, f"upstream mild_{own.name}")
        others = [f"server {b.address} backup;" for b in REPLICAS if b != own]
        assert servers == [f"server {own.address};", *others]
    chosen = block(SITE, f"map $cookie_{ROUTE_COOKIE} $mild_upstream")
    assert chosen == ["default mild_any;", "r1 mild_r1;", "r2 mild_r2;", "r3 mild_r3;"]


def test_a_newcomer_or_an_unknown_route_goes_round_robin_to_every_replica():
    assert block(SITE, "upstream mild_any") == [f"server {b.address};" for b in REPLICAS]


def test_the_replica_that_answered_names_the_route_cookie_even_after_a_fail_over():
    cookie = route_cookie_for("127.0.0.1:9002")
    assert cookie == f"{ROUTE_COOKIE}=r2; Path=/; HttpOnly; SameSite=Lax$mild_route_secure"
    # r1 refused the connection; r3 answered: the browser stays on r3 from now on.
    assert route_cookie_for("127.0.0.1:9001, 127.0.0.1:9003").startswith(f"{ROUTE_COOKIE}=r3;")
    assert route_cookie_for("127.0.0.1:19001") == ""  # a port that merely ends alike
    server = block(SITE, "server")
    assert "add_header Set-Cookie $mild_route_cookie always;" in server


def test_a_dead_replica_is_passed_over_quickly_and_the_headers_name_the_browser():
    server = block(SITE, "server")
    assert "proxy_next_upstream error timeout http_502 http_503;" in server
    assert "proxy_connect_timeout 2s;" in server
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert any(line.startswith(f"proxy_set_header {header} ") for line in server)


def test_streamlits_websocket_is_upgraded_and_may_stay_open_all_day():
    server = block(SITE, "server")
    assert "proxy_http_version 1.1;" in server
    assert "proxy_set_header Upgrade $http_upgrade;" in server
    assert "proxy_set_header Connection $connection_upgrade;" in server
    stream = block(SITE, "location /_stcore/stream")
    assert "proxy_pass http://$mild_upstream;" in stream
    assert "proxy_read_timeout 1d;" in stream


def test_nginx_keeps_its_pid_logs_and_temp_files_in_the_clusters_directory(tmp_path: Path):
    conf = nginx_conf(tmp_path, SITE)
    top = block(f"main {{\n{conf}}}", "main")
    assert "daemon off;" in top
    assert f"pid {tmp_path / 'nginx.pid'};" in top
    assert f"error_log {tmp_path / 'error.log'} warn;" in top
    paths = [line.split()[1].rstrip(";") for line in block(conf, "http") if "_temp_path " in line]
    assert len(paths) == 5 and all(p.startswith(f"{tmp_path}/") for p in paths)
    assert "access_log off;" in block(conf, "http")


@pytest.mark.skipif(not NGINX.exists(), reason=f"nginx is not installed at {NGINX}")
def test_nginx_accepts_the_configuration(tmp_path: Path):
    tmp_path.chmod(0o755)  # nginx's workers (nobody, when run as root) create the temp dirs
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_conf(tmp_path, SITE))
    checked = subprocess.run(
        [str(NGINX), "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr


class _Upstream(http.server.BaseHTTPRequestHandler):
    """A replica that answers every request with 200."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.mark.skipif(not NGINX.exists(), reason=f"nginx is not installed at {NGINX}")
def test_the_route_cookie_is_secure_over_https_and_plain_over_http(tmp_path: Path):
    """nginx itself, in front of one replica: the route cookie it sets is Secure when the
    browser came over HTTPS (here: a TLS front's X-Forwarded-Proto, alone, in a list, in any
    case), as the session cookie is, and not over plain HTTP, where a Secure cookie would never
    come back."""
    tmp_path.chmod(0o755)  # nginx's workers (nobody, when run as root) create the temp dirs
    port, log = free_port(), tmp_path / "e.log"
    with contextlib.ExitStack() as stack:
        replica = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
        stack.callback(replica.server_close)
        threading.Thread(target=replica.serve_forever, daemon=True).start()
        stack.callback(replica.shutdown)
        site = site_conf(f"127.0.0.1:{port}", backends([f"127.0.0.1:{replica.server_port}"]))
        conf = tmp_path / "nginx.conf"
        conf.write_text(nginx_conf(tmp_path, site))
        nginx = subprocess.Popen(
            [str(NGINX), "-p", str(tmp_path), "-c", str(conf), "-e", str(log)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        stack.callback(stop, nginx)

        def route_cookie(**headers: str) -> str | None:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers=headers)
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.headers.get("Set-Cookie")

        deadline = time.monotonic() + 20
        while True:
            try:
                plain = route_cookie()
                break
            except OSError:
                started = nginx.poll() is None and time.monotonic() < deadline
                assert started, log.read_text() if log.exists() else "nginx did not start"
                time.sleep(0.1)
        cookie = f"{ROUTE_COOKIE}=r1; Path=/; HttpOnly; SameSite=Lax"
        assert plain == cookie
        for proto in ("https", "http, https", "HTTPS"):
            assert route_cookie(**{"X-Forwarded-Proto": proto}) == f"{cookie}; Secure", proto
        assert route_cookie(**{"X-Forwarded-Proto": "http"}) == cookie
