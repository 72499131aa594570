"""`make cluster`: the dashboard as several replicas behind Debian's nginx, on a throwaway
PostgreSQL, as a network of offices would run it (README, "Deployment: replicas behind a proxy").

    make cluster [PORT=8501] [REPLICAS=2] [DEMO_PASSWORD=...]
    .venv/bin/python scripts/cluster.py [--host 127.0.0.1] [--port 8501] [--replicas 2]
    .venv/bin/python scripts/cluster.py --print-site app1.lan:8501 app2.lan:8501

What runs, every piece on 127.0.0.1 except the proxy (--host):
- PostgreSQL, through scripts/with-test-postgres.sh (a private cluster on a free port, removed
  at the end); a database `mild` in it, migrated and seeded with the demo by manage.py.
- REPLICAS app processes, `uvicorn serve:app --no-access-log` on free ports: the same
  DATABASE_URL, the same generated STREAMLIT_SERVER_COOKIE_SECRET, the same MILD_* settings.
- /usr/sbin/nginx with its own configuration, prefix and logs in the cluster's temp dir (never
  the Debian package's service): sticky by a route cookie, websocket upgrade for Streamlit's
  /_stcore/stream, X-Forwarded-* headers, fail-over to a live replica.

Stickiness: Streamlit keeps each tab's session state, and the files behind /media/ and download
links, in the memory of the process that ran it, so every request of a browser must reach the
same replica from its first one. Debian's nginx has no `sticky` directive; instead the proxy
names the replica that answered in a `mild_route` cookie on every response, and a browser that
sends one goes to that replica's own upstream, where the other replicas are `backup` servers.
A browser without one goes round robin. When its replica is down nginx tries the next (connect
refused, time-out, 502, 503) and the cookie then names the one that answered: the browser
stays there. Signed-in sessions live in the database, so the other replica knows them.

Ctrl-C or SIGTERM stops everything (replicas, nginx, PostgreSQL, temp dirs). A replica that
dies is reported and the others go on serving; if nginx, PostgreSQL or every replica dies,
the cluster says so and stops. Children die with this process even when it is killed
(PR_SET_PDEATHSIG; PostgreSQL's holder when its stdin pipe closes).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")  # Debian's, run with a configuration of our own
WITH_POSTGRES = ROOT / "scripts" / "with-test-postgres.sh"
ROUTE_COOKIE = "mild_route"
DATABASE_NAME = "mild"
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class ClusterError(RuntimeError):
    """Something the cluster needs did not start or stopped; the message says what."""


class Stopped(Exception):
    """SIGTERM or SIGHUP: stop everything, as Ctrl-C does."""


# --- the proxy's configuration (pure) -----------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    """One app replica as the proxy sees it: its route cookie value and its host:port."""

    name: str
    address: str


def replica_names(count: int) -> list[str]:
    return [f"r{i}" for i in range(1, count + 1)]


def backends(addresses: Sequence[str]) -> list[Backend]:
    """The replicas at these IP:port addresses, named r1, r2, ... in the order given. An IP,
    not a host name: the route cookie is named from the address nginx connected to."""
    return [Backend(n, a) for n, a in zip(replica_names(len(addresses)), addresses, strict=True)]


def _block(head: str, lines: Sequence[str]) -> list[str]:
    return [f"{head} {{", *(f"    {line}" if line else "" for line in lines), "}"]


def site_conf(listen: str, replicas: Sequence[Backend]) -> str:
    """What goes inside nginx's `http { }` for the app: upstreams, the route maps, the server.

    The same text serves a clinic's proxy (e.g. /etc/nginx/conf.d/mild.conf, TLS added).
    """
    if not replicas:
        raise ValueError("at least one replica")
    lines = [
        "# The MILD dashboard behind nginx (rendered by scripts/cluster.py; see README,",
        '# "Deployment: replicas behind a proxy"). Sticky by the route cookie from the',
        "# first request on: Streamlit keeps a tab's session and media files in one process.",
        "",
        "# A browser without a (known) route cookie: round robin.",
        *_block("upstream mild_any", [f"server {b.address};" for b in replicas]),
    ]
    for own in replicas:
        lines += ["", f"# {own.name}'s browsers; the others stand in only while it is down."]
        lines += _block(
            f"upstream mild_{own.name}",
            [f"server {own.address};"]
            + [f"server {b.address} backup;" for b in replicas if b != own],
        )
    lines += ["", *_route_maps(replicas), "", *_server(listen)]
    return "\n".join(lines) + "\n"


def _route_maps(replicas: Sequence[Backend]) -> list[str]:
    cookie = "Path=/; HttpOnly; SameSite=Lax$mild_route_secure"
    return [
        *_block(
            f"map $cookie_{ROUTE_COOKIE} $mild_upstream",
            ["default mild_any;", *(f"{b.name} mild_{b.name};" for b in replicas)],
        ),
        "# Secure over HTTPS: TLS in this nginx, or before it (X-Forwarded-Proto, any of a",
        "# list, any case), as the app marks its session cookie; over plain HTTP a Secure",
        "# cookie would not come back.",
        *_block(
            'map "$scheme,$http_x_forwarded_proto" $mild_route_secure',
            ['default "";', '"~*https" "; Secure";'],
        ),
        "# The replica that answered (after a fail-over: the last address tried) names the",
        "# cookie, on every response, so a browser moves with its fail-over and stays there.",
        *_block(
            "map $upstream_addr $mild_route_cookie",
            [
                'default "";',
                *(
                    f'"~(^|, ){re.escape(b.address)}$" "{ROUTE_COOKIE}={b.name}; {cookie}";'
                    for b in replicas
                ),
            ],
        ),
        *_block("map $http_upgrade $connection_upgrade", ["default upgrade;", '"" close;']),
    ]


def _server(listen: str) -> list[str]:
    return _block(
        "server",
        [
            f"listen {listen};",
            "client_max_body_size 200m;  # Streamlit's own upload limit (server.maxUploadSize)",
            "proxy_http_version 1.1;",
            "proxy_set_header Host $http_host;",
            "proxy_set_header Upgrade $http_upgrade;",
            "proxy_set_header Connection $connection_upgrade;",
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "proxy_set_header X-Forwarded-Proto $scheme;",
            "proxy_set_header X-Forwarded-Host $http_host;",
            "proxy_set_header X-Real-IP $remote_addr;",
            "# A replica down: the next one, quickly (refused at once, 2 s to connect at most).",
            "proxy_connect_timeout 2s;",
            "proxy_next_upstream error timeout http_502 http_503;",
            "add_header Set-Cookie $mild_route_cookie always;",
            "",
            *_block("location /", ["proxy_pass http://$mild_upstream;"]),
            "# Streamlit's websocket: one long-lived connection per open tab.",
            *_block(
                "location /_stcore/stream",
                [
                    "proxy_pass http://$mild_upstream;",
                    "proxy_read_timeout 1d;",
                    "proxy_send_timeout 1d;",
                    "proxy_buffering off;",
                ],
            ),
        ],
    )


def nginx_conf(prefix: Path, site: str) -> str:
    """A whole nginx.conf around `site` whose pid, logs and temp files all live in `prefix`,
    run in the foreground: nothing of the Debian package's own set-up is used."""
    temp = [f"{kind}_temp_path {prefix / kind};" for kind in TEMP_PATHS]
    http = ["access_log off;  # no request lines: sign-in tickets travel in query strings", *temp]
    http += ["", *site.rstrip("\n").splitlines()]
    lines = [
        "worker_processes 1;",
        "daemon off;",
        f"pid {prefix / 'nginx.pid'};",
        f"error_log {prefix / 'error.log'} warn;",
        "",
        *_block("events", ["worker_connections 1024;"]),
        "",
        *_block("http", http),
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


# --- processes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    """A process of the cluster: what it is, its address (if it serves one) and its log."""

    name: str
    process: subprocess.Popen
    log: Path
    url: str = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    # Linux: the child gets SIGTERM when this process ends, even by SIGKILL.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(
    command: Sequence[str], log: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen:
    """Start `command` with its output in `log`, no stdin, in a session of its own (a Ctrl-C
    reaches only this script, which stops the children in order), ending with this process."""
    with log.open("ab") as out:
        return subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )


