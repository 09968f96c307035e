"""Idempotency under faults: lost responses, a server killed mid-import, wrong tokens,
label-config drift."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest
from conftest import ADMIN

pytestmark = pytest.mark.integration


def _stance(prefix: str, n: int) -> list[dict]:
    return [
        {
            "data": {
                "task_key": f"{prefix}:{i:05d}",
                "claimset_kind": "stance",
                "pair_id": f"{prefix}-{i}",
                "target_id": "t",
                "target": "Target",
                "article_id": "a",
                "text": f"Text number {i}.",
                "context": "",
            },
            "predictions": [
                {
                    "model_version": "m",
                    "score": 0.5,
                    "result": [
                        {
                            "from_name": "stance",
                            "to_name": "text",
                            "type": "choices",
                            "value": {"choices": ["neutral"]},
                        }
                    ],
                }
            ],
        }
        for i in range(n)
    ]


def test_wrong_token_gives_a_clear_error_without_the_token(studio_env):
    from claimset.labelstudio.client import StudioError, connect

    for token in ("wrong-token-6f1d2c9a8b7e", studio_env.admin.token[:-6] + "AAAAAA"):
        with pytest.raises(StudioError) as info:
            connect(studio_env.cfg.url, token)
        msg = str(info.value)
        assert "401" in msg or "token" in msg.lower()
        assert token not in msg and token[:40] not in msg


def test_wrong_token_through_the_cli(studio_env, tmp_path):
    token = "wrong-token-cli-0123456789abcdef"
    env = {**os.environ, "LABEL_STUDIO_URL": studio_env.cfg.url, "LABEL_STUDIO_API_KEY": token}
    cfg_path = studio_env.root / "configs" / "labelstudio" / "studio.yaml"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "claimset.cli",
            "studio",
            "--config",
            str(cfg_path),
            "pull",
            "--out",
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "API token is wrong" in proc.stderr
    assert token not in proc.stderr + proc.stdout


def test_lost_import_responses_are_reconciled_without_duplicates(studio_env):
    from claimset.labelstudio.push import push_project, server_keys

    # A 50 ms client timeout: every import request is abandoned by the client while the
    # server goes on to commit it, i.e. the response is lost.
    cfg = replace(
        studio_env.cfg,
        push=replace(
            studio_env.cfg.push, batch_size=1000, request_timeout=0.05, settle_seconds=4.0
        ),
    )
    tasks = _stance("lost", 3000)
    res = push_project(studio_env.admin, cfg, "lost", tasks)
    assert res.retries >= 1
    keys = server_keys(studio_env.admin, res.project_id)
    assert len(keys) == 3000 and max(keys.values()) == 1
    again = push_project(studio_env.admin, studio_env.cfg, "lost", tasks)
    assert again.imported == 0 and again.already_present == 3000


def test_label_config_drift_needs_migrate(studio_env, tmp_path):
    from claimset.labelstudio.client import StudioError
    from claimset.labelstudio.push import find_project, push_project

    cfg = studio_env.cfg
    push_project(studio_env.admin, cfg, "migrate", _stance("mig", 2))
    xml = (studio_env.root / "configs/labelstudio/stance.xml").read_text()
    changed = tmp_path / "stance_v2.xml"
    changed.write_text(
        xml.replace(
            '<Choice value="unrelated" hotkey="u"/>',
            '<Choice value="unrelated" hotkey="u"/>\n    <Choice value="mixed"/>',
        )
    )
    projects = {
        **cfg.projects,
        "migrate": replace(cfg.projects["migrate"], label_config=str(changed)),
    }
    cfg2 = replace(cfg, projects=projects)
    with pytest.raises(StudioError) as info:
        push_project(studio_env.admin, cfg2, "migrate", _stance("mig", 2))
    assert "--migrate" in str(info.value) and '+    <Choice value="mixed"/>' in str(info.value)
    res = push_project(studio_env.admin, cfg2, "migrate", _stance("mig", 2), migrate=True)
    assert res.label_config_updated and res.imported == 0
    assert "mixed" in find_project(studio_env.admin, cfg.projects["migrate"].title)["label_config"]


@pytest.mark.slow
def test_server_killed_during_a_20k_import_then_push_again(studio_env):
    """Kill -9 the server while a 20k-task push runs, restart it, push again: no
    duplicates, nothing lost, and the stored API token still works after the restart."""
    from claimset.labelstudio.client import StudioError, connect_from_env
    from claimset.labelstudio.push import find_project, push_project, server_keys, task_count
    from claimset.labelstudio.server import admin_credentials, kill_server, start_server

    cfg, admin = studio_env.cfg, studio_env.admin
    tasks = _stance("bulk", 20000)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            push_project(admin, cfg, "bulk", tasks)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 300
    pid = None
    while time.monotonic() < deadline and pid is None:
        project = find_project(admin, cfg.projects["bulk"].title)
        if project and task_count(admin, int(project["id"])) > 0:
            pid = int(project["id"])
        else:
            time.sleep(0.5)
    assert pid is not None, "the first batch never landed"
    landed_before_kill = task_count(admin, pid)
    kill_server(cfg)
    worker.join(timeout=300)
    assert not worker.is_alive()
    assert landed_before_kill < 20000
    assert errors and isinstance(errors[0], StudioError), errors
    assert "push again" in str(errors[0])

    start_server(cfg, *admin_credentials(cfg))
    studio = connect_from_env(cfg.path(cfg.env_file), cfg.url)  # same token, after a restart
    res = push_project(studio, cfg, "bulk", tasks)
    keys = server_keys(studio, pid)
    assert len(keys) == 20000 and max(keys.values()) == 1
    assert res.imported == 20000 - res.already_present
    assert res.already_present >= landed_before_kill
    assert ADMIN
