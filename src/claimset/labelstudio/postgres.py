"""PostgreSQL for the managed Label Studio: a private cluster claimset initialises, starts and stops.

SQLite lets one writer in at a time; a team (several annotators submitting at once, a push or a
pull running beside them) is better served by PostgreSQL. ``server.database: postgresql`` in
``studio.yaml`` (or ``claimset studio up --database postgresql``) runs Label Studio on:

- **a cluster of claimset's own** (``server.postgres.host`` unset): Debian's PostgreSQL binaries
  (``/usr/lib/postgresql/<version>/bin``), data in ``server.postgres.data_dir``
  (``.labelstudio/postgres/``: ``data/`` is the cluster, ``postgres.log`` its log), listening on
  127.0.0.1 only (no unix socket), on a free port chosen at each start, one role with a generated
  password (scram-sha-256) kept in ``.env`` as :data:`PASSWORD_VAR`;
- **or an existing server** (``server.postgres.host`` set): claimset passes its coordinates to
  Label Studio and starts nothing; the password must be in the environment or ``.env``.

PostgreSQL refuses to run as root. When claimset itself runs as root (CI, containers), every
cluster command (initdb, pg_ctl) runs as the unprivileged system user ``server.postgres.run_as``
(``claimset-pg``, created by ``scripts/install_system_deps.sh``), which owns the cluster's directory
and nothing else; the directories between the project root and the cluster get that user's group
with search permission only (mode 0710), so it can reach its directory without reading anything
else of the project. As any other user, the cluster runs as that user.

This module never imports :mod:`claimset.labelstudio.server` (which imports it).
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from claimset.io import write_text
from claimset.labelstudio.client import StudioError
from claimset.labelstudio.envfile import get_secret, redact, set_secrets
from claimset.labelstudio.studio_config import PostgresConfig, StudioConfig

PASSWORD_VAR = "LABEL_STUDIO_POSTGRES_PASSWORD"
DATABASES = ("sqlite", "postgresql")
DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"
MARKER = "claimset-cluster.json"
LOG_FILE = "postgres.log"

# Label Studio reads each database setting as LABEL_STUDIO_<name>, HEARTEX_<name> or <name>
# (core/utils/params.py:get_env, first found wins): a stray variable in the caller's
# environment must not point the managed server at some other database.
_DB_VARS = (
    "DJANGO_DB",
    "POSTGRE_NAME",
    "POSTGRE_USER",
    "POSTGRE_PASSWORD",
    "POSTGRE_HOST",
    "POSTGRE_PORT",
    "DATABASE_NAME",
)
_PREFIXES = ("LABEL_STUDIO_", "HEARTEX_", "")


@dataclass(frozen=True)
class ClusterState:
    """The managed cluster as found on disk (and in its postmaster.pid)."""

    home: Path
    data: Path
    log: Path
    initialised: bool
    running: bool
    pid: int | None = None
    port: int | None = None
    version: str | None = None


def with_database(cfg: StudioConfig, database: str | None) -> StudioConfig:
    """``cfg`` with ``server.database`` replaced (the CLI's ``--database``); None keeps it."""
    if database is None:
        return cfg
    if database not in DATABASES:
        raise StudioError(f"unknown database {database!r}; use one of {', '.join(DATABASES)}")
    return replace(cfg, server=replace(cfg.server, database=database))  # type: ignore[arg-type]


def without_db_vars(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` without any variable Label Studio would read as a database setting."""
    drop = {p + v for p in _PREFIXES for v in _DB_VARS}
    return {k: v for k, v in environ.items() if k not in drop}


def secret_key_name(database: str) -> str:
    """File (in the server's data dir) of the Django SECRET_KEY used with ``database``.

    The key signs the API tokens, which carry only a user id: with one key for both databases
    a token made on one would log in as whoever has that id on the other.
    """
    return "secret_key" if database == "sqlite" else "secret_key.postgresql"


# ---------------------------------------------------------------- where things are


def find_bin_dir(pg: PostgresConfig) -> Path:
    """Directory of initdb/pg_ctl: ``bin_dir`` or the newest Debian PostgreSQL."""
    if pg.bin_dir:
        path = Path(pg.bin_dir)
        if not (path / "pg_ctl").exists():
            raise StudioError(f"server.postgres.bin_dir: {path} has no pg_ctl")
        return path
    found = [p for p in Path("/").glob(DEBIAN_BIN_GLOB.lstrip("/")) if (p / "pg_ctl").exists()]
    if not found:
        raise StudioError(
            "PostgreSQL is not installed: run `bash scripts/install_system_deps.sh` "
            "(Debian's postgresql) or set server.postgres.bin_dir"
        )

    def version(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", p.parent.name)) or (0,)

    return max(found, key=version)


def cluster_home(cfg: StudioConfig) -> Path:
    """The cluster's directory (``data/``, the log, claimset's marker)."""
    return cfg.path(cfg.server.postgres.data_dir)


def run_as(pg: PostgresConfig) -> pwd.struct_passwd | None:
    """The user cluster commands run as: None (this process's user) unless claimset is root."""
    if os.geteuid() != 0:
        return None
    try:
        user = pwd.getpwnam(pg.run_as)
    except KeyError:
        raise StudioError(
            f"running as root, and PostgreSQL refuses to run as root: it runs as the system user "
            f"{pg.run_as!r}, which does not exist; run `bash scripts/install_system_deps.sh` "
            "(creates claimset-pg) or set server.postgres.run_as to an unprivileged user"
        ) from None
    if user.pw_uid == 0:
        raise StudioError(f"server.postgres.run_as: {pg.run_as!r} is root; PostgreSQL refuses it")
    return user


# ---------------------------------------------------------------- running commands


def _run(
    cfg: StudioConfig,
    args: list[str],
    *,
    secret: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    new_session: bool = False,
    input_text: str | None = None,
    timeout: float = 120.0,
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL command as the cluster's user; a failure is a StudioError (redacted)."""
    user = run_as(cfg.server.postgres)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cluster_home(cfg).absolute()),
        "LC_ALL": "C.UTF-8",
        "LANG": "C.UTF-8",
        **(extra_env or {}),
    }
    ids: dict[str, Any] = {}
    if user is not None:
        ids = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    try:
        proc = subprocess.run(
            args,
            env=env,
            cwd=cluster_home(cfg),
            # `input` makes a pipe, which the child reads as it is (never reopened by path, so
            # it works after the switch to the cluster's user too).
            **({"input": input_text} if input_text is not None else {"stdin": subprocess.DEVNULL}),
            capture_output=True,
            text=True,
            timeout=timeout,
            # The postmaster pg_ctl leaves behind must not get the terminal's Ctrl-C (SIGINT is
            # its "fast shutdown") nor share this process's group.
            start_new_session=new_session,
            **ids,
        )
    except subprocess.TimeoutExpired:
        raise StudioError(f"{Path(args[0]).name} did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        out = redact((proc.stdout + proc.stderr)[-1500:], secret)
        raise StudioError(f"{Path(args[0]).name} {args[1]} failed ({proc.returncode}):\n{out}")
    return proc


def _chown(path: Path, user: pwd.struct_passwd | None) -> None:
    if user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)


def _reachable(path: Path, user: pwd.struct_passwd) -> bool:
    proc = subprocess.run(
        ["test", "-w", str(path), "-a", "-x", str(path)],
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=[],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        cwd="/",
    )
    return proc.returncode == 0


def prepare_home(cfg: StudioConfig) -> Path:
    """Create the cluster's directory, owned by the cluster's user, mode 0700; check access."""
    user = run_as(cfg.server.postgres)
    home = cluster_home(cfg).absolute()
    home.mkdir(parents=True, exist_ok=True)
    _chown(home, user)
    os.chmod(home, 0o700)
    if user is None:
        return home
    # Inside the project, private directories on the way (.labelstudio/ is 0700) get the
    # user's group with search permission only: it can reach its directory but list or read
    # nothing. A directory that already grants its group something is left as it is.
    root = Path(cfg.root).absolute()
    for parent in home.parents:
        if parent == root or root not in parent.parents:
            break
        st = parent.stat()
        mode = stat.S_IMODE(st.st_mode)
        if st.st_uid != os.geteuid() or mode & 0o001:
            continue
        if st.st_gid != user.pw_gid and not mode & 0o070:
            os.chown(parent, -1, user.pw_gid)
            os.chmod(parent, mode | 0o010)
        elif st.st_gid == user.pw_gid:
            os.chmod(parent, mode | 0o010)
    if not _reachable(home, user):
        blocking = next(
            (p for p in reversed(home.parents) if not p.stat().st_mode & 0o001),
            home.parent,
        )
        group = grp.getgrgid(blocking.stat().st_gid).gr_name
        raise StudioError(
            f"PostgreSQL runs as {user.pw_name} (it refuses root), who cannot reach {home}: "
            f"{blocking} is mode {stat.S_IMODE(blocking.stat().st_mode):o} (group {group}); "
            f"allow search (`chmod o+x {blocking}`), move the project, or set "
            "server.postgres.data_dir to a directory that user can reach"
        )
    return home


# ---------------------------------------------------------------- the cluster


def cluster_state(cfg: StudioConfig) -> ClusterState:
    """What is on disk: initialised? running (postmaster.pid names a live process)? port?"""
    home = cluster_home(cfg)
    data = home / "data"
    marker = home / MARKER
    version = None
    if marker.exists():
        with contextlib.suppress(ValueError, OSError):
            version = json.loads(marker.read_text()).get("version")
    pid = port = None
    pidfile = data / "postmaster.pid"
    with contextlib.suppress(OSError, ValueError, IndexError):
        lines = pidfile.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    running = pid is not None and _alive(pid)
    return ClusterState(
        home=home,
        data=data,
        log=home / LOG_FILE,
        initialised=marker.exists(),
        running=running,
        pid=pid if running else None,
        port=port if running else None,
        version=version,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _password(cfg: StudioConfig) -> str | None:
    return get_secret(PASSWORD_VAR, cfg.path(cfg.env_file))


def init_cluster(cfg: StudioConfig) -> ClusterState:
    """initdb + the database, once; the password is generated into ``.env`` when absent."""
    state = cluster_state(cfg)
    if state.initialised:
        return state
    pg = cfg.server.postgres
    bindir = find_bin_dir(pg)
    home = prepare_home(cfg)
    user = run_as(pg)
    if state.data.exists():
        # A previous init stopped half-way (nothing of Label Studio's is in it yet).
        if state.running:
            raise StudioError(f"{state.data}: a half-initialised cluster is running; stop it")
        shutil.rmtree(state.data)
    password = _password(cfg)
    if not password:
        password = secrets.token_urlsafe(24)
        set_secrets(cfg.path(cfg.env_file), {PASSWORD_VAR: password})
    # initdb reads the password from a file only its user can read, removed right after.
    pwfile = home / ".initdb-password"
    fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password + "\n")
    _chown(pwfile, user)
    try:
        _run(
            cfg,
            [
                str(bindir / "initdb"),
                "--pgdata",
                str(state.data.absolute()),
                "--username",
                pg.user,
                "--pwfile",
                str(pwfile),
                "--auth",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                "--no-locale",
            ],
            secret=password,
        )
    finally:
        pwfile.unlink(missing_ok=True)
    conf = state.data / "postgresql.conf"
    with open(conf, "a", encoding="utf-8") as fh:
        fh.write(
            "\n# claimset: reachable from this machine only, over TCP, with a password\n"
            "listen_addresses = '127.0.0.1'\n"
            "unix_socket_directories = ''\n"
            "password_encryption = 'scram-sha-256'\n"
        )
    hba = state.data / "pg_hba.conf"
    write_text(
        hba,
        "# claimset: Label Studio's role, from 127.0.0.1, with its password; nothing else\n"
        f"host all {pg.user} 127.0.0.1/32 scram-sha-256\n",
    )
    _chown(hba, user)
    os.chmod(hba, 0o600)
    started = _start(cfg, bindir, password)
    try:
        _run(
            cfg,
            [
                str(bindir / "createdb"),
                "--host",
                "127.0.0.1",
                "--port",
                str(started.port),
                "--username",
                pg.user,
                "--owner",
                pg.user,
                "--no-password",
                pg.name,
            ],
            secret=password,
            extra_env={"PGPASSWORD": password},
        )
    except StudioError:
        _stop(cfg, bindir)
        raise
    out = _run(cfg, [str(bindir / "pg_ctl"), "--version"]).stdout
    found = re.search(r"\(PostgreSQL\) (\S+)", out)
    version = found.group(1) if found else out.strip()
    write_text(
        home / MARKER,
        json.dumps({"version": version, "database": pg.name, "user": pg.user}, sort_keys=True)
        + "\n",
    )
    return cluster_state(cfg)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(cfg: StudioConfig, bindir: Path, password: str) -> ClusterState:
    pg = cfg.server.postgres
    state = cluster_state(cfg)
    if state.running:
        return state
    port = pg.port or _free_port()
    try:
        _run(
            cfg,
            [
                str(bindir / "pg_ctl"),
                "start",
                "--pgdata",
                str(state.data.absolute()),
                "--log",
                str(state.log.absolute()),
                "--wait",
                "--timeout",
                str(int(pg.start_timeout)),
                "--options",
                f"-p {port}",
            ],
            secret=password,
            new_session=True,
            timeout=pg.start_timeout + 10,
        )
    except StudioError as exc:
        tail = state.log.read_text(errors="replace")[-1500:] if state.log.exists() else ""
        raise StudioError(f"{exc}\nlast lines of {state.log}:\n{redact(tail, password)}") from None
    return cluster_state(cfg)


def _stop(cfg: StudioConfig, bindir: Path) -> None:
    state = cluster_state(cfg)
    _run(
        cfg,
        [
            str(bindir / "pg_ctl"),
            "stop",
            "--pgdata",
            str(state.data.absolute()),
            "--mode",
            "fast",
            "--wait",
            "--timeout",
            "60",
        ],
        timeout=70,
    )


def start_cluster(cfg: StudioConfig) -> ClusterState:
    """Initialise (first time) and start the managed cluster; returns it running."""
    state = init_cluster(cfg)
    password = _password(cfg) or _new_password(cfg, state)
    # Also when it runs: `pg_ctl stop` must reach the data dir again (start_server resets
    # .labelstudio/ to 0700 before it gets here).
    prepare_home(cfg)
    if state.running:
        return state
    return _start(cfg, find_bin_dir(cfg.server.postgres), password)


def _new_password(cfg: StudioConfig, state: ClusterState) -> str:
    """``.env`` lost the password: set a new one in single-user mode (the cluster is stopped),
    then store it. The data stays; only the role's password changes."""
    if state.running:
        raise StudioError(
            f"{PASSWORD_VAR} is in neither the environment nor {cfg.path(cfg.env_file)}, and the "
            f"cluster in {state.home} runs; `claimset studio down`, then `studio up` sets a new one"
        )
    password = secrets.token_urlsafe(24)
    role = '"' + cfg.server.postgres.user.replace('"', '""') + '"'
    _run(
        cfg,
        [
            str(find_bin_dir(cfg.server.postgres) / "postgres"),
            "--single",
            "-D",
            str(state.data.absolute()),
            "postgres",
        ],
        secret=password,
        # urlsafe characters only: nothing to escape inside the quotes
        input_text=f"ALTER ROLE {role} WITH PASSWORD '{password}';\n",
    )
    set_secrets(cfg.path(cfg.env_file), {PASSWORD_VAR: password})
    return password


def stop_cluster(cfg: StudioConfig) -> bool:
    """Stop the managed cluster (fast shutdown: open sessions end); False if it was not running."""
    state = cluster_state(cfg)
    if not state.running or state.pid is None:
        return False
    try:
        _stop(cfg, find_bin_dir(cfg.server.postgres))
    except StudioError:
        # pg_ctl could not (e.g. binaries removed): the postmaster's own fast-shutdown signal.
        with contextlib.suppress(ProcessLookupError):
            os.kill(state.pid, signal.SIGINT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _alive(state.pid):
            time.sleep(0.2)
    return True


# ---------------------------------------------------------------- what Label Studio gets


def django_env(cfg: StudioConfig, database: str, *, start: bool = False) -> dict[str, str]:
    """Label Studio's database variables for ``database``; ``start`` starts a managed cluster.

    Verified against label_studio/core/settings/base.py and label_studio.py (1.23.2):
    ``DJANGO_DB`` picks ``DATABASES_ALL[...]`` ("sqlite" or "default"/"postgresql"), which reads
    ``POSTGRE_NAME``, ``POSTGRE_USER``, ``POSTGRE_PASSWORD``, ``POSTGRE_HOST``, ``POSTGRE_PORT``;
    the driver is psycopg 3 (``psycopg[binary]`` in requirements-labelstudio.lock).
    """
    if database == "sqlite":
        return {"DJANGO_DB": "sqlite"}
    if database != "postgresql":
        raise StudioError(f"unknown database {database!r}; use one of {', '.join(DATABASES)}")
    pg = cfg.server.postgres
    if pg.host:
        if not pg.port:
            raise StudioError("server.postgres.port: set the port of the existing server")
        host, port = pg.host, pg.port
    else:
        state = start_cluster(cfg) if start else cluster_state(cfg)
        if not state.running or state.port is None:
            raise StudioError(
                f"the PostgreSQL cluster in {state.home} is not running (`claimset studio up`)"
            )
        host, port = "127.0.0.1", state.port
    password = _password(cfg)
    if not password:
        raise StudioError(
            f"set {PASSWORD_VAR} (the password of PostgreSQL role {pg.user!r}) in the environment "
            f"or in {cfg.path(cfg.env_file)}"
        )
    return {
        "DJANGO_DB": "default",
        "POSTGRE_NAME": pg.name,
        "POSTGRE_USER": pg.user,
        "POSTGRE_PASSWORD": password,
        "POSTGRE_HOST": host,
        "POSTGRE_PORT": str(port),
    }


def describe(cfg: StudioConfig, database: str, running: bool) -> list[str]:
    """Lines for ``studio status``: the database the server runs on (or would), and the cluster."""
    pg = cfg.server.postgres
    st = cluster_state(cfg)
    head = "database:" if running else "database (server.database, for the next `studio up`):"
    if database == "sqlite":
        lines = [f"{head} sqlite ({cfg.path(cfg.server.data_dir) / 'label_studio.sqlite3'})"]
    elif pg.host:
        lines = [f"{head} postgresql, existing server {pg.host}:{pg.port}, database {pg.name}"]
    else:
        lines = [f"{head} postgresql"]
    # The managed cluster, also when the server runs on SQLite (its data is still there).
    where = f"  PostgreSQL cluster in {st.home}"
    if st.initialised:
        where += f" (PostgreSQL {st.version or '?'}, database {pg.name})"
        state = f"running (pid {st.pid}) on 127.0.0.1:{st.port}" if st.running else "stopped"
        lines.append(f"{where}: {state}")
    elif database == "postgresql" and not pg.host:
        lines.append(f"{where}: not initialised yet (`claimset studio up` does it)")
    return lines
