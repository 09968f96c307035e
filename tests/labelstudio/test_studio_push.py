"""What push does with a team's tasks on a real server: the task file's order is the import
order, and annotators start from the predictions (the project's model_version is set)."""

from __future__ import annotations

import pytest
from conftest import load_fixture

pytestmark = pytest.mark.integration


def test_tasks_import_in_the_task_files_order_and_prelabel(studio_env):
    from claimset.labelstudio.answers import project_tasks
    from claimset.labelstudio.push import find_project, push_project

    base = load_fixture("stance.json")[0]
    # Keys in an order no sort would give (the old push sorted by task_key).
    keys = ["stance:zz-3", "stance:aa-1", "stance:mm-2", "stance:bb-4"]
    tasks = [{**base, "data": {**base["data"], "task_key": k}} for k in keys]
    res = push_project(studio_env.admin, studio_env.cfg, "order", tasks[:2])
    # A later push appends what is missing, still in file order.
    again = push_project(studio_env.admin, studio_env.cfg, "order", tasks)
    assert (res.imported, again.imported, again.already_present) == (2, 2, 2)
    on_server = sorted(project_tasks(studio_env.admin, res.project_id), key=lambda t: t["id"])
    assert [t["data"]["task_key"] for t in on_server] == keys
    # Label Studio's "use predictions to prelabel": the project names the tasks' model version.
    version = base["predictions"][0]["model_version"]
    assert res.model_version == version
    project = find_project(studio_env.admin, studio_env.cfg.project("order").title)
    assert project is not None and project["model_version"] == version
    assert project["show_collab_predictions"] is True


def test_the_claims_config_change_migrates_and_old_answers_still_parse(studio_env, tmp_path):
    """The project made with the claims config before speaker names and context: push with
    today's config stops with the diff, --migrate replaces it, and an answer given under the
    old config still parses with no misfit under the new one."""
    from dataclasses import replace

    from claimset.annotations.export import parse_export
    from claimset.annotations.labelconfig import load_label_config
    from claimset.labelstudio.answers import claims_result, project_tasks
    from claimset.labelstudio.client import StudioError
    from claimset.labelstudio.demo import annotator_studio
    from claimset.labelstudio.pull import pull_project
    from claimset.labelstudio.push import push_project

    cfg, admin = studio_env.cfg, studio_env.admin
    old = load_fixture("claims.json")[:2]
    old = [{**t, "data": {k: v for k, v in t["data"].items() if k != "context"}} for t in old]
    res = push_project(admin, cfg, "migrate_claims", old)
    task = next(t for t in project_tasks(admin, res.project_id) if "🚀" in t["data"]["text"])
    a1 = annotator_studio(cfg, admin.url, "annotator1")
    answer = [{"claim": "the tidal barrier will open in 2027", "speaker": "Anna Berg",
               "claim_type": "prediction", "checkworthy": "yes"}]  # fmt: skip
    result = [
        r for r in claims_result(task["data"]["text"], answer, "t") if r["type"] != "textarea"
    ]
    a1.sdk.annotations.create(id=int(task["id"]), result=result, lead_time=1.0)

    new_xml = str(studio_env.root / "configs" / "labelstudio" / "claims.xml")
    cfg2 = replace(
        cfg,
        projects={
            **cfg.projects,
            "migrate_claims": replace(cfg.projects["migrate_claims"], label_config=new_xml),
        },
    )
    new = load_fixture("claims.json")[:2]
    with pytest.raises(StudioError) as info:
        push_project(admin, cfg2, "migrate_claims", new)
    diff = str(info.value)
    assert (
        "--migrate" in diff
        and '+  <View visibleWhen="region-selected" whenLabelValue="SPEAKER">' in diff
    )
    done = push_project(admin, cfg2, "migrate_claims", new, migrate=True)
    assert done.label_config_updated and done.imported == 0

    pull_project(admin, cfg2, "migrate_claims", tmp_path)
    import json

    export = json.loads((tmp_path / "migrate_claims" / "export.json").read_text())
    parsed = parse_export(export, "claims", load_label_config(new_xml))
    assert parsed.counts["accepted"] == 1 and parsed.quarantine == []
