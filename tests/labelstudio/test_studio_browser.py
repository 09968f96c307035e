"""The annotator's view in headless Chromium (Debian's /usr/bin/chromium, no downloaded
browser): log in, see target and text, answer, submit, find the answer in the pull; see
pre-annotated spans; markup in an article is shown as text and never runs.

Screenshots go to test-artifacts/labelstudio/ (git-ignored)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ADMIN, load_fixture

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser_page(studio_env, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: run scripts/install_system_deps.sh")
    from playwright.sync_api import sync_playwright

    from claimset.labelstudio.server import admin_credentials

    profile = tmp_path_factory.mktemp("chromium-profile")
    email, password = admin_credentials(studio_env.cfg)
    assert email == ADMIN
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        page = context.new_page()
        page.set_default_timeout(90_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(studio_env.cfg.url + "/user/login/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_url(lambda u: "/user/login" not in u)
        page.dialogs = dialogs  # type: ignore[attr-defined]
        yield page
        context.close()


def _open_task(page, studio_env, name: str, tasks: list[dict], key: str) -> int:
    from claimset.labelstudio.answers import project_tasks
    from claimset.labelstudio.push import push_project

    res = push_project(studio_env.admin, studio_env.cfg, name, tasks)
    ids = {
        t["data"]["task_key"]: int(t["id"]) for t in project_tasks(studio_env.admin, res.project_id)
    }
    page.goto(f"{studio_env.cfg.url}/projects/{res.project_id}/data?task={ids[key]}")
    page.wait_for_selector(".lsf-main-view, .lsf-editor, [class*=main-view]", timeout=120_000)
    return res.project_id


def test_stance_task_shows_target_and_text_and_submit_reaches_the_pull(
    browser_page, studio_env, artifacts, tmp_path
):
    from claimset.labelstudio.pull import pull_project

    page = browser_page
    tasks = load_fixture("stance.json")[:1]
    _open_task(page, studio_env, "browser_stance", tasks, "stance:p-001")
    data = tasks[0]["data"]
    page.get_by_text(data["text"]).first.wait_for()
    assert page.get_by_text(f"Target: {data['target']}").first.is_visible()
    page.screenshot(path=str(artifacts / "stance-task.png"), full_page=True)
    # The choice's label reads "against[a]" (its hotkey), so match the label, not exact text.
    page.locator("label", has_text="against").first.click()
    page.get_by_role("button", name="Submit").first.click()
    page.wait_for_timeout(3000)
    page.screenshot(path=str(artifacts / "stance-submitted.png"), full_page=True)

    pulled = pull_project(studio_env.admin, studio_env.cfg, "browser_stance", tmp_path)
    export = json.loads((tmp_path / "browser_stance" / "export.json").read_text())
    mine = [a for a in export[0]["annotations"] if a["completed_by"] == ADMIN]
    assert len(mine) == 1
    assert mine[0]["result"][0]["value"]["choices"] == ["against"]
    assert pulled.manifest["per_annotator"][ADMIN]["annotations"] == 1


def test_claims_task_shows_pre_annotated_spans(browser_page, studio_env, artifacts):
    page = browser_page
    tasks = load_fixture("claims.json")
    _open_task(page, studio_env, "browser_claims", tasks, "claims:a-0000000000000002:p1")
    page.get_by_text("Launch day").first.wait_for()
    highlights = page.locator(".htx-highlight")
    highlights.first.wait_for(timeout=60_000)
    texts = " ".join(highlights.all_inner_texts())
    page.screenshot(path=str(artifacts / "claims-preannotated.png"), full_page=True)
    # The predicted CLAIM and SPEAKER spans, placed exactly despite the emoji before them.
    assert "the tidal barrier will open in 2027" in texts
    assert "Anna Berg" in texts


def test_markup_in_an_article_is_shown_as_text_and_never_runs(browser_page, studio_env, artifacts):
    page = browser_page
    tasks = load_fixture("stance.json")
    _open_task(page, studio_env, "browser_stance", tasks, "stance:p-004")
    page.get_by_text("<script>window.__xss = 1</script>", exact=False).first.wait_for()
    assert page.get_by_text(
        '<img src=x onerror="window.__xss = 2">', exact=False
    ).first.is_visible()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "xss-as-text.png"), full_page=True)
    for frame in page.frames:
        assert frame.evaluate("() => typeof window.__xss") == "undefined"
    assert page.locator("img[src=x]").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]
