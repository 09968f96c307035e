"""Label Studio on PostgreSQL: the config switch and the CLI flag, the environment Label Studio
gets, and (integration) the whole round trip on a cluster claimset starts itself: up on
PostgreSQL, push the fixtures, annotate as the annotators through the API, pull, down, up
again, and the data is still there."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from conftest import _ISOLATE, ADMIN, ANNOTATORS, FIXTURES, REPO, make_root

# ---------------------------------------------------------------- no server


def _config(tmp_path: Path, server: dict) -> Path:
    path = tmp_path / "configs" / "labelstudio" / "studio.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump({"server": server}))
    return path


def test_database_switch_in_studio_yaml(tmp_path):
    from claimset.labelstudio.studio_config import load_studio_config

    assert load_studio_config(_config(tmp_path, {})).server.database == "sqlite"
    cfg = load_studio_config(
        _config(tmp_path / "b", {"database": "postgresql", "postgres": {"port": 6543}})
    )
    assert cfg.server.database == "postgresql"
    assert cfg.server.postgres.port == 6543
    assert cfg.server.postgres.data_dir == ".labelstudio/postgres"


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ({"database": "mysql"}, "'mysql' is not allowed"),
        ({"postgres": {"pasword": "x"}}, "unknown key 'pasword'"),
        ({"postgres": {"port": "5432"}}, "expected an integer"),
    ],
)
def test_bad_database_settings_are_refused(tmp_path, server, message):
    from claimset.errors import ConfigError
    from claimset.labelstudio.studio_config import load_studio_config

    with pytest.raises(ConfigError, match=message):
        load_studio_config(_config(tmp_path, server))


def test_the_cli_flag_wins_over_the_config(tmp_path):
    from claimset.labelstudio.postgres import with_database
    from claimset.labelstudio.studio_config import load_studio_config

    cfg = load_studio_config(_config(tmp_path, {"database": "postgresql"}))
    assert with_database(cfg, "sqlite").server.database == "sqlite"
    assert with_database(cfg, None).server.database == "postgresql"
    assert with_database(cfg, "sqlite").server.postgres == cfg.server.postgres


def test_the_cli_refuses_an_unknown_database():
    proc = subprocess.run(
        [sys.executable, "-m", "claimset.cli", "studio", "up", "--database", "mysql"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "invalid choice: 'mysql'" in proc.stderr


def test_an_existing_database_gets_its_coordinates_and_the_password_from_env(tmp_path, monkeypatch):
    from claimset.labelstudio.client import StudioError
    from claimset.labelstudio.postgres import PASSWORD_VAR, django_env
    from claimset.labelstudio.studio_config import load_studio_config

    server = {"database": "postgresql", "postgres": {"host": "db.internal", "port": 5433}}
    cfg = load_studio_config(_config(tmp_path, server))
    monkeypatch.delenv(PASSWORD_VAR, raising=False)
    with pytest.raises(StudioError, match=PASSWORD_VAR):
        django_env(cfg, "postgresql")
    monkeypatch.setenv(PASSWORD_VAR, "s3cret-from-env")
    assert django_env(cfg, "postgresql") == {
        "DJANGO_DB": "default",
        "POSTGRE_NAME": "labelstudio",
        "POSTGRE_USER": "labelstudio",
        "POSTGRE_PASSWORD": "s3cret-from-env",
        "POSTGRE_HOST": "db.internal",
        "POSTGRE_PORT": "5433",
    }
    assert django_env(cfg, "sqlite") == {"DJANGO_DB": "sqlite"}
    no_port = load_studio_config(
        _config(tmp_path / "b", {"database": "postgresql", "postgres": {"host": "db"}})
    )
    with pytest.raises(StudioError, match=r"server\.postgres\.port"):
        django_env(no_port, "postgresql")


def test_stray_database_variables_never_reach_the_managed_server():
    from claimset.labelstudio.postgres import without_db_vars

    env = {
        "LABEL_STUDIO_POSTGRE_HOST": "elsewhere",
        "HEARTEX_DJANGO_DB": "mysql",
        "POSTGRE_PORT": "1",
        "DJANGO_DB": "default",
        "LABEL_STUDIO_DATABASE_NAME": "/tmp/other.sqlite3",
        "PATH": "/usr/bin",
        "LABEL_STUDIO_USERNAME": "a@b.c",
    }
    assert without_db_vars(env) == {"PATH": "/usr/bin", "LABEL_STUDIO_USERNAME": "a@b.c"}


def test_each_database_has_its_own_token_signing_key():
    from claimset.labelstudio.postgres import secret_key_name

    # The sqlite key keeps its old file name: existing tokens stay valid.
    assert secret_key_name("sqlite") == "secret_key"
    assert secret_key_name("postgresql") != secret_key_name("sqlite")


def test_as_root_the_cluster_user_must_exist_and_not_be_root(monkeypatch):
    from claimset.labelstudio.client import StudioError
    from claimset.labelstudio.postgres import run_as
    from claimset.labelstudio.studio_config import PostgresConfig

    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(StudioError, match=r"install_system_deps\.sh"):
        run_as(PostgresConfig(run_as="no-such-user-claimset"))
    with pytest.raises(StudioError, match="is root"):
        run_as(PostgresConfig(run_as="root"))
    monkeypatch.setattr(os, "geteuid", lambda: 4242)
    assert run_as(PostgresConfig(run_as="no-such-user-claimset")) is None


def test_a_bin_dir_without_pg_ctl_is_refused(tmp_path):
    from claimset.labelstudio.client import StudioError
    from claimset.labelstudio.postgres import find_bin_dir
    from claimset.labelstudio.studio_config import PostgresConfig

    with pytest.raises(StudioError, match="has no pg_ctl"):
        find_bin_dir(PostgresConfig(bin_dir=str(tmp_path)))


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


AS_ROOT = pytest.mark.skipif(
    os.geteuid() != 0 or not _has_user("claimset-pg"),
    reason="only as root, with the claimset-pg user (scripts/install_system_deps.sh), does "
    "claimset hand the cluster to another user",
)


@AS_ROOT
def test_as_root_the_cluster_dir_goes_to_claimset_pg_and_the_rest_stays_private():
    import grp
    import pwd

    from claimset.labelstudio.postgres import prepare_home
    from claimset.labelstudio.studio_config import load_studio_config

    root = Path(tempfile.mkdtemp(prefix="claimset-pg-unit-"))
    try:
        os.chmod(root, 0o711)
        lab = root / ".labelstudio"
        lab.mkdir(mode=0o700)
        (lab / "secret_key").write_text("x")
        os.chmod(lab / "secret_key", 0o600)
        cfg = load_studio_config(_config(root, {}))
        home = prepare_home(cfg)
        assert home == lab / "postgres"
        assert pwd.getpwuid(home.stat().st_uid).pw_name == "claimset-pg"
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        # .labelstudio: still root's, searchable (not readable) by claimset-pg's group only
        assert lab.stat().st_uid == 0 and grp.getgrgid(lab.stat().st_gid).gr_name == "claimset-pg"
        assert stat.S_IMODE(lab.stat().st_mode) == 0o710
        listing = subprocess.run(
            ["ls", str(lab)], user="claimset-pg", capture_output=True, text=True, cwd="/"
        )
        assert listing.returncode != 0 and "Permission denied" in listing.stderr
        assert prepare_home(cfg) == home  # again: nothing changes
        assert stat.S_IMODE(lab.stat().st_mode) == 0o710
    finally:
        shutil.rmtree(root)


@AS_ROOT
def test_as_root_a_project_claimset_pg_cannot_reach_is_refused_with_the_reason(tmp_path):
    from claimset.labelstudio.client import StudioError
    from claimset.labelstudio.postgres import prepare_home
    from claimset.labelstudio.studio_config import load_studio_config

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    cfg = load_studio_config(_config(private / "project", {}))
    with pytest.raises(StudioError) as info:
        prepare_home(cfg)
    message = str(info.value)
    assert "claimset-pg" in message and "cannot reach" in message
    # pytest's basetemp (or the dir above) is the first one without search permission
    assert "is mode 700" in message and "chmod o+x" in message


# ---------------------------------------------------------------- a real cluster


@pytest.fixture(scope="module")
def pg_env():
    """A project root with studio.yaml (server.database left at sqlite: the flag wins) and
    Label Studio up on PostgreSQL; both stopped and removed at the end.

    The root is a fresh directory in the system temp dir, mode 0711, not under pytest's
    basetemp: that one is mode 0700, and as root the cluster runs as claimset-pg, which must be
    able to reach .labelstudio/postgres (claimset refuses with a clear message otherwise).
    """
    from claimset.labelstudio.server import free_port, stop_server, up
    from claimset.labelstudio.studio_config import load_studio_config

    saved = {k: os.environ.pop(k) for k in _ISOLATE if k in os.environ}
    os.environ["LABEL_STUDIO_USERNAME"] = ADMIN
    root = Path(tempfile.mkdtemp(prefix="claimset-pg-test-"))
    os.chmod(root, 0o711)
    cfg = load_studio_config(make_root(root, free_port()))
    assert cfg.server.database == "sqlite"
    try:
        t0 = time.perf_counter()
        res = up(cfg, database="postgresql")
        print(f"\n[postgres] first up (initdb + migrations): {time.perf_counter() - t0:.1f} s")
        yield root, cfg, res
    finally:
        stop_server(cfg)
        os.environ.pop("LABEL_STUDIO_USERNAME", None)
        os.environ.update(saved)
        shutil.rmtree(root, ignore_errors=True)


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in _ISOLATE}
    env["LABEL_STUDIO_USERNAME"] = ADMIN
    return subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "claimset"),
            "studio",
            "--config",
            str(root / "configs" / "labelstudio" / "studio.yaml"),
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=900,
    )


def _psql(cfg, sql: str) -> str:
    from claimset.labelstudio.envfile import get_secret
    from claimset.labelstudio.postgres import PASSWORD_VAR, cluster_state, find_bin_dir

    state = cluster_state(cfg)
    password = get_secret(PASSWORD_VAR, cfg.path(cfg.env_file))
    proc = subprocess.run(
        [
            str(find_bin_dir(cfg.server.postgres) / "psql"),
            "--host=127.0.0.1",
            f"--port={state.port}",
            f"--username={cfg.server.postgres.user}",
            "--no-password",
            "--tuples-only",
            "--no-align",
            "--command",
            sql,
            cfg.server.postgres.name,
        ],
        env={**os.environ, "PGPASSWORD": password or ""},
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _drop_password(env_file: Path) -> str:
    from claimset.labelstudio.postgres import PASSWORD_VAR

    lines = env_file.read_text().splitlines()
    old = next(ln.split("=", 1)[1] for ln in lines if ln.startswith(PASSWORD_VAR + "="))
    env_file.write_text("\n".join(ln for ln in lines if not ln.startswith(PASSWORD_VAR)) + "\n")
    return old


@pytest.mark.integration
def test_the_cluster_alone_starts_stops_and_survives_a_lost_password(monkeypatch):
    """initdb, pg_ctl start/stop, a password lost from .env reset in single-user mode with the
    data kept, no Label Studio needed."""
    from claimset.labelstudio.client import StudioError
    from claimset.labelstudio.envfile import get_secret
    from claimset.labelstudio.postgres import (
        PASSWORD_VAR,
        cluster_state,
        start_cluster,
        stop_cluster,
    )
    from claimset.labelstudio.studio_config import load_studio_config

    monkeypatch.delenv(PASSWORD_VAR, raising=False)
    root = Path(tempfile.mkdtemp(prefix="claimset-pg-cluster-"))
    os.chmod(root, 0o711)
    cfg = load_studio_config(_config(root, {"database": "postgresql"}))
    try:
        state = start_cluster(cfg)
        assert state.initialised and state.running and state.port
        assert _psql(cfg, "SELECT current_user || ' ' || current_database()") == (
            "labelstudio labelstudio"
        )
        _psql(cfg, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)")
        with pytest.raises(StudioError, match="studio down"):
            old = _drop_password(root / ".env")
            start_cluster(cfg)
        assert stop_cluster(cfg) is True and stop_cluster(cfg) is False
        assert not cluster_state(cfg).running and not _port_open(state.port)
        state = start_cluster(cfg)  # a new password, set in single-user mode
        new = get_secret(PASSWORD_VAR, root / ".env")
        assert new and new != old and len(new) >= 24
        assert _psql(cfg, "SELECT x FROM kept") == "42"
        monkeypatch.setenv(PASSWORD_VAR, old)  # the old one no longer opens it
        with pytest.raises(subprocess.CalledProcessError):
            _psql(cfg, "SELECT 1")
        monkeypatch.delenv(PASSWORD_VAR)
        log = state.log.read_bytes()
        assert new.encode() not in log and old.encode() not in log
    finally:
        stop_cluster(cfg)
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.integration
@pytest.mark.slow
def test_up_runs_label_studio_on_a_cluster_of_its_own(pg_env):
    from claimset.labelstudio.postgres import PASSWORD_VAR, cluster_state
    from claimset.labelstudio.server import read_state

    root, cfg, res = pg_env
    assert res.database == "postgresql" and res.started
    server = read_state(cfg)
    assert server.running and server.healthy and server.database == "postgresql"
    cluster = cluster_state(cfg)
    assert cluster.running and cluster.port and cluster.home == root / ".labelstudio" / "postgres"
    # Label Studio really keeps its tables there, and made no SQLite database.
    assert int(_psql(cfg, "SELECT count(*) FROM pg_tables WHERE tablename = 'task'")) == 1
    assert not (root / ".labelstudio" / "label_studio.sqlite3").exists()
    assert _psql(cfg, "SHOW listen_addresses") == "127.0.0.1"
    assert _psql(cfg, "SHOW unix_socket_directories") == ""
    data = cluster.data
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    if os.geteuid() == 0:
        import pwd

        # PostgreSQL refuses root: the cluster and its processes belong to claimset-pg.
        assert pwd.getpwuid(data.stat().st_uid).pw_name == cfg.server.postgres.run_as
        assert pwd.getpwuid(os.stat(f"/proc/{cluster.pid}").st_uid).pw_name == "claimset-pg"
    # The generated password: in .env (0600) and nowhere else under the project.
    env_file = root / ".env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    password = next(
        line.split("=", 1)[1]
        for line in env_file.read_text().splitlines()
        if line.startswith(PASSWORD_VAR + "=")
    )
    assert len(password) >= 24
    found = []
    for path in root.rglob("*"):
        if path.is_file() and path != env_file and password.encode() in path.read_bytes():
            found.append(path)
    assert found == []


@pytest.mark.integration
@pytest.mark.slow
def test_round_trip_on_postgresql_then_down_and_up_keeps_the_data(pg_env, tmp_path):
    from claimset.labelstudio.answers import export_answers
    from claimset.labelstudio.demo import annotate_demo
    from claimset.labelstudio.postgres import cluster_state
    from claimset.labelstudio.pull import pull_projects
    from claimset.labelstudio.server import _pid_alive, read_state

    root, cfg, _ = pg_env
    t0 = time.perf_counter()
    result = annotate_demo(cfg, FIXTURES, FIXTURES / "answers", tmp_path / "round1")
    print(
        f"\n[postgres] push + annotate (API, as annotators) + pull: {time.perf_counter() - t0:.1f} s"
    )
    assert result.push.records_out == 7
    assert sorted((s.annotator, s.project) for s in result.submitted) == sorted(
        (a, p) for a in ANNOTATORS for p in ("claims", "stance")
    )
    for project in ("claims", "stance"):
        export = json.loads((tmp_path / "round1" / project / "export.json").read_text())
        for email in ANNOTATORS:
            want = json.loads(
                (FIXTURES / "answers" / email.split("@")[0] / f"{project}.json").read_text()
            )
            assert export_answers(export, email, project) == want, (project, email)
    # In PostgreSQL itself: 7 tasks, 12 annotations (3 + 2 claims, 3 + 4 stance).
    assert _psql(cfg, "SELECT count(*) FROM task") == "7"
    assert _psql(cfg, "SELECT count(*) FROM task_completion") == "12"

    status = _cli(root, "status")
    assert status.returncode == 0, status.stderr
    assert "\ndatabase: postgresql\n" in status.stdout
    assert "PostgreSQL cluster in" in status.stdout and "running (pid" in status.stdout
    assert "claims (project" in status.stdout

    refused = _cli(root, "up", "--database", "sqlite")
    assert refused.returncode == 2
    assert "already runs on postgresql" in refused.stderr and "studio down" in refused.stderr

    ls_pid, pg = read_state(cfg).pid, cluster_state(cfg)
    t0 = time.perf_counter()
    down = _cli(root, "down")
    print(f"[postgres] down: {time.perf_counter() - t0:.1f} s")
    assert down.returncode == 0, down.stderr
    assert "Label Studio stopped" in down.stdout and "PostgreSQL cluster" in down.stdout
    assert ls_pid is not None and pg.pid is not None and pg.port is not None
    # (Label Studio is a child of this test process: a zombie until reaped, so ask the way
    # claimset does, not whether /proc/<pid> exists.)
    assert not _pid_alive(ls_pid) and not _pid_alive(pg.pid)
    assert not _port_open(pg.port) and not _port_open(cfg.server.port)
    assert not cluster_state(cfg).running and cluster_state(cfg).initialised
    stopped = _cli(root, "status")
    assert "stopped" in stopped.stdout and "no local Label Studio running" in stopped.stdout

    t0 = time.perf_counter()
    again = _cli(root, "up", "--database", "postgresql")
    print(f"[postgres] restart (studio up): {time.perf_counter() - t0:.1f} s")
    assert again.returncode == 0, again.stderr
    assert "(database: postgresql)" in again.stdout and "API token found" in again.stdout
    assert read_state(cfg).database == "postgresql"
    pull_projects(cfg, tmp_path / "round2", ["claims", "stance"])
    for project in ("claims", "stance"):
        for name in ("export.json", "manifest.json"):
            assert (tmp_path / "round2" / project / name).read_bytes() == (
                tmp_path / "round1" / project / name
            ).read_bytes(), (project, name)
    repeat = annotate_demo(cfg, FIXTURES, FIXTURES / "answers", tmp_path / "round3")
    assert repeat.push.records_out == 0
    assert all(s.created == 0 for s in repeat.submitted)
    assert _psql(cfg, "SELECT count(*) FROM task_completion") == "12"

    # .env lost the admin's token: `studio up` revokes the old one through Label Studio's
    # Django models, which must be run on the same PostgreSQL database.
    from claimset.labelstudio.envfile import TOKEN_VAR

    env_file = root / ".env"
    kept = [ln for ln in env_file.read_text().splitlines() if not ln.startswith(TOKEN_VAR + "=")]
    env_file.write_text("\n".join(kept) + "\n")
    renewed = _cli(root, "up")
    assert renewed.returncode == 0, renewed.stderr
    assert "already running" in renewed.stdout and "(database: postgresql)" in renewed.stdout
    assert "API token created and stored" in renewed.stdout
    blacklisted = "SELECT count(*) FROM token_blacklist_blacklistedtoken"
    assert int(_psql(cfg, blacklisted)) >= 1

    # An existing database (server.postgres.host): the same cluster, started on its own and
    # given by address; claimset starts Label Studio on it and manages no cluster.
    from dataclasses import replace

    from claimset.labelstudio.postgres import describe, start_cluster
    from claimset.labelstudio.server import stop_server, up

    stop_server(cfg)
    cluster = start_cluster(cfg)
    pg = replace(cfg.server.postgres, host="127.0.0.1", port=cluster.port)
    ext = replace(cfg, server=replace(cfg.server, database="postgresql", postgres=pg))
    res = up(ext)
    assert res.started and res.database == "postgresql" and not res.annotators_created
    assert describe(ext, "postgresql", True)[0] == (
        f"database: postgresql, existing server 127.0.0.1:{cluster.port}, database labelstudio"
    )
    pull_projects(ext, tmp_path / "round4", ["claims", "stance"])
    for project in ("claims", "stance"):
        assert (tmp_path / "round4" / project / "export.json").read_bytes() == (
            tmp_path / "round1" / project / "export.json"
        ).read_bytes(), project
    stop_server(ext)