def stop(process: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)


def tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def healthy(url: str) -> bool:
    """Streamlit's /_stcore/health answers ok at `url` (through the proxy or not)."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def wait_for(child: Child, ready: Callable[[], bool], timeout: float = START_TIMEOUT_S) -> bool:
    """True once `ready()`; False if the child ended or `timeout` passed first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return True
        if not child.alive():
            return False
        time.sleep(0.2)
    return False


def _port_taken(log: Path) -> bool:
    return "already in use" in tail(log, 20)


def _healthy_or_relaunched(
    child: Child, relaunch: Callable[[str], Child], attempts: int = 3
) -> Child:
    """`child` once it answers /_stcore/health, or the same server started again on another
    free port when its port was taken meanwhile (`attempts` in all)."""
    for _attempt in range(attempts):
        if wait_for(child, functools.partial(healthy, child.url)):
            return child
        stop(child.process)
        if not _port_taken(child.log):
            break
        child = relaunch(child.name)
    raise ClusterError(
        f"{child.name} did not answer on {child.url}/_stcore/health within "
        f"{START_TIMEOUT_S} s; its log ({child.log}):\n{tail(child.log)}"
    )


def start_replicas(count: int, env: Mapping[str, str], workdir: Path) -> list[Child]:
    """`count` app processes (r1, r2, ...) on free loopback ports, started together; returns
    once each answers /_stcore/health."""

    def launch(name: str) -> Child:
        port = free_port()
        log = workdir / f"{name}.log"
        command = [sys.executable, "-m", "uvicorn", "serve:app", "--no-access-log"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
        return Child(name, spawn(command, log, env), log, f"http://127.0.0.1:{port}")

    started: list[Child] = []
    try:
        for name in replica_names(count):
            started.append(launch(name))
        for i, child in enumerate(started):
            started[i] = _healthy_or_relaunched(child, launch)
    except BaseException:
        for child in started:
            stop(child.process)
        raise
    return started


def start_proxy(host: str, port: int, replicas: Sequence[Child], workdir: Path) -> Child:
    """Debian's nginx on host:port (0: a free one) in front of `replicas`, its configuration,
    pid, logs and temp files under workdir/nginx; returns once it answers through to the app."""
    if not NGINX.exists():
        raise ClusterError(f"nginx is not installed at {NGINX}: `make system-deps` installs it")
    prefix = workdir / "nginx"
    prefix.mkdir(exist_ok=True)
    # nginx's workers run as `nobody` when it starts as root: they must reach the temp dirs.
    for path in (workdir, prefix):
        path.chmod(0o755)
    upstreams = backends([c.url.removeprefix("http://") for c in replicas])
    conf, log = prefix / "nginx.conf", prefix / "error.log"

    def launch(_name: str) -> Child:
        chosen = port or free_port(host)
        conf.write_text(nginx_conf(prefix, site_conf(f"{host}:{chosen}", upstreams)))
        command = [str(NGINX), "-p", str(prefix), "-c", str(conf), "-e", str(log)]
        return Child("nginx", spawn(command, log), log, f"http://{_reachable(host)}:{chosen}")

    return _healthy_or_relaunched(launch("nginx"), launch, attempts=1 if port else 3)


def _reachable(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else host


# --- the database ---------------------------------------------------------------------------------


def start_postgres(workdir: Path) -> tuple[Child, str]:
    """A throwaway PostgreSQL by scripts/with-test-postgres.sh, held open by a `cat` reading
    this process's pipe: closing the pipe (or this process ending) stops and removes it.
    Returns the holder and the server's admin URL."""
    log = workdir / "postgres.log"
    hold = 'echo "$TEST_DATABASE_URL_POSTGRESQL"; exec cat >/dev/null'
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(WITH_POSTGRES), "/bin/sh", "-c", hold],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=out,
            start_new_session=True,
        )
    holder = Child("postgresql", process, log)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT_S)
    url = process.stdout.readline().decode().strip() if ready else ""
    if not url.startswith("postgresql"):
        stop_postgres(holder)
        raise ClusterError(f"PostgreSQL did not start; its log ({log}):\n{tail(log)}")
    return holder, url


