"""Checks that need no server: offsets, task safety checks, .env handling, normalisation."""

from __future__ import annotations

import json
import os
import stat

import pytest
from conftest import FIXTURES, REPO, load_fixture, make_root
from hypothesis import given
from hypothesis import strategies as st

STANCE_XML = (REPO / "configs/labelstudio/stance.xml").read_text()
CLAIMS_XML = (REPO / "configs/labelstudio/claims.xml").read_text()


@given(st.text(alphabet=st.sampled_from("ab 😀𝒻🇺\u00e9\u4e2d"), max_size=40))
def test_offsets_round_trip_on_any_text(text):
    from claimset.labelstudio.offsets import OffsetMap

    m = OffsetMap(text)
    assert m.utf16_length == len(text.encode("utf-16-le")) // 2
    for cp in range(len(text) + 1):
        u = m.to_utf16(cp)
        assert u == len(text[:cp].encode("utf-16-le")) // 2
        assert m.to_codepoint(u) == cp


def test_offset_inside_a_surrogate_pair_is_refused():
    from claimset.labelstudio.offsets import OffsetMap

    with pytest.raises(ValueError, match="surrogate"):
        OffsetMap("a😀b").to_codepoint(2)


def test_fixture_tasks_pass_and_prediction_offsets_stay_code_points():
    from claimset.labelstudio.push import prepare_tasks

    tasks = prepare_tasks(load_fixture("claims.json"), CLAIMS_XML, 100_000)
    emoji = next(t for t in tasks if "🚀" in t["data"]["text"])
    text = emoji["data"]["text"]
    claim = next(
        r
        for r in emoji["predictions"][0]["result"]
        if r.get("value", {}).get("labels") == ["CLAIM"]
    )
    v = claim["value"]
    # The 1.23 editor places <Text> regions by code points (see test_studio_browser.py).
    assert text[v["start"] : v["end"]] == v["text"]
    assert v["start"] == text.index(v["text"])


@pytest.mark.parametrize(
    "value",
    [
        "https://example.org/a.txt",
        "s3://bucket/key.txt",
        "/data/upload/1/x.txt",
        "gs://b/k",
        " data:text/html,hi",
    ],
)
def test_values_label_studio_would_fetch_are_refused(value):
    from claimset.errors import InputError
    from claimset.labelstudio.push import prepare_tasks

    task = load_fixture("stance.json")[0]
    task["data"]["context"] = value
    with pytest.raises(InputError, match="would fetch"):
        prepare_tasks([task], STANCE_XML, 100_000)


def test_plain_text_with_a_colon_is_not_a_url():
    from claimset.labelstudio.push import prepare_tasks

    task = load_fixture("stance.json")[0]
    task["data"]["text"] = "Note: see https://example.org for details"
    assert prepare_tasks([task], STANCE_XML, 100_000)


def test_size_cap_duplicate_keys_missing_key_and_bad_prediction():
    from claimset.errors import InputError
    from claimset.labelstudio.push import prepare_tasks

    tasks = load_fixture("stance.json")
    with pytest.raises(InputError, match="cap is 200"):
        prepare_tasks(tasks, STANCE_XML, 200)
    with pytest.raises(InputError, match="appears twice"):
        prepare_tasks([tasks[0], tasks[0]], STANCE_XML, 100_000)
    no_key = json.loads(json.dumps(tasks[0]))
    del no_key["data"]["task_key"]
    with pytest.raises(InputError, match="task_key"):
        prepare_tasks([no_key], STANCE_XML, 100_000)
    bad = json.loads(json.dumps(tasks[0]))
    bad["predictions"][0]["result"][0]["value"]["choices"] = ["maybe"]
    with pytest.raises(InputError, match="does not fit the label config"):
        prepare_tasks([bad], STANCE_XML, 100_000)


def test_prediction_span_must_match_text():
    from claimset.errors import InputError
    from claimset.labelstudio.push import prepare_tasks

    task = load_fixture("claims.json")[0]
    task["predictions"][0]["result"][0]["value"]["start"] += 1
    with pytest.raises(InputError, match="is 'he Kremlin"):
        prepare_tasks([task], CLAIMS_XML, 100_000)


def test_hypertext_configs_are_refused(tmp_path):
    from claimset.errors import ConfigError
    from claimset.labelstudio.push import check_label_config

    bad = tmp_path / "bad.xml"
    bad.write_text('<View><HyperText name="text" value="$text"/></View>')
    with pytest.raises(ConfigError, match="HyperText"):
        check_label_config(bad)
    assert check_label_config(REPO / "configs/labelstudio/stance.xml")


def test_env_file_is_0600_and_keeps_other_lines(tmp_path):
    from claimset.labelstudio.envfile import get_secret, set_secrets

    env = tmp_path / ".env"
    env.write_text("# mine\nOTHER=1\n")
    os.chmod(env, 0o600)
    set_secrets(env, {"LABEL_STUDIO_API_KEY": "abc.def"})
    set_secrets(env, {"LABEL_STUDIO_API_KEY": "xyz"})
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert env.read_text() == "# mine\nOTHER=1\nLABEL_STUDIO_API_KEY=xyz\n"
    os.environ.pop("LABEL_STUDIO_API_KEY", None)
    assert get_secret("LABEL_STUDIO_API_KEY", env) == "xyz"


