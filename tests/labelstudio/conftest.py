"""A real Label Studio server for the integration tests: one per session, on a free port,
with a temporary data directory and .env, torn down at the end.

The server runs from the project's ``.venv-labelstudio`` (created on first use from
``requirements-labelstudio.lock``), exactly as ``claimset studio up`` runs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = "admin@claimset.test"
ANNOTATORS = ["annotator1@claimset.test", "annotator2@claimset.test"]

# Variables that would point the tests at some other server or account.
_ISOLATE = (
    "LABEL_STUDIO_URL",
    "LABEL_STUDIO_API_KEY",
    "LABEL_STUDIO_USERNAME",
    "LABEL_STUDIO_PASSWORD",
)


@dataclass
class Env:
    """The running test server and the config that points at it."""

    root: Path
    cfg: object  # StudioConfig
    admin: object  # Studio


def make_root(root: Path, port: int) -> Path:
    """A project root with configs/ for the test server; returns the studio.yaml path."""
    lab = root / "configs" / "labelstudio"
    lab.mkdir(parents=True)
    for name in ("claims.xml", "stance.xml", "review_stance.xml"):
        shutil.copy(REPO / "configs" / "labelstudio" / name, lab / name)
    # The claims config before per-SPEAKER names and context (test_studio_push.py migrates it).
    shutil.copy(FIXTURES / "claims_v1.xml", lab / "claims_v1.xml")
    guides = root / "configs" / "guidelines"
    guides.mkdir(parents=True)
    for name in ("claims.md", "stance.md"):
        (guides / name).write_text(
            f"# {name}\n\nTest guidelines with *markdown* and <script>alert(1)</script>.\n\n"
            "| key | type |\n|---|---|\n| **1** | factual |\n"
        )
    studio = {
        "server": {
            "port": port,
            "data_dir": str(root / ".labelstudio"),
            "venv": str(REPO / ".venv-labelstudio"),
            "lock": str(REPO / "requirements-labelstudio.lock"),
            "start_timeout": 400,
        },
        "env_file": ".env",
        "annotators_file": "configs/labelstudio/annotators.yaml",
        "push": {"batch_size": 5000, "request_timeout": 300, "attempts": 4},
        "pull": {"page_size": 3, "export_timeout": 600, "poll_interval": 0.5},
        "projects": {
            "claims": {
                "title": "test: claims",
                "label_config": "configs/labelstudio/claims.xml",
                "guidelines": "configs/guidelines/claims.md",
                "overlap": 2,
                "settings": {"show_instruction": False, "show_skip_button": True},
            },
            "stance": {
                "title": "test: stance",
                "label_config": "configs/labelstudio/stance.xml",
                "guidelines": "configs/guidelines/stance.md",
                "overlap": 2,
                "settings": {"show_instruction": False, "show_skip_button": True},
            },
            "edge": {
                "title": "test: edge cases",
                "label_config": "configs/labelstudio/stance.xml",
                "guidelines": None,
                "overlap": 2,
            },
            "offsets": {
                "title": "test: offsets",
                "label_config": "configs/labelstudio/claims.xml",
                "guidelines": None,
            },
            "bulk": {
                "title": "test: bulk import",
                "label_config": "configs/labelstudio/stance.xml",
                "guidelines": None,
            },
            "lost": {
                "title": "test: lost responses",
                "label_config": "configs/labelstudio/stance.xml",
                "guidelines": None,
            },
            "migrate": {
                "title": "test: migrate",
                "label_config": "configs/labelstudio/stance.xml",
                "guidelines": None,
            },
            "browser_stance": {
                "title": "test: browser stance",
                "label_config": "configs/labelstudio/stance.xml",
                "guidelines": None,
            },
            "browser_claims": {
                "title": "test: browser claims",
                "label_config": "configs/labelstudio/claims.xml",
                "guidelines": None,
            },
            # The annotator path in the browser (test_studio_annotator.py): two annotators
            # per task, annotators start from the predictions (show_collab_predictions).
            "annotator_claims": {
                "title": "test: annotator claims",
                "label_config": "configs/labelstudio/claims.xml",
                "guidelines": "configs/guidelines/claims.md",
                "overlap": 2,
                "settings": {"show_collab_predictions": True, "sampling": "Sequential sampling"},
            },
            "annotator_stance": {
                "title": "test: annotator stance",
                "label_config": "configs/labelstudio/stance.xml",
                "guidelines": None,
                "overlap": 2,
                "settings": {"show_collab_predictions": True, "sampling": "Sequential sampling"},
            },
            "order": {
                "title": "test: import order",
                "label_config": "configs/labelstudio/stance.xml",
                "guidelines": None,
                "settings": {"show_collab_predictions": True},
            },
            "migrate_claims": {
                "title": "test: migrate claims",
                "label_config": "configs/labelstudio/claims_v1.xml",
                "guidelines": None,
            },
            "review_stance": {
                "title": "test: stance review",
                "label_config": "configs/labelstudio/review_stance.xml",
                "guidelines": "configs/guidelines/stance.md",
            },
        },
    }
    path = lab / "studio.yaml"
    path.write_text(yaml.safe_dump(studio, sort_keys=False))
    (lab / "annotators.yaml").write_text(
        yaml.safe_dump({"annotators": [{"email": e} for e in ANNOTATORS]})
    )
    return path


@pytest.fixture(scope="session")
def studio_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """Start Label Studio once for the session (about 30-90 s) and stop it afterwards."""
    from claimset.labelstudio.client import connect_from_env
    from claimset.labelstudio.server import free_port, stop_server, up
    from claimset.labelstudio.studio_config import load_studio_config

    saved = {k: os.environ.pop(k) for k in _ISOLATE if k in os.environ}
    os.environ["LABEL_STUDIO_USERNAME"] = ADMIN
    root = tmp_path_factory.mktemp("studio")
    cfg = load_studio_config(make_root(root, free_port()))
    try:
        up(cfg)
        admin = connect_from_env(cfg.path(cfg.env_file), cfg.url)
        yield Env(root=root, cfg=cfg, admin=admin)
    finally:
        stop_server(cfg)
        os.environ.pop("LABEL_STUDIO_USERNAME", None)
        os.environ.update(saved)


@pytest.fixture(scope="session")
def chromium_contexts():
    """``new_context(profile)``: headless Chromium contexts on one shared Playwright driver."""
    from annotator import chromium

    with chromium() as new_context:
        yield new_context


@pytest.fixture
def person(studio_env: Env, chromium_contexts, tmp_path_factory, artifacts: Path):
    """``person(email, shots)``: an :class:`annotator.Annotator` logged in as ``email`` in a
    browser context of its own; screenshots go to ``test-artifacts/labelstudio/<shots>/``."""
    from annotator import Annotator

    from claimset.labelstudio.server import admin_credentials, annotator_password

    contexts = []

    def login(email: str, shots: str) -> Annotator:
        cfg = studio_env.cfg
        if email == ADMIN:
            _, password = admin_credentials(cfg)  # type: ignore[arg-type]
        else:
            password = annotator_password(cfg, email)  # type: ignore[arg-type]
        context = chromium_contexts(tmp_path_factory.mktemp("chromium-profile"))
        contexts.append(context)
        out = artifacts / shots
        shutil.rmtree(out, ignore_errors=True)
        return Annotator.login(context, cfg.url, email, password, shots=out)  # type: ignore[attr-defined]

    yield login
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Git-ignored directory for screenshots and other test artifacts."""
    path = REPO / "test-artifacts" / "labelstudio"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_fixture(name: str) -> list[dict]:
    """A task fixture as a list of tasks."""
    import json

    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))
