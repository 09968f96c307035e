"""The local Label Studio server: its own virtualenv, start, stop, status, first-run setup.

Label Studio pins Django, boto3 and pyarrow versions that must not constrain claimset's own
environment, so it lives in ``.venv-labelstudio`` installed from ``requirements-labelstudio.lock``
(hash-pinned). The server binds to 127.0.0.1 only, keeps its SQLite database and uploads in a
git-ignored data directory under the project, and is tracked by a pid file there, so
``studio down`` stops exactly the process ``studio up`` started.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from claimset.io import write_json, write_text
from claimset.labelstudio import accounts, postgres
from claimset.labelstudio.client import StudioError
from claimset.labelstudio.envfile import (
    ADMIN_PASSWORD_VAR,
    ADMIN_USER_VAR,
    TOKEN_VAR,
    URL_VAR,
    annotator_var,
    get_secret,
    set_secrets,
)
from claimset.labelstudio.studio_config import StudioConfig, load_annotators

PID_FILE = "server.json"
LOG_FILE = "server.log"
STAMP = ".claimset-lock.sha256"

# Environment of the managed server. Each setting says why it is there.
SERVER_ENV = {
    # No phone-home: the machine may have no internet, and a release check slows the start.
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    # INFO logs a line per request; at 50k-task imports that is pure overhead.
    "LOG_LEVEL": "WARNING",
    # 1.23 parses the whole label config again for every imported prediction when this flag
    # is on (~2 ms each: a 50k-task push drops from >4,000 to ~400 tasks/s). claimset
    # validates every prediction against the label config itself before pushing (push.py).
    "fflag_feat_utc_210_prediction_validation_15082025": "false",
}


@dataclass
class ServerState:
    """What ``studio status`` reports about the managed server."""

    url: str
    pid: int | None
    running: bool
    healthy: bool
    data_dir: Path
    log: Path
    version: str | None = None
    database: str = "sqlite"


@dataclass
class UpResult:
    """What ``studio up`` did."""

    url: str
    admin: str
    started: bool
    token_created: bool
    annotators_created: list[str] = field(default_factory=list)
    env_file: Path = Path(".env")
    seconds: float = 0.0
    database: str = "sqlite"


# ---------------------------------------------------------------- virtualenv


def venv_python(cfg: StudioConfig) -> Path:
    """The Python of the Label Studio virtualenv."""
    return cfg.path(cfg.server.venv) / "bin" / "python"


def _uv() -> list[str] | None:
    beside = Path(sys.executable).parent / "uv"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("uv")
    return [found] if found else None


def ensure_venv(cfg: StudioConfig) -> bool:
    """Create or update ``.venv-labelstudio`` from the lock file; True when it installed anything."""
    venv = cfg.path(cfg.server.venv)
    lock = cfg.path(cfg.server.lock)
    if not lock.exists():
        raise StudioError(
            f"{lock}: lock file not found (it pins label-studio=={cfg.server.version})"
        )
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = venv / STAMP
    if (
        stamp.exists()
        and stamp.read_text().strip() == digest
        and (venv / "bin" / "label-studio").exists()
    ):
        return False
    if not venv_python(cfg).exists():
        base = shutil.which(cfg.server.python) or sys.executable
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
    uv = _uv()
    if uv:
        cmd = [*uv, "pip", "sync", "--quiet", "--python", str(venv_python(cfg)), str(lock)]
    else:
        cmd = [
            str(venv_python(cfg)),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--require-hashes",
            "-r",
            str(lock),
        ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise StudioError(f"installing Label Studio into {venv} failed:\n{proc.stderr[-2000:]}")
    out = subprocess.run(
        [str(venv_python(cfg)), "-c", "import label_studio; print(label_studio.__version__)"],
        capture_output=True,
        text=True,
    )
    if out.stdout.strip() != cfg.server.version:
        raise StudioError(
            f"{venv}: has label-studio {out.stdout.strip() or '?'} but studio.yaml pins {cfg.server.version}; "
            f"regenerate {lock.name}"
        )
    write_text(stamp, digest + "\n")
    return True


# ---------------------------------------------------------------- process


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child (started by this very process) still answers kill(0): check its state.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _health(url: str, timeout: float = 5.0) -> bool:
    try:
        r = httpx.get(url + "/health", timeout=timeout)
    except httpx.HTTPError:
        return False
    return r.status_code == 200 and '"UP"' in r.text


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _secret_key(data_dir: Path, name: str = "secret_key") -> str:
    # Django's SECRET_KEY signs the JWT API tokens: a random key per start (Label Studio's
    # default without one) would invalidate every stored token at each restart.
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    write_text(path, key + "\n")
    os.chmod(path, 0o600)
    return key


def read_state(cfg: StudioConfig) -> ServerState:
    """Pid file + liveness + /health of the managed server."""
    data_dir = cfg.path(cfg.server.data_dir)
    pid_path = data_dir / PID_FILE
    pid = None
    url = cfg.url
    version = None
    database: str = cfg.server.database
    if pid_path.exists():
        info = json.loads(pid_path.read_text())
        pid, url, version = int(info["pid"]), str(info["url"]), info.get("version")
        database = str(info.get("database", "sqlite"))
    running = pid is not None and _pid_alive(pid)
    return ServerState(
        url=url,
        pid=pid if running else None,
        running=running,
        healthy=running and _health(url),
        data_dir=data_dir,
        log=data_dir / LOG_FILE,
        version=version,
        database=database,
    )


def start_server(cfg: StudioConfig, admin_email: str, admin_password: str) -> ServerState:
    """Start Label Studio in the background and wait for /health; returns its state."""
    state = read_state(cfg)
    if state.running and state.database != cfg.server.database:
        raise StudioError(
            f"Label Studio already runs on {state.database}; `claimset studio down` first to "
            f"switch it to {cfg.server.database}"
        )
    if state.running:
        if not state.healthy and not _wait_healthy(
            state.url, state.pid, cfg.server.start_timeout, state.log
        ):
            raise StudioError(
                f"Label Studio (pid {state.pid}) runs but {state.url}/health does not answer"
            )
        return state
    if not _port_free(cfg.server.host, cfg.server.port):
        raise StudioError(
            f"port {cfg.server.port} on {cfg.server.host} is taken by another program; "
            "set server.port in configs/labelstudio/studio.yaml"
        )
    data_dir = cfg.path(cfg.server.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    database = cfg.server.database
    # Starts claimset's own PostgreSQL cluster first when the database is postgresql.
    db_env = postgres.django_env(cfg, database, start=True)
    env = {
        **postgres.without_db_vars(os.environ),
        **SERVER_ENV,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "SECRET_KEY": _secret_key(data_dir, postgres.secret_key_name(database)),
        ADMIN_USER_VAR: admin_email,
        ADMIN_PASSWORD_VAR: admin_password,
        **db_env,
    }
    env.pop(TOKEN_VAR, None)
    exe = cfg.path(cfg.server.venv) / "bin" / "label-studio"
    cmd = [
        str(exe),
        "start",
        "--internal-host",
        cfg.server.host,
        "--port",
        str(cfg.server.port),
        "--data-dir",
        str(data_dir),
        "--no-browser",
    ]
    log_path = data_dir / LOG_FILE
    with open(log_path, "ab") as log:
        # Own session: `studio down` signals the whole group (Django may fork helpers).
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    write_json(
        data_dir / PID_FILE,
        {
            "pid": proc.pid,
            "url": cfg.url,
            "version": cfg.server.version,
            "data_dir": str(data_dir),
            "database": database,
        },
    )
    if not _wait_healthy(cfg.url, proc.pid, cfg.server.start_timeout, log_path):
        stop_server(cfg)
        raise StudioError(
            f"Label Studio did not come up within {cfg.server.start_timeout:.0f} s; see {log_path}"
        )
    return read_state(cfg)


def _wait_healthy(url: str, pid: int | None, timeout: float, log: Path) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None and not _pid_alive(pid):
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            raise StudioError(f"Label Studio exited during start; last log lines:\n{tail}")
        if _health(url, timeout=3.0):
            return True
        time.sleep(1.0)
    return False


def stop_server(cfg: StudioConfig, timeout: float = 30.0) -> bool:
    """Stop the managed server by the pid in its pid file, then claimset's PostgreSQL cluster
    if it runs; False when Label Studio was not running."""
    data_dir = cfg.path(cfg.server.data_dir)
    pid_path = data_dir / PID_FILE
    state = read_state(cfg)
    if not state.running or state.pid is None:
        pid_path.unlink(missing_ok=True)
        postgres.stop_cluster(cfg)
        return False
    pid = state.pid
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid_alive(pid):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    if _pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    pid_path.unlink(missing_ok=True)
    postgres.stop_cluster(cfg)
    return True


def kill_server(cfg: StudioConfig) -> None:
    """SIGKILL the managed server (a crash, for fault tests); the pid file stays."""
    state = read_state(cfg)
    if state.pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(state.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(state.pid, 0)


# ---------------------------------------------------------------- first-run setup


def revoke_tokens(cfg: StudioConfig, email: str) -> None:
    """Blacklist every API token of ``email`` in the managed server's database.

    Label Studio shows a personal access token only once and refuses to make a second one;
    when ``.env`` lost it, the only way to get a token again is to revoke the old one. The
    web UI does this too; here it goes through Label Studio's own Django models.
    """
    code = (
        "import django,sys;django.setup();"
        "from rest_framework_simplejwt.token_blacklist.models import OutstandingToken,BlacklistedToken;"
        "from users.models import User;"
        "u=User.objects.get(email=sys.argv[1]);"
        "[BlacklistedToken.objects.get_or_create(token=t) for t in OutstandingToken.objects.filter(user=u)]"
    )
    data_dir = cfg.path(cfg.server.data_dir)
    site = subprocess.run(
        [
            str(venv_python(cfg)),
            "-c",
            "import label_studio,os;print(os.path.dirname(label_studio.__file__))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    database = read_state(cfg).database
    env = {
        **postgres.without_db_vars(os.environ),
        "DJANGO_SETTINGS_MODULE": "core.settings.label_studio",
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "SECRET_KEY": _secret_key(data_dir, postgres.secret_key_name(database)),
        "PYTHONPATH": site,
        "LOG_LEVEL": "ERROR",
        **postgres.django_env(cfg, database),
    }
    proc = subprocess.run(
        [str(venv_python(cfg)), "-c", code, email], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise StudioError(f"revoking the old API token of {email} failed: {proc.stderr[-800:]}")


def user_token(
    cfg: StudioConfig, url: str, email: str, password: str, env_var: str, *, managed: bool = True
) -> tuple[str, bool]:
    """A working personal access token for ``email`` (from .env, or newly created and stored).

    Returns (token, created). With ``managed`` a token lost from ``.env`` is revoked and made
    again; against a server claimset does not manage, that is an error the user must resolve.
    """
    env_file = cfg.path(cfg.env_file)
    known = get_secret(env_var, env_file)
    if known and accounts.token_works(url, known):
        return known, False
    session = accounts.login(url, email, password)
    try:
        token = accounts.create_token(session)
        if token is None:
            if not managed:
                raise StudioError(
                    f"{email} already has an API token that claimset does not know; revoke it in Label "
                    f"Studio (Account & Settings) or put it in {env_var}"
                )
            revoke_tokens(cfg, email)
            token = accounts.create_token(session)
            if token is None:
                raise StudioError(
                    f"could not create an API token for {email} after revoking the old one"
                )
    finally:
        session.close()
    set_secrets(env_file, {env_var: token})
    return token, True


def admin_credentials(cfg: StudioConfig) -> tuple[str, str]:
    """Admin email and password from the environment / .env (password generated if absent)."""
    env_file = cfg.path(cfg.env_file)
    email = get_secret(ADMIN_USER_VAR, env_file)
    if not email:
        raise StudioError(
            f"set {ADMIN_USER_VAR} (the admin's email) in the environment or in {env_file}"
        )
    password = get_secret(ADMIN_PASSWORD_VAR, env_file)
    if not password:
        password = accounts.new_password()
        set_secrets(env_file, {ADMIN_USER_VAR: email, ADMIN_PASSWORD_VAR: password})
    return email, password


def annotator_password(cfg: StudioConfig, email: str) -> str:
    """An annotator's password from the environment / .env, generated and stored if absent."""
    env_file = cfg.path(cfg.env_file)
    var = annotator_var(ADMIN_PASSWORD_VAR, email)
    password = get_secret(var, env_file)
    if not password:
        password = accounts.new_password()
        set_secrets(env_file, {var: password})
    return password


