"""What the admin sees in headless Chromium (Debian's /usr/bin/chromium, no downloaded
browser): pre-annotated spans placed exactly; markup in an article is shown as text and never
runs. The annotator's whole path (submit included) is in test_studio_annotator.py.

Screenshots go to test-artifacts/labelstudio/ (git-ignored)."""

from __future__ import annotations

import pytest
from conftest import ADMIN, load_fixture

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def browser_page(studio_env, chromium_contexts, tmp_path_factory):
    """The admin, logged in through the login form, in a context of its own."""
    from annotator import Annotator

    from claimset.labelstudio.server import admin_credentials

    email, password = admin_credentials(studio_env.cfg)
    assert email == ADMIN
    context = chromium_contexts(tmp_path_factory.mktemp("chromium-profile"))
    admin = Annotator.login(context, studio_env.cfg.url, email, password)
    admin.page.dialogs = admin.dialogs  # type: ignore[attr-defined]
    yield admin.page
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