def test_world_readable_env_file_is_refused(tmp_path):
    from claimset.errors import ConfigError
    from claimset.labelstudio.envfile import read_env_file

    env = tmp_path / ".env"
    env.write_text("A=1\n")
    os.chmod(env, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        read_env_file(env)


def test_redact_removes_tokens():
    from claimset.labelstudio.envfile import redact

    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJlc2lnbg"
    assert "eyJ" not in redact(f"bad token {jwt} here")
    assert "s3cret" not in redact("password s3cret", "s3cret")


def test_normalise_is_deterministic_and_quarantines_bad_spans():
    from claimset.labelstudio.pull import build_manifest, normalise

    text = "😀 Peskov said war looms."
    start = len("😀 Peskov said ".encode("utf-16-le")) // 2
    good = {
        "id": "r1",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": start + 10, "text": "war looms.", "labels": ["CLAIM"]},
    }
    choice = {
        "id": "r2",
        "from_name": "claim_type",
        "to_name": "text",
        "type": "choices",
        "value": {"start": 0, "end": 3, "text": "xx", "choices": ["warning"]},
    }
    rel = {"from_id": "r1", "to_id": "r2", "type": "relation", "labels": ["said_by"]}
    task = {
        "id": 7,
        "updated_at": "now",
        "data": {"task_key": "k", "text": text},
        "drafts": [],
        "predictions": [],
        "annotations": [
            {
                "id": 3,
                "completed_by": 2,
                "created_ago": "1 minute",
                "was_cancelled": False,
                "result": [good, choice, rel],
            }
        ],
    }
    out, quarantine = normalise([task], {2: "a@x.org"}, CLAIMS_XML)
    ann = out[0]["annotations"][0]
    assert "updated_at" not in out[0] and "created_ago" not in ann
    assert ann["completed_by"] == "a@x.org"
    assert ann["result"] == [
        {
            **good,
            "value": {
                **good["value"],
                "start": 2 + len("Peskov said "),
                "end": 2 + len("Peskov said war looms."),
            },
        }
    ]
    assert [q["reason"].split(":")[0] for q in quarantine] == [
        "text[0",
        "relation to a quarantined span",
    ]
    m = build_manifest("claims", "t", out, CLAIMS_XML, "sha", len(quarantine))
    assert m["annotations"] == 1 and m["quarantined"] == 2


def test_studio_config_of_the_repo_loads():
    from claimset.labelstudio.studio_config import load_annotators, load_studio_config

    cfg = load_studio_config(REPO / "configs/labelstudio/studio.yaml")
    assert cfg.server.host == "127.0.0.1" and cfg.server.version == "1.23.2"
    assert {"claims", "stance", "review_stance"} <= set(cfg.projects)
    assert cfg.path(cfg.env_file) == REPO / ".env"
    assert len(load_annotators(cfg.path(cfg.annotators_file))) >= 2
    lock = (REPO / "requirements-labelstudio.lock").read_text()
    assert f"label-studio=={cfg.server.version} " in lock
    assert (FIXTURES / "answers").is_dir()


def _root_with_overlap(tmp_path, overlap: int, annotators: int):
    studio_yaml = make_root(tmp_path, 8080)
    import yaml

    body = yaml.safe_load(studio_yaml.read_text())
    body["projects"]["stance"]["overlap"] = overlap
    studio_yaml.write_text(yaml.safe_dump(body, sort_keys=False))
    (studio_yaml.parent / "annotators.yaml").write_text(
        yaml.safe_dump({"annotators": [{"email": f"a{i}@x.org"} for i in range(annotators)]})
    )
    return studio_yaml


def test_overlap_above_the_annotator_count_is_refused_naming_both(tmp_path):
    from claimset.errors import ClaimsetError
    from claimset.labelstudio.push import check_overlap
    from claimset.labelstudio.studio_config import load_studio_config

    cfg = load_studio_config(_root_with_overlap(tmp_path, 3, 2))
    with pytest.raises(ClaimsetError) as info:
        check_overlap(cfg, "stance")
    msg = str(info.value)
    assert "overlap is 3" in msg and "lists 2 annotator account(s)" in msg
    check_overlap(cfg, "claims")  # overlap 2 with 2 accounts is fine


def test_push_cli_exits_2_on_overlap_before_contacting_a_server(tmp_path):
    import subprocess
    import sys

    studio_yaml = _root_with_overlap(tmp_path, 3, 2)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO")}
    # Nothing listens on the configured port: the check must come first.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "claimset.cli",
            "studio",
            "--config",
            str(studio_yaml),
            "push",
            "--tasks-dir",
            str(tmp_path),
            "--projects",
            "claims",
            "stance",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert "overlap is 3" in proc.stderr and "2 annotator account(s)" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_guidelines_render_tables_and_escape_raw_html(tmp_path):
    from claimset.labelstudio.push import guidelines_html

    md = tmp_path / "g.md"
    md.write_text(
        "# Title\n\n- one\n- two\n\n| key | type |\n|---|---|\n| **1** | factual |\n\n"
        "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
    )
    html = guidelines_html(md)
    assert "<table>" in html and "<td><strong>1</strong></td>" in html and "|---|" not in html
    assert "<li>one</li>" in html and "<h1>Title</h1>" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    # The repo's own guidelines: their type tables become tables.
    real = guidelines_html(REPO / "configs" / "guidelines" / "claims.md")
    assert real.count("<table>") >= 2 and "| key |" not in real