def stop_postgres(holder: Child) -> None:
    """Close the holder's pipe: with-test-postgres.sh stops the server and removes its files."""
    if holder.process.stdin:
        with contextlib.suppress(OSError):
            holder.process.stdin.close()
    try:
        holder.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stop(holder.process)


def create_database(admin_url: str, name: str = DATABASE_NAME) -> str:
    """A new empty database `name` on the server of `admin_url`; its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def seed_demo(database_url: str, env: Mapping[str, str]) -> str:
    """Migrate and seed the demo (`manage.py seed`, as `make run` does); its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", "seed"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": database_url},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise ClusterError(f"`manage.py seed` failed:\n{done.stdout}{done.stderr}")
    return done.stdout


# --- the cluster ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    proxy: Child
    replicas: list[Child]
    database_url: str

    def replica(self, name: str) -> Child:
        (found,) = [r for r in self.replicas if r.name == name]
        return found


def replica_env(
    base: Mapping[str, str], database_url: str, cookie_secret: str, base_url: str = ""
) -> dict[str, str]:
    """What every replica shares: the database, Streamlit's cookie secret (it signs the XSRF
    and sign-on cookies any replica must accept), and the caller's MILD_* settings."""
    env = {
        **base,
        "DATABASE_URL": database_url,
        "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    }
    if base_url and not base.get("MILD_BASE_URL"):
        env["MILD_BASE_URL"] = base_url  # the link in a notification: the proxy's address
    return env


@contextlib.contextmanager
def running(
    database_url: str,
    workdir: Path,
    *,
    replicas: int = 2,
    host: str = "127.0.0.1",
    port: int = 0,
    env: Mapping[str, str] | None = None,
) -> Iterator[Cluster]:
    """`replicas` app processes on `database_url` behind nginx on host:port (0: a free port),
    for the block; then nginx and the replicas are stopped."""
    base_url = f"http://{_reachable(host)}:{port}" if port else ""
    shared = replica_env(os.environ if env is None else env, database_url, _secret(), base_url)
    started = start_replicas(replicas, shared, workdir)
    try:
        proxy = start_proxy(host, port, started, workdir)
        try:
            yield Cluster(proxy, started, database_url)
        finally:
            stop(proxy.process)
    finally:
        for child in started:
            stop(child.process)


def _secret() -> str:
    return secrets.token_urlsafe(32)


def summary(cluster: Cluster, seeded: str) -> str:
    """What `make cluster` prints once everything answers."""
    lines = [
        f"MILD cluster: {len(cluster.replicas)} replicas behind nginx",
        f"  proxy       {cluster.proxy.url}   (nginx pid {cluster.proxy.pid}; "
        f"config {cluster.proxy.log.parent / 'nginx.conf'})",
        *(f"  replica {r.name}  {r.url}   (pid {r.pid}; log {r.log})" for r in cluster.replicas),
        f"  database    {cluster.database_url}",
        "",
        *seeded.rstrip().splitlines(),
        "",
        f"Open {cluster.proxy.url}. Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def watch(cluster: Cluster, postgres: Child, interval: float = 0.5) -> None:
    """Until a signal: report a replica that dies (the others go on serving); raise
    ClusterError when nginx, PostgreSQL or every replica has gone."""
    reported: set[str] = set()
    while True:
        for r in cluster.replicas:
            if not r.alive() and r.name not in reported:
                reported.add(r.name)
                left = [o.name for o in cluster.replicas if o.alive()]
                print(
                    f"replica {r.name} (pid {r.pid}) exited unexpectedly with code "
                    f"{r.process.returncode}"
                    + (f"; nginx sends its browsers to {', '.join(left)}" if left else "")
                    + f". Its log ({r.log}):\n{tail(r.log, 10)}",
                    flush=True,
                )
        if len(reported) == len(cluster.replicas):
            raise ClusterError("every replica has exited")
        for needed in (cluster.proxy, postgres):
            if not needed.alive():
                raise ClusterError(
                    f"{needed.name} (pid {needed.pid}) exited unexpectedly with code "
                    f"{needed.process.returncode}; its log ({needed.log}):\n{tail(needed.log)}"
                )
        time.sleep(interval)


def _raise_stopped(signum: int, _frame: object) -> None:
    raise Stopped(signal.Signals(signum).name)


def _ignore_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)


def serve(host: str, port: int, replicas: int) -> int:
    """Everything up, its addresses printed, until Ctrl-C, SIGTERM or a needed part dies."""
    workdir = Path(tempfile.mkdtemp(prefix="mild-cluster-"))
    postgres = None
    try:
        postgres, admin_url = start_postgres(workdir)
        database_url = create_database(admin_url)
        seeded = seed_demo(database_url, os.environ)
        with running(database_url, workdir, replicas=replicas, host=host, port=port) as cluster:
            print(summary(cluster, seeded), flush=True)
            try:
                watch(cluster, postgres)
            except (KeyboardInterrupt, Stopped):
                # No second Ctrl-C cuts the clean-up short (it takes seconds): ignored from
                # here, before the replicas and nginx are stopped.
                _ignore_signals()
                print("\nStopping the replicas, nginx and PostgreSQL ...", flush=True)
    except (KeyboardInterrupt, Stopped):
        _ignore_signals()
        print("\nInterrupted while starting; stopping what had started ...", flush=True)
    finally:
        _ignore_signals()
        if postgres is not None:
            stop_postgres(postgres)
        shutil.rmtree(workdir, ignore_errors=True)
    print("Stopped: no replica, nginx or PostgreSQL is left running; the temp files are gone.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8501))
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS") or 2))
    parser.add_argument(
        "--print-site",
        nargs="+",
        metavar="HOST:PORT",
        help="print the nginx site configuration for these app servers and exit",
    )
    args = parser.parse_args(argv)
    if args.print_site:
        print(site_conf(f"{args.host}:{args.port}", backends(args.print_site)), end="")
        return 0
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    # Ctrl-C even when started in the background, where the shell had SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_stopped)
    signal.signal(signal.SIGHUP, _raise_stopped)
    try:
        return serve(args.host, args.port, args.replicas)
    except ClusterError as problem:
        print(f"cluster: {problem}\nStopped everything.", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
