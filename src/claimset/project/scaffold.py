"""``claimset init``: a new project for a team's own articles and stance targets.

The project holds what is the team's: its articles (``data/raw/``), targets, params, Label
Studio configs and guidelines, the pipeline definition (``dvc.yaml``) and, later, its
annotation exports. It does not copy the claimset code: its ``Makefile`` puts the virtualenv
of the claimset checkout that ran ``init`` on ``PATH``, the ``fingerprint`` stage hashes that
checkout's code for DVC (:mod:`claimset.project.fingerprint`), and Label Studio runs from the
checkout's ``.venv-labelstudio``. The bundled demo (its articles, annotations, reports and
``dvc.lock``) stays out, and so do the two stages that measure the toolkit itself on FNC-1
and hand-made gold (they read ``../shared`` and ``tests/``), which are not about the team's
corpus. docs/own-corpus.md is the user's page.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import yaml

from claimset import io
from claimset.errors import ClaimsetError
from claimset.project.fingerprint import fingerprint_file, package_root

TEMPLATES = Path(__file__).parent / "templates"
CODE_DIR = ".claimset/code"
# What the user must edit, in the order init prints it (path, what).
TO_EDIT = (
    ("configs/targets.yaml", "stance targets (copied from --targets): check ids, texts, keywords"),
    (
        "params.yaml",
        "dataset.* (name, pretty_name, authors, homepage, citation_key, summary) and "
        "dataset.license: the licence of YOUR texts; news articles are the publishers' copyright",
    ),
    (
        "configs/labelstudio/annotators.yaml",
        "one entry per annotator account (the demo's three placeholders are there now)",
    ),
    (
        "configs/labelstudio/studio.yaml",
        "projects.*.overlap: annotators per task, at most the number of annotators",
    ),
    ("configs/guidelines/", "what annotators read in Label Studio: adapt it to your targets"),
)
_STAGE = re.compile(r"^  ([A-Za-z0-9_-]+):\s*$")


@dataclass
class InitResult:
    """What ``init`` made, for the CLI to print."""

    root: Path
    checkout: Path
    articles: int
    by_format: dict[str, int]
    unsupported: list[str]
    targets: int
    dropped_stages: list[str]
    git: bool
    to_edit: tuple[tuple[str, str], ...] = TO_EDIT
    notes: list[str] = field(default_factory=list)


def find_checkout() -> Path:
    """The claimset checkout whose package is running (it holds the pipeline templates)."""
    root = package_root().parents[1]
    if not all((root / p).exists() for p in ("dvc.yaml", "params.yaml", "configs", "Makefile")):
        raise ClaimsetError(
            f"{root}: not a claimset checkout (no dvc.yaml/params.yaml/configs there); "
            "run `claimset init` from the virtualenv of a claimset clone (`make venv`)"
        )
    return root


def slug(name: str) -> str:
    """A release name from a directory name: lower case, digits, '.', '_' and '-'."""
    s = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return s or "claimset-project"


def _articles(folder: Path) -> tuple[list[Path], Counter[str], list[str]]:
    from claimset.ingest.sources import FORMATS, SIDECAR_SUFFIX

    if not folder.is_dir():
        raise ClaimsetError(f"{folder}: --articles must be a directory of articles")
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    counts: Counter[str] = Counter()
    unsupported = []
    for p in files:
        if p.name.endswith(SIDECAR_SUFFIX):
            continue
        fmt = FORMATS.get(p.suffix.lower())
        if fmt is None:
            unsupported.append(p.relative_to(folder).as_posix())
        else:
            counts[fmt] += 1
    if not counts:
        raise ClaimsetError(
            f"{folder}: no articles found (supported: {', '.join(sorted(set(FORMATS)))})"
        )
    return files, counts, unsupported


def project_dvc_yaml(text: str) -> tuple[str, list[str], list[str]]:
    """The checkout's dvc.yaml for a project: returns (text, dropped stages, code paths).

    Stages that read outside the project (``../``) or the toolkit's own test data
    (``tests/``) are dropped; every ``src/claimset/<path>`` dependency becomes the
    fingerprint file of ``<path>``, written by a first stage, ``fingerprint``.
    """
    spec = yaml.safe_load(text)
    stages: dict[str, Any] = spec.get("stages") or {}
    dropped = sorted(
        name
        for name, st in stages.items()
        if any(str(d).startswith(("../", "tests/")) for d in st.get("deps") or [])
    )
    # What a dropped stage writes (the PolNeAR tagger) is no input of the project's stages:
    # their dep on it goes, and so does the command option naming it (it is optional).
    dropped_outs = {
        str(o if isinstance(o, str) else next(iter(o)))
        for name in dropped
        for kind in ("outs", "metrics", "plots")
        for o in stages[name].get(kind) or []
    }
    code: list[str] = []
    for name, st in stages.items():
        if name in dropped:
            continue
        for d in st.get("deps") or []:
            d = str(d)
            if d.startswith("src/claimset/") and d[len("src/claimset/") :] not in code:
                code.append(d[len("src/claimset/") :])
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        m = _STAGE.match(line)
        if m:
            skipping = m.group(1) in dropped
        elif line and not line.startswith(" "):
            skipping = False
        if skipping:
            continue
        words = line.split()
        if (
            len(words) == 2
            and words[1] in dropped_outs
            and (words[0] == "-" or words[0].startswith("--"))
        ):
            continue
        if line.startswith("#") and ("FNC-1" in line or "../shared" in line):
            continue
        line = re.sub(
            r"^(\s+- )src/claimset/(\S+)$",
            lambda mm: f"{mm.group(1)}{CODE_DIR}/{fingerprint_file(mm.group(2))}",
            line,
        )
        out.append(line)
        if line == "stages:":
            out += _fingerprint_stage(code)
    result = "\n".join(out).rstrip() + "\n"
    left = [s for s in dropped if s in (yaml.safe_load(result).get("stages") or {})]
    if left or "src/claimset/" in result:
        raise ClaimsetError("dvc.yaml of the checkout has a layout init cannot adapt")
    return result, dropped, code


def _fingerprint_stage(code: list[str]) -> list[str]:
    lines = [
        "  # The claimset code each stage runs is the installed package (see Makefile); this",
        "  # stage hashes its source files so a stage re-runs when its code changes.",
        "  fingerprint:",
        f"    cmd: claimset fingerprint --out-dir {CODE_DIR} {' '.join(sorted(code))}",
        "    always_changed: true",
        "    outs:",
    ]
    for name in sorted(code):
        lines += [f"      - {CODE_DIR}/{fingerprint_file(name)}:", "          cache: false"]
    return [*lines, ""]


def project_params(text: str, name: str, year: int) -> str:
    """params.yaml with the ``dataset`` section reset for a new release (comments kept)."""
    data = yaml.safe_load(text)
    old: dict[str, Any] = dict(data.get("dataset") or {})
    lines = text.splitlines()
    try:
        start = lines.index("dataset:")
    except ValueError as exc:
        raise ClaimsetError("params.yaml of the checkout has no 'dataset:' section") from exc
    end = start + 1
    while end < len(lines) and (not lines[end] or lines[end].startswith((" ", "\t"))):
        end += 1
    new: dict[str, tuple[Any, str]] = {
        "name": (name, "release directory: data/release/<name>/ (a-z 0-9 . _ -)"),
        "version": ("0.1.0", "semantic version of the release"),
        "pretty_name": (f"{name}: claims and stance", "the card's title"),
        "license": (
            "other",
            "the licence of the article TEXTS: cc-by-4.0 only if you own them; "
            "news articles are the publishers' copyright",
        ),
        "homepage": (None, "where the release lives (URL) or null"),
        "authors": ([f"The {name} team"], "who made the release"),
        "citation_key": (re.sub(r"[^a-z0-9]+", "_", name), "BibTeX key in the card"),
        "year": (year, ""),
        "annotation_note": (None, "only if annotation differed from the Label Studio workflow"),
    }
    block = ["dataset:  # EDIT: your release's identity and card (docs/own-corpus.md)"]
    for key in [*old, *(k for k in new if k not in old)]:
        value, why = new.get(key, (old.get(key), ""))
        block.append(f"  {key}: {json.dumps(value)}" + (f"   # {why}" if why else ""))
    return "\n".join([*lines[:start], *block, *lines[end:]]) + "\n"


def project_studio_yaml(text: str, checkout: Path) -> str:
    """studio.yaml pointing at the checkout's Label Studio virtualenv and lock (one install)."""
    out = []
    for line in text.splitlines():
        m = re.match(r"^(\s+)(venv|lock):\s*(\S+)(.*)$", line)
        if m and not Path(m.group(3)).is_absolute():
            line = f"{m.group(1)}{m.group(2)}: {checkout / m.group(3)}{m.group(4)}"
        out.append(line)
    return "\n".join(out) + "\n"


