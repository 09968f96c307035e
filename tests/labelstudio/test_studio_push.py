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
