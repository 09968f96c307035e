"""What an annotator does in Label Studio 1.23, driven in headless Chromium (Debian's
/usr/bin/chromium through Playwright's ``executable_path``; no downloaded browser).

Importable by any test (``from annotator import Annotator, chromium``) with
``tests/labelstudio`` on ``sys.path`` (pytest puts it there for the tests in that folder;
elsewhere insert it). Playwright's sync API allows one driver per thread: inside a pytest run,
take browser contexts from the session fixture ``chromium_contexts`` (tests/labelstudio/
conftest.py) or the ``person`` fixture rather than opening a second ``chromium()``.

    with chromium() as new_context:
        person = Annotator.login(new_context(tmp_path / "a1"), url, email, password,
                                 shots=artifacts / "a1")
        person.open_stream(project_id)            # "Label All Tasks": the next task for me
        person.delete_region("The weather was grey")
        person.draw_region("the cost would not rise", "CLAIM")   # drawn, then selected
        person.choose("opinion")                   # its type, in the per-region panel
        person.relate("the cost would not rise", "She")          # said_by
        person.select_region("She")
        person.set_text("Anna Berg")               # the SPEAKER's name box
        person.submit()

Every step waits for what a person would see (the highlighted span, the choice panel), and
screenshots go to ``shots`` (git-ignored test-artifacts/). Text is selected with the mouse:
the helper finds the characters' screen positions and drags across them, as a person does.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
EDITOR = ".lsf-main-view, .lsf-editor, [class*=main-view]"

# Finds ``needle`` in the labelling text (the <Text name="text"> object, not the read-only
# context) and returns viewport points just inside its first and last character.
_SPAN_POINTS = """
([needle, occurrence]) => {
  const roots = Array.from(document.querySelectorAll('.lsf-htx-richtext, [class*=richtext]'));
  const root = roots.find(r => r.textContent.includes(needle) && !r.closest('.claimset-context'))
    || roots.reverse().find(r => r.textContent.includes(needle));
  if (!root) return null;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = []; let all = '';
  while (walker.nextNode()) { nodes.push([walker.currentNode, all.length]); all += walker.currentNode.data; }
  let at = -1;
  for (let k = 0; k <= occurrence; k++) { at = all.indexOf(needle, at + 1); if (at < 0) return null; }
  const locate = (pos) => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (nodes[i][1] <= pos) return [nodes[i][0], pos - nodes[i][1]];
    }
    return null;
  };
  const rectOf = (pos) => {
    const [node, off] = locate(pos);
    const r = document.createRange(); r.setStart(node, off); r.setEnd(node, off + 1);
    const rects = r.getClientRects(); return rects[rects.length - 1] || r.getBoundingClientRect();
  };
  const a = rectOf(at), b = rectOf(at + needle.length - 1);
  return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
}
"""


@contextmanager
def chromium() -> Iterator[Callable[..., Any]]:
    """One Playwright driver for the whole run, yielding ``new_context(profile, **kw)``: a
    persistent headless Chromium context (Debian's chromium) per person, all closed at the end.

    Playwright's sync API allows one driver per thread, so every browser test shares it.
    """
    if not Path(CHROMIUM).exists():
        raise RuntimeError("Debian chromium is not installed: run scripts/install_system_deps.sh")
    from playwright.sync_api import sync_playwright

    opened: list[Any] = []
    with sync_playwright() as pw:

        def new_context(profile: Path, **kwargs: Any) -> Any:
            context = pw.chromium.launch_persistent_context(
                str(profile),
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
                viewport={"width": 1400, "height": 1000},
                **kwargs,
            )
            opened.append(context)
            return context

        try:
            yield new_context
        finally:
            for context in opened:
                context.close()


@dataclass
class Annotator:
    """One logged-in person in one browser page."""

    page: Any
    url: str
    email: str
    shots: Path | None = None
    dialogs: list[str] = field(default_factory=list)
    _n: int = 0

    # ------------------------------------------------------------ session

    @classmethod
    def login(
        cls, context: Any, url: str, email: str, password: str, shots: Path | None = None
    ) -> Annotator:
        """Log in with the login form (one person per browser context: its cookies are
        cleared first) and wait to leave the login page."""
        context.clear_cookies()
        page = context.new_page()
        page.set_default_timeout(90_000)
        person = cls(page=page, url=url.rstrip("/"), email=email, shots=shots)
        page.on("dialog", lambda d: (person.dialogs.append(d.message), d.dismiss()))
        page.goto(person.url + "/user/login/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_url(lambda u: "/user/login" not in u)
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
        return person

    def shot(self, name: str) -> Path | None:
        """A full-page screenshot ``NN-name.png`` in ``shots`` (numbered in step order)."""
        if self.shots is None:
            return None
        self._n += 1
        path = self.shots / f"{self._n:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    # ------------------------------------------------------------ opening tasks

    def open_stream(self, project_id: int) -> None:
        """ "Label All Tasks": Label Studio picks my next task (only my own annotations show)."""
        self.page.goto(f"{self.url}/projects/{project_id}/data?labeling=1")
        self.wait_editor()

    def open_task(self, project_id: int, task_id: int) -> None:
        """One task from the Data Manager (as a person clicking its row)."""
        self.page.goto(f"{self.url}/projects/{project_id}/data?task={task_id}")
        self.wait_editor()

    def wait_editor(self) -> None:
        """Wait until the labelling editor shows its text."""
        self.page.wait_for_selector(EDITOR, timeout=120_000)
        self.page.locator(".lsf-htx-richtext, [class*=richtext]").first.wait_for(timeout=120_000)
        self.page.wait_for_timeout(800)

    # ------------------------------------------------------------ regions

    def highlights(self) -> list[str]:
        """Texts of the highlighted regions in the editor."""
        return [t.strip() for t in self.page.locator(".htx-highlight").all_inner_texts()]

    def region(self, text: str) -> Any:
        """The highlight whose text is exactly ``text`` (innermost if nested)."""
        loc = self.page.locator(".htx-highlight").filter(
            has_text=re.compile(r"^\s*" + re.escape(text) + r"\s*$")
        )
        return loc.last

    def select_region(self, text: str) -> None:
        """Click a highlighted span, as a person selects a region."""
        self.unselect()
        self.region(text).click()
        self.page.wait_for_timeout(300)

    def unselect(self) -> None:
        """Press Escape: nothing selected (the per-region panels close)."""
        self.page.keyboard.press("Escape")
        self.page.wait_for_timeout(200)

    def delete_region(self, text: str) -> None:
        """Select a region and delete it with the Backspace key."""
        before = len(self.highlights())
        self.select_region(text)
        self.page.keyboard.press("Backspace")
        self.page.wait_for_function(
            "n => document.querySelectorAll('.htx-highlight').length < n", arg=before
        )
        self.unselect()

    def pick_label(self, label: str) -> None:
        """Click a label button above the text (CLAIM, SPEAKER)."""
        self.page.locator(".lsf-label, [class*=label_]").filter(has_text=label).first.click()

    def drag_select(self, needle: str, occurrence: int = 0) -> None:
        """Select ``needle`` in the task text with the mouse (press, drag, release)."""
        pts = self.page.evaluate(_SPAN_POINTS, [needle, occurrence])
        if pts is None:
            raise AssertionError(f"{needle!r} is not in the task text on screen")
        m = self.page.mouse
        m.move(pts["x1"], pts["y1"])
        m.down()
        m.move((pts["x1"] + pts["x2"]) / 2, (pts["y1"] + pts["y2"]) / 2, steps=5)
        m.move(pts["x2"], pts["y2"], steps=5)
        m.up()
        self.page.wait_for_timeout(400)

    def draw_region(self, needle: str, label: str) -> None:
        """Pick ``label``, drag across ``needle``: a new region, then select it."""
        self.unselect()
        before = len(self.highlights())
        self.pick_label(label)
        self.drag_select(needle)
        self.page.wait_for_function(
            "n => document.querySelectorAll('.htx-highlight').length > n", arg=before
        )
        # Label Studio leaves a new region unselected: click it, as a person does to set
        # its type, so the per-region panel for its label opens.
        self.select_region(needle)

    def relate(self, from_text: str, to_text: str, label: str | None = "said_by") -> None:
        """Select the ``from`` region, start a relation (Alt+R), click the ``to`` region,
        then set the relation's label in the Relations panel."""
        self.select_region(from_text)
        self.page.keyboard.press("Alt+r")
        self.page.wait_for_timeout(300)
        self.region(to_text).click()
        self.page.wait_for_timeout(500)
        if label:
            self.label_last_relation(label)

    def label_last_relation(self, label: str) -> None:
        """In the Relations panel: hover the newest relation, open its labels, pick ``label``."""
        page = self.page
        page.locator(".lsf-panel-tabs, [class*=tabs]").get_by_text(
            "Relations", exact=True
        ).first.click()
        item = page.locator(".lsf-relations__item").last
        item.wait_for()
        item.hover()
        item.get_by_role("button", name="Show Relation Labels").click()
        meta = page.locator(".lsf-relation-meta").last
        meta.locator("button").first.click()
        option = page.get_by_role("option", name=label)
        if option.count() == 0:
            option = page.locator("[role=dialog], [data-radix-popper-content-wrapper]").get_by_text(
                label, exact=True
            )
        option.first.click()
        page.keyboard.press("Escape")
        page.locator(".lsf-panel-tabs, [class*=tabs]").get_by_text(
            "Regions", exact=True
        ).first.click()
        page.wait_for_timeout(300)

    def choose(self, value: str) -> None:
        """Click a choice (its label reads ``value[hotkey]``) in the visible choice panel."""
        self.page.locator("label:visible", has_text=value).first.click()
        self.page.wait_for_timeout(200)

    def set_text(self, value: str) -> None:
        """Set the selected region's one-line text box (speaker_name) to ``value``: click the
        pencil on the text already there (or use the empty box), type, press Enter."""
        page = self.page
        shown = page.locator("[data-testid=textarea-region]:visible")
        if shown.count():
            shown.last.locator("[data-testid=htx-textbox-edit-button]").click()
            box = shown.last.locator("textarea, input:not([aria-label='for screen reader'])")
        else:
            box = page.locator(
                ".lsf-main-view textarea:visible, .lsf-main-view input[type=text]:visible"
            )
        box.last.fill(value)
        box.last.press("Enter")
        page.wait_for_timeout(300)

    # ------------------------------------------------------------ submit

    def submit(self) -> None:
        """Click Submit (or Update, for an annotation already submitted) and wait for it."""
        page = self.page
        button = page.locator(
            "[data-testid=bottombar-submit-button], [data-testid=bottombar-update-button]"
        ).first
        with page.expect_response(
            lambda r: (
                ("/api/tasks/" in r.url and "/annotations" in r.url) or "/api/annotations/" in r.url
            ),
            timeout=30_000,
        ) as response:
            button.click()
        if response.value.status >= 400:
            raise AssertionError(f"submit refused: HTTP {response.value.status}")
        page.wait_for_timeout(1500)

    def warnings(self) -> list[str]:
        """Texts of Label Studio's warning dialogs on screen (e.g. a required choice)."""
        return [
            t.strip()
            for t in self.page.locator(".ant-modal-confirm-content").all_inner_texts()
            if t.strip()
        ]

    def dismiss_warning(self) -> None:
        """Click OK on Label Studio's warning dialog, as a person does."""
        self.page.locator(".ant-modal-confirm-btns button").first.click()
        self.page.locator(".ant-modal-confirm").first.wait_for(state="hidden")