def render(template: str, **values: Any) -> str:
    """Render ``templates/<template>`` (string.Template; ``$$`` is a literal dollar)."""
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)


def init_project(
    dest: Path, articles: Path, targets: Path, *, name: str | None = None, year: int = 2026
) -> InitResult:
    """Create the project ``dest`` (new or empty) from ``articles`` and ``targets``."""
    from claimset.stance.targets import load_targets

    checkout = find_checkout()
    dest = dest.resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ClaimsetError(f"{dest}: exists and is not empty; init makes a new project")
    articles = articles.resolve()
    if dest == articles or dest in articles.parents:
        raise ClaimsetError(f"{articles}: the articles must not be inside the new project")
    files, by_format, unsupported = _articles(articles)
    n_targets = len(load_targets(targets))
    release = slug(name or dest.name)

    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        return _scaffold(
            dest,
            checkout,
            articles,
            files,
            targets,
            release,
            year,
            by_format,
            unsupported,
            n_targets,
        )
    except BaseException:
        # a half-made project is worse than none: the user re-runs init after fixing the cause
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for p in dest.iterdir():
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        raise


def _scaffold(
    dest: Path,
    checkout: Path,
    articles: Path,
    files: list[Path],
    targets: Path,
    release: str,
    year: int,
    by_format: Counter[str],
    unsupported: list[str],
    n_targets: int,
) -> InitResult:
    raw = dest / "data" / "raw"
    for f in files:
        target = raw / f.relative_to(articles)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)
    (dest / "data" / "annotations").mkdir(parents=True)
    io.write_text(dest / "data" / "annotations" / ".gitkeep", "")

    shutil.copytree(checkout / "configs", dest / "configs")
    shutil.copy2(targets, dest / "configs" / "targets.yaml")
    studio = dest / "configs" / "labelstudio" / "studio.yaml"
    io.write_text(studio, project_studio_yaml(studio.read_text(encoding="utf-8"), checkout))

    dvc_text, dropped, _ = project_dvc_yaml((checkout / "dvc.yaml").read_text(encoding="utf-8"))
    io.write_text(dest / "dvc.yaml", dvc_text)
    params = (checkout / "params.yaml").read_text(encoding="utf-8")
    io.write_text(dest / "params.yaml", project_params(params, release, year))
    for ignore in (".gitignore", ".dvcignore"):
        shutil.copy2(checkout / ignore, dest / ignore)
    with (dest / ".gitignore").open("a", encoding="utf-8") as fh:
        fh.write("\n# claimset code fingerprints (written by the fingerprint stage)\n/.claimset/\n")
    values = {
        "name": release,
        "checkout": str(checkout),
        "venv_bin": str(checkout / ".venv" / "bin"),
        "dropped": ", ".join(dropped) or "none",
        "to_edit": "\n".join(f"| `{p}` | {why} |" for p, why in TO_EDIT),
    }
    io.write_text(dest / "Makefile", render("Makefile.tmpl", **values))
    io.write_text(dest / "README.md", render("README.md.tmpl", **values))

    git = _git_and_dvc_init(dest)
    return InitResult(
        root=dest,
        checkout=checkout,
        articles=sum(by_format.values()),
        by_format=dict(sorted(by_format.items())),
        unsupported=unsupported,
        targets=n_targets,
        dropped_stages=dropped,
        git=git,
    )


def _git_and_dvc_init(dest: Path) -> bool:
    """``git init`` (when git is installed) and ``dvc init`` with the checkout's DVC settings."""
    dvc = [sys.executable, "-m", "dvc"]
    git = shutil.which("git") is not None
    try:
        if git:
            subprocess.run(["git", "init", "-q"], cwd=dest, check=True, capture_output=True)
            subprocess.run([*dvc, "init", "-q"], cwd=dest, check=True, capture_output=True)
        else:
            subprocess.run(
                [*dvc, "init", "-q", "--no-scm"], cwd=dest, check=True, capture_output=True
            )
        for key, value in (("core.analytics", "false"), ("core.autostage", "false")):
            subprocess.run([*dvc, "config", key, value], cwd=dest, check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        err = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        raise ClaimsetError(
            f"{dest}: {' '.join(exc.cmd)} failed: {err[-1] if err else exc}"
        ) from exc
    return git
