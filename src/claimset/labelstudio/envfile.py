"""Secrets for Label Studio: the process environment first, then an untracked ``.env`` (0600).

Tokens and passwords never go to params.yaml, dvc.yaml, logs or error messages. The ``.env``
file is rewritten atomically and its mode is forced to 0600 on every write, because a token
in a world-readable file is as good as leaked.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

from claimset.errors import ConfigError
from claimset.io import atomic_path

URL_VAR = "LABEL_STUDIO_URL"
TOKEN_VAR = "LABEL_STUDIO_API_KEY"
ADMIN_USER_VAR = "LABEL_STUDIO_USERNAME"
ADMIN_PASSWORD_VAR = "LABEL_STUDIO_PASSWORD"

_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.@:/+=-]*$")


def annotator_var(prefix: str, email: str) -> str:
    """Env var name for one annotator's secret, e.g. ``LABEL_STUDIO_PASSWORD__ANN1_EXAMPLE_COM``."""
    slug = re.sub(r"[^A-Z0-9]+", "_", email.upper()).strip("_")
    return f"{prefix}__{slug}"


def read_env_file(path: Path) -> dict[str, str]:
    """Values in ``path`` (empty when it does not exist); refuses a group/world-readable file."""
    if not path.exists():
        return {}
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(f"{path}: holds secrets but its mode is {mode:o}; run `chmod 600 {path}`")
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def get_secret(name: str, env_file: Path) -> str | None:
    """``name`` from the process environment, else from ``env_file``, else None."""
    value = os.environ.get(name)
    if value:
        return value
    return read_env_file(env_file).get(name) or None


def set_secrets(env_file: Path, values: Mapping[str, str]) -> None:
    """Add or replace ``values`` in ``env_file`` atomically, keeping other lines; mode 0600."""
    for key, value in values.items():
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
            raise ConfigError(f"{env_file}: bad variable name {key!r}")
        if not _SAFE_VALUE.match(value):
            # Our values are tokens, urls, emails and urlsafe passwords: quoting is never needed.
            raise ConfigError(f"{env_file}: value of {key} has characters that need quoting")
    lines: list[str] = []
    if env_file.exists():
        read_env_file(env_file)  # mode check
        lines = env_file.read_text(encoding="utf-8").splitlines()
    pending = dict(values)
    out: list[str] = []
    for line in lines:
        key = line.split("=", 1)[0].strip().removeprefix("export ").strip()
        if key in pending:
            out.append(f"{key}={pending.pop(key)}")
        else:
            out.append(line)
    out += [f"{k}={v}" for k, v in sorted(pending.items())]
    with atomic_path(env_file) as tmp:
        # Created 0600, inside atomic_path's private (0700) directory: the secrets are never
        # readable by anyone else, not even for a moment.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(out) + "\n")
    os.chmod(env_file, 0o600)


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every secret (and JWT-looking string) replaced by ``***``."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return re.sub(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(\.[A-Za-z0-9_-]+)?", "***", text)
