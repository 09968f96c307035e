"""Human answer files -> Label Studio annotations, submitted as each annotator.

Answer files are what a person writes after reading the task text
(``<answers>/<annotator>/claims.json`` and ``stance.json``):

- claims: ``{task_key: [{"claim": str, "speaker": str | null, "speaker_name": str (optional),
  "claim_type": str, "checkworthy": "yes" | "no"}]}``; ``claim`` and ``speaker`` are exact
  substrings of the task text (a claim must occur once; a speaker that occurs several times is
  taken at the occurrence nearest to its claim). ``speaker_name`` is who the speaker is (the
  person a "she" refers to); without it a named speaker's name is its text as written and a
  pronoun gets no name. An empty list means "no claim in this paragraph".
- stance: ``{task_key: label}``.

They are turned into exactly what the Label Studio editor would submit: CLAIM/SPEAKER span
regions with code-point offsets (as the 1.23 editor stores <Text> regions), per-region ``claim_type``/``checkworthy`` choices, a ``said_by``
relation from claim to speaker, the SPEAKER region's ``speaker_name`` text, or a ``stance`` choice, and posted through the API with the
annotator's own token. :func:`export_answers` reads a pulled export back into the same
shape, which is how the round trip is checked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimset.claims.speakers import PRONOUNS
from claimset.errors import InputError
from claimset.labelstudio.client import NO_RETRY, Studio, StudioError

CLAIM_FIELDS = ("claim", "speaker", "speaker_name", "claim_type", "checkworthy")


@dataclass
class SubmitResult:
    """Annotations one annotator created in one project."""

    annotator: str
    project: str
    created: int
    already_done: int


def read_answers(path: Path) -> dict[str, Any]:
    """Read one answers file (a JSON object keyed by task_key)."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(path, "answers file not found") from exc
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise InputError(path, "expected an object {task_key: answer}")
    return body


def _find(text: str, sub: str, near: int | None, what: str, key: str, where: object) -> int:
    hits = []
    i = text.find(sub)
    while i != -1 and sub:
        hits.append(i)
        i = text.find(sub, i + 1)
    if not hits:
        raise InputError(where, f"{key}: {what} {sub!r} is not in the task text")
    if len(hits) > 1 and near is None:
        raise InputError(
            where, f"{key}: {what} {sub!r} occurs {len(hits)} times; quote a longer, unique part"
        )
    if near is None:
        return hits[0]
    return min(hits, key=lambda h: (abs(h - near), h))


def label_region(text: str, rid: str, start: int, end: int, label: str) -> dict[str, Any]:
    """An annotator's ``<Labels>`` region over ``text[start:end]`` (code-point offsets)."""
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


def claims_result(
    text: str, answers: list[dict[str, Any]], key: str, where: object = "answers"
) -> list[dict[str, Any]]:
    """Label Studio result for one claims task (code-point offsets, like the editor)."""
    result: list[dict[str, Any]] = []
    speakers: dict[tuple[int, int], str] = {}
    names: dict[str, str] = {}  # speaker region -> speaker_name

    for n, ans in enumerate(answers):
        if not isinstance(ans, dict) or set(ans) - set(CLAIM_FIELDS) or "claim" not in ans:
            raise InputError(
                where,
                f"{key}[{n}]: expected {{claim, speaker, speaker_name, claim_type, checkworthy}}, "
                f"got {ans!r}",
            )
        start = _find(text, ans["claim"], None, "claim", key, where)
        end = start + len(ans["claim"])
        cid = f"claim{n + 1}"
        region = label_region(text, cid, start, end, "CLAIM")
        result.append(region)
        for ctl in ("claim_type", "checkworthy"):
            if ans.get(ctl) is not None:
                result.append(
                    {
                        "id": cid,
                        "from_name": ctl,
                        "to_name": "text",
                        "type": "choices",
                        "origin": "manual",
                        "value": {
                            **{k: region["value"][k] for k in ("start", "end", "text")},
                            "choices": [ans[ctl]],
                        },
                    }
                )
        if ans.get("speaker"):
            s = _find(text, ans["speaker"], start, "speaker", key, where)
            e = s + len(ans["speaker"])
            sid = speakers.get((s, e))
            name = ans.get("speaker_name") or (
                None if ans["speaker"].lower() in PRONOUNS else ans["speaker"]
            )
            if sid is None:
                sid = f"speaker{len(speakers) + 1}"
                speakers[(s, e)] = sid
                result.append(label_region(text, sid, s, e, "SPEAKER"))
                if name:
                    names[sid] = name
                    result.append(
                        {
                            "id": sid,
                            "from_name": "speaker_name",
                            "to_name": "text",
                            "type": "textarea",
                            "origin": "manual",
                            "value": {"start": s, "end": e, "text": [name]},
                        }
                    )
            elif name and names.get(sid, name) != name:
                raise InputError(
                    where,
                    f"{key}[{n}]: speaker {ans['speaker']!r} is named {names[sid]!r} and {name!r}",
                )
            result.append(
                {
                    "from_id": cid,
                    "to_id": sid,
                    "type": "relation",
                    "direction": "right",
                    "labels": ["said_by"],
                }
            )
    return result


