"""``configs/labelstudio/studio.yaml`` and ``annotators.yaml`` -> frozen dataclasses.

The server settings (version, host, port, data directory), the projects (title, label
config, guidelines, overlap, annotator settings) and the push/pull tuning knobs live in
``studio.yaml``; the annotator accounts in ``annotators.yaml``. Relative paths in both files
are resolved against the project root (the directory that holds ``configs/``), so the CLI
works from any sub-directory and tests can point everything at a temporary directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from claimset.config import build
from claimset.errors import ConfigError

DEFAULT_STUDIO_CONFIG = Path("configs/labelstudio/studio.yaml")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PostgresConfig:
    """PostgreSQL for Label Studio (``server.database: postgresql``); see labelstudio/postgres.py.

    With ``host`` unset claimset runs a cluster of its own in ``data_dir``; with ``host`` set it
    uses that existing server and starts nothing. The password is never here: it comes from
    ``LABEL_STUDIO_POSTGRES_PASSWORD`` in the environment or ``.env``.
    """

    data_dir: str = ".labelstudio/postgres"
    # Directory with initdb/pg_ctl; unset: the newest /usr/lib/postgresql/<version>/bin.
    bin_dir: str | None = None
    # PostgreSQL refuses to run as root: when claimset runs as root the cluster runs as this
    # unprivileged system user (created by scripts/install_system_deps.sh).
    run_as: str = "claimset-pg"
    # 0: a free port on 127.0.0.1, chosen at each start.
    port: int = 0
    # An existing PostgreSQL server (claimset starts no cluster then); port must be set.
    host: str | None = None
    name: str = "labelstudio"
    user: str = "labelstudio"
    start_timeout: float = 60.0


@dataclass(frozen=True)
class ServerConfig:
    """The local Label Studio server that ``claimset studio up`` manages."""

    version: str = "1.23.2"
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: str = ".labelstudio"
    venv: str = ".venv-labelstudio"
    lock: str = "requirements-labelstudio.lock"
    python: str = "python3.11"
    # Seconds to wait for /health after start (first start runs the migrations: ~30-90 s).
    start_timeout: float = 300.0
    # Label Studio's database; `claimset studio up --database` overrides it.
    database: Literal["sqlite", "postgresql"] = "sqlite"
    postgres: PostgresConfig = field(default_factory=PostgresConfig)


@dataclass(frozen=True)
class ProjectConfig:
    """One Label Studio project that push creates or updates."""

    title: str
    label_config: str
    guidelines: str | None = None
    # Annotations wanted per task (Label Studio's ``maximum_annotations``).
    overlap: int = 1
    # Extra project fields sent as they are (show_skip_button, sampling, ...).
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PushConfig:
    """Import tuning."""

    batch_size: int = 10000
    # A task whose JSON is larger than this is rejected before anything is sent.
    max_task_bytes: int = 262144
    # Seconds one import request may take before it counts as lost.
    request_timeout: float = 600.0
    # Attempts per batch; after a failed attempt push reconciles with the server first.
    attempts: int = 4
    # After a lost import response: seconds the server's task count must stay unchanged
    # before push lists what landed (the server may still be committing the lost request).
    settle_seconds: float = 8.0


@dataclass(frozen=True)
class PullConfig:
    """Export tuning."""

    page_size: int = 5000
    # Seconds one snapshot may take to finish on the server.
    export_timeout: float = 1800.0
    poll_interval: float = 1.0


@dataclass(frozen=True)
class StudioConfig:
    """Everything in ``studio.yaml`` (paths still relative; see :func:`load_studio_config`)."""

    server: ServerConfig = field(default_factory=ServerConfig)
    env_file: str = ".env"
    annotators_file: str = "configs/labelstudio/annotators.yaml"
    push: PushConfig = field(default_factory=PushConfig)
    pull: PullConfig = field(default_factory=PullConfig)
    projects: dict[str, ProjectConfig] = field(default_factory=dict)
    # Set by the loader: the directory relative paths are resolved against.
    root: str = "."

    def path(self, relative: str) -> Path:
        """Resolve a path from the config against the project root."""
        p = Path(relative)
        return p if p.is_absolute() else Path(self.root) / p

    @property
    def url(self) -> str:
        """Base URL of the managed server."""
        return f"http://{self.server.host}:{self.server.port}"

    def project(self, name: str) -> ProjectConfig:
        """The project called ``name`` (claims, stance, review_stance, ...)."""
        try:
            return self.projects[name]
        except KeyError:
            raise ConfigError(
                f"studio config: no project {name!r} (known: {', '.join(sorted(self.projects))})"
            ) from None


@dataclass(frozen=True)
class Annotator:
    """One annotator account; the password comes from the environment or ``.env``."""

    email: str
    name: str | None = None


def _project_root(config_path: Path) -> Path:
    # configs/labelstudio/studio.yaml -> the directory that holds configs/
    resolved = config_path.resolve()
    for parent in resolved.parents:
        if parent.name == "configs":
            return parent.parent
    return resolved.parent


def load_studio_config(
    path: str | Path = DEFAULT_STUDIO_CONFIG, *, root: str | Path | None = None
) -> StudioConfig:
    """Read ``studio.yaml``; relative paths resolve against ``root`` (default: the project root)."""
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: expected a mapping at the top level")
    projects_raw = raw.pop("projects", {}) or {}
    if not isinstance(projects_raw, dict):
        raise ConfigError(f"{p}:projects: expected a mapping of name -> project")
    cfg = build(StudioConfig, raw, where=str(p))
    projects: dict[str, ProjectConfig] = {}
    for name, body in projects_raw.items():
        proj = build(ProjectConfig, body, where=f"{p}:projects.{name}")
        if proj.overlap < 1:
            raise ConfigError(
                f"{p}:projects.{name}.overlap: must be at least 1, got {proj.overlap}"
            )
        if len(proj.title) < 3:
            raise ConfigError(
                f"{p}:projects.{name}.title: Label Studio needs at least 3 characters"
            )
        projects[str(name)] = replace(proj, settings=dict(proj.settings))
    base = Path(root) if root is not None else _project_root(p)
    return replace(cfg, projects=projects, root=str(base))


def load_annotators(path: str | Path) -> list[Annotator]:
    """Read ``annotators.yaml``: ``annotators: [{email, name}]``; emails must be unique."""
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    items = raw.get("annotators", []) if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise ConfigError(f"{p}: expected 'annotators:' with a list of {{email, name}}")
    out: list[Annotator] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        ann = build(Annotator, item, where=f"{p}:annotators[{i}]")
        email = ann.email.strip().lower()
        if not _EMAIL.match(email):
            raise ConfigError(f"{p}:annotators[{i}].email: {ann.email!r} is not an email address")
        if email in seen:
            raise ConfigError(f"{p}:annotators[{i}].email: {email} is listed twice")
        seen.add(email)
        out.append(replace(ann, email=email))
    return out