def ensure_annotators(
    cfg: StudioConfig, url: str, admin_email: str, admin_password: str
) -> list[str]:
    """Create every annotator in annotators.yaml that the server lacks; returns the new emails."""
    annotators = load_annotators(cfg.path(cfg.annotators_file))
    admin = accounts.login(url, admin_email, admin_password)
    created: list[str] = []
    try:
        existing = accounts.list_users(admin)
        invite = (
            accounts.invite_link(admin) if any(a.email not in existing for a in annotators) else ""
        )
        for ann in annotators:
            if ann.email in existing:
                continue
            accounts.signup(url, invite, ann.email, annotator_password(cfg, ann.email))
            created.append(ann.email)
    finally:
        admin.close()
    return created


def up(cfg: StudioConfig, database: str | None = None) -> UpResult:
    """``claimset studio up``: venv, server, admin, annotators, API token in .env.

    ``database`` (sqlite or postgresql) overrides ``server.database`` in studio.yaml.
    """
    t0 = time.perf_counter()
    running = read_state(cfg)
    if database is None and running.running:
        # Run again without --database: keep the database the server already runs on.
        database = running.database
    cfg = postgres.with_database(cfg, database)
    env_file = cfg.path(cfg.env_file)
    ensure_venv(cfg)
    email, password = admin_credentials(cfg)
    before = read_state(cfg)
    state = start_server(cfg, email, password)
    _token, created = user_token(cfg, state.url, email, password, TOKEN_VAR)
    set_secrets(env_file, {URL_VAR: state.url})
    new_annotators = ensure_annotators(cfg, state.url, email, password)
    return UpResult(
        url=state.url,
        admin=email,
        started=not before.running,
        token_created=created,
        annotators_created=new_annotators,
        env_file=env_file,
        seconds=time.perf_counter() - t0,
        database=cfg.server.database,
    )
