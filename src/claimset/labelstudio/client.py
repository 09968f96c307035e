"""Connecting to a Label Studio server with a personal access token.

Label Studio 1.23 disables legacy API tokens per organisation by default, so claimset uses
personal access tokens (JWT refresh tokens). The SDK takes the refresh token as ``api_key``
and trades it for 5-minute access tokens itself. Every server error is turned into a
:class:`StudioError` whose message never contains the token.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from claimset.errors import ClaimsetError
from claimset.labelstudio.envfile import TOKEN_VAR, URL_VAR, get_secret, redact

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio
    from label_studio_sdk.core.request_options import RequestOptions


class StudioError(ClaimsetError):
    """The Label Studio server refused a request or could not be reached."""


# Requests that must never be repeated blindly (imports): the SDK retries 5xx/429 twice by
# default, and a retried import whose first response was lost duplicates every task in it.
NO_RETRY: RequestOptions = {"max_retries": 0}


def describe_error(exc: BaseException, token: str | None = None) -> str:
    """A one-line, token-free description of an SDK/httpx error."""
    from label_studio_sdk.core.api_error import ApiError

    if isinstance(exc, ApiError):
        body = exc.body
        detail: Any = body
        if isinstance(body, dict):
            detail = body.get("validation_errors") or body.get("detail") or body
        msg = f"HTTP {exc.status_code}: {detail}"
        if exc.status_code == 401:
            msg += " (the API token is wrong, expired or revoked; set LABEL_STUDIO_API_KEY or run `claimset studio up`)"
    elif isinstance(exc, httpx.TimeoutException):
        msg = f"timed out ({type(exc).__name__})"
    elif isinstance(exc, httpx.TransportError):
        msg = f"cannot reach the server ({type(exc).__name__}: {exc})"
    else:
        msg = f"{type(exc).__name__}: {exc}"
    return redact(msg, token)[:2000]


@dataclass
class Studio:
    """An authenticated connection: the SDK client plus a raw httpx client for endpoints
    the SDK does not cover (data manager views, task listing with ``include``)."""

    url: str
    token: str
    sdk: LabelStudio

    def headers(self) -> dict[str, str]:
        """Authorization headers (the SDK refreshes the access token when it expires)."""
        return dict(self.sdk._client_wrapper.get_headers())

    def request(self, method: str, path: str, *, timeout: float = 120.0, **kwargs: Any) -> Any:
        """One raw API request; returns parsed JSON (or None for 204); raises StudioError."""
        try:
            with httpx.Client(base_url=self.url, timeout=timeout) as http:
                r = http.request(method, path, headers=self.headers(), **kwargs)
        except Exception as exc:
            raise StudioError(f"{method} {path}: {describe_error(exc, self.token)}") from None
        if r.status_code >= 400:
            raise StudioError(
                redact(f"{method} {path}: HTTP {r.status_code}: {r.text[:500]}", self.token)
            )
        if r.status_code == 204 or not r.content:
            return None
        return r.json()

    def iter_tasks(
        self, project_id: int, page_size: int, params: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        """Every task of a project through ``/api/tasks/``, page by page.

        Label Studio answers a page past the last one with 404, and a short page is the last.
        """
        page = 1
        while True:
            try:
                body = self.request(
                    "GET",
                    "/api/tasks/",
                    params={"project": project_id, "page": page, "page_size": page_size, **params},
                    timeout=300,
                )
            except StudioError as exc:
                if "HTTP 404" in str(exc):
                    return
                raise
            tasks: list[dict[str, Any]] = body.get("tasks", [])
            yield from tasks
            if len(tasks) < page_size:
                return
            page += 1

    @contextmanager
    def errors(self, what: str) -> Iterator[None]:
        """Turn any SDK/httpx error inside the block into a token-free StudioError."""
        try:
            yield
        except StudioError:
            raise
        except Exception as exc:
            raise StudioError(f"{what}: {describe_error(exc, self.token)}") from None


def connect(url: str, token: str, *, check: bool = True, timeout: float = 120.0) -> Studio:
    """An SDK client for ``url`` authenticated by ``token``; ``check`` calls whoami once."""
    from label_studio_sdk import LabelStudio

    url = url.rstrip("/")
    try:
        sdk = LabelStudio(base_url=url, api_key=token, timeout=timeout)
    except Exception as exc:
        # The SDK raises here for an expired JWT: the message must not quote it.
        raise StudioError(f"{url}: {describe_error(exc, token)}") from None
    studio = Studio(url=url, token=token, sdk=sdk)
    if check:
        with studio.errors(f"{url}: login with the API token failed"):
            sdk.users.whoami(request_options=NO_RETRY)
    return studio


def connect_from_env(env_file: Path, default_url: str) -> Studio:
    """Connect with ``LABEL_STUDIO_URL``/``LABEL_STUDIO_API_KEY`` from the environment or ``.env``."""
    url = get_secret(URL_VAR, env_file) or default_url
    token = get_secret(TOKEN_VAR, env_file)
    if not token:
        raise StudioError(
            f"no API token: set {TOKEN_VAR} (a personal access token from Label Studio's "
            f"Account & Settings page) or run `claimset studio up`, which stores one in {env_file}"
        )
    return connect(url, token)