def stance_result(label: str) -> list[dict[str, Any]]:
    """Label Studio result for one stance task."""
    return [
        {
            "from_name": "stance",
            "to_name": "text",
            "type": "choices",
            "origin": "manual",
            "value": {"choices": [label]},
        }
    ]


def project_tasks(studio: Studio, project_id: int) -> list[dict[str, Any]]:
    """Every task of a project with its annotations (small projects: demo and tests)."""
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        try:
            body = studio.request(
                "GET",
                "/api/tasks/",
                params={"project": project_id, "page": page, "page_size": 1000, "fields": "all"},
            )
        except StudioError as exc:
            if "HTTP 404" in str(exc):
                break
            raise
        out += body.get("tasks", [])
        if len(body.get("tasks", [])) < 1000:
            break
        page += 1
    return out


def submit_answers(
    studio: Studio,
    project: str,
    project_id: int,
    answers: Mapping[str, Any],
    where: object = "answers",
) -> SubmitResult:
    """Create this annotator's annotations (``studio`` carries the annotator's own token).

    Tasks the annotator already answered are left alone, so running it twice adds nothing.
    """
    me = studio.sdk.users.whoami()
    tasks = {str(t["data"].get("task_key")): t for t in project_tasks(studio, project_id)}
    unknown = sorted(set(answers) - set(tasks))
    if unknown:
        raise InputError(where, f"answers for tasks not in project {project!r}: {unknown[:5]}")
    created = done = 0
    for key in sorted(answers):
        task = tasks[key]
        if any(int(a.get("completed_by") or 0) == me.id for a in task.get("annotations") or []):
            done += 1
            continue
        if project == "claims":
            result = claims_result(task["data"]["text"], answers[key], key, where)
        else:
            result = stance_result(str(answers[key]))
        with studio.errors(f"annotating {key} as {me.email}"):
            # No retries: a retried POST whose first response was lost would annotate twice.
            studio.sdk.annotations.create(
                id=int(task["id"]), result=result, lead_time=1.0, request_options=NO_RETRY
            )
        created += 1
    return SubmitResult(
        annotator=str(me.email), project=project, created=created, already_done=done
    )


def export_answers(export: list[dict[str, Any]], annotator: str, project: str) -> dict[str, Any]:
    """One annotator's completed answers read back from a pulled export (code-point offsets)."""
    out: dict[str, Any] = {}
    for task in export:
        key = task["data"]["task_key"]
        text = task["data"].get("text", "")
        for ann in task.get("annotations") or []:
            if ann.get("completed_by") != annotator or ann.get("was_cancelled"):
                continue
            res = ann.get("result") or []
            if project == "stance":
                out[key] = next(
                    r["value"]["choices"][0] for r in res if r.get("from_name") == "stance"
                )
                continue
            regions = {r["id"]: r for r in res if r.get("type") == "labels"}
            said = {r["from_id"]: r["to_id"] for r in res if r.get("type") == "relation"}
            names = {
                str(r["id"]): " ".join(r["value"]["text"])
                for r in res
                if r.get("type") == "textarea" and r.get("from_name") == "speaker_name"
            }
            items = []
            for rid, r in regions.items():
                if r["value"]["labels"] != ["CLAIM"]:
                    continue
                v = r["value"]
                if text[v["start"] : v["end"]] != v["text"]:
                    raise InputError(
                        key, f"span {v['start']}-{v['end']} does not give {v['text']!r}"
                    )
                choice = {
                    c["from_name"]: c["value"]["choices"][0]
                    for c in res
                    if c.get("type") == "choices" and c.get("id") == rid
                }
                spk = regions.get(said.get(rid, ""))
                item: dict[str, Any] = {
                    "claim": v["text"],
                    "speaker": spk["value"]["text"] if spk else None,
                }
                name = names.get(str(said.get(rid, "")))
                # As in answer files: a name is written out only where it is not the
                # speaker's own text (a named speaker's default).
                if spk and name and name != spk["value"]["text"]:
                    item["speaker_name"] = name
                item["claim_type"] = choice.get("claim_type")
                item["checkworthy"] = choice.get("checkworthy")
                items.append((v["start"], item))
            out[key] = [item for _, item in sorted(items, key=lambda x: x[0])]
    return out
