"""User accounts and personal access tokens through Label Studio's web endpoints.

Community 1.23 has no admin API to create users; the supported way is the organisation's
invite link (``/user/signup/?token=...``), which this module drives with a plain HTTP session,
exactly as a person following the link would. Personal access tokens are created by the
logged-in user (``POST /api/token/``); the server shows a token only once, so it is stored in
``.env`` immediately.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx

from claimset.labelstudio.client import StudioError
from claimset.labelstudio.envfile import redact


@dataclass
class Session:
    """A logged-in browser-like session (cookies + CSRF token)."""

    url: str
    http: httpx.Client

    def csrf_headers(self) -> dict[str, str]:
        """Headers Django's CSRF check wants on unsafe requests from a session."""
        return {"X-CSRFToken": self.http.cookies.get("csrftoken") or "", "Referer": self.url + "/"}

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.http.close()


def _form_post(http: httpx.Client, url: str, path: str, data: dict[str, str]) -> httpx.Response:
    http.get(path)  # sets the csrftoken cookie
    form = {**data, "csrfmiddlewaretoken": http.cookies.get("csrftoken") or ""}
    return http.post(path, data=form, headers={"Referer": url + path})


def login(url: str, email: str, password: str, timeout: float = 60.0) -> Session:
    """Log in through the web form; raises StudioError (without the password) on failure."""
    url = url.rstrip("/")
    http = httpx.Client(base_url=url, timeout=timeout, follow_redirects=False)
    try:
        r = _form_post(http, url, "/user/login/", {"email": email, "password": password})
    except httpx.HTTPError as exc:
        http.close()
        raise StudioError(
            f"{url}: cannot reach the server to log in {email}: {type(exc).__name__}"
        ) from None
    if r.status_code != 302 or "sessionid" not in http.cookies:
        http.close()
        raise StudioError(f"{url}: login as {email} failed (wrong email or password?)")
    return Session(url=url, http=http)


def whoami(session: Session) -> dict[str, object]:
    """The logged-in user's record."""
    r = session.http.get("/api/current-user/whoami")
    if r.status_code != 200:
        raise StudioError(f"{session.url}: whoami failed with HTTP {r.status_code}")
    return dict(r.json())


def create_token(session: Session) -> str | None:
    """Create a personal access token; None when the user already has one (shown only once)."""
    r = session.http.post("/api/token/", headers=session.csrf_headers())
    if r.status_code == 409:
        return None
    if r.status_code != 201:
        raise StudioError(
            f"{session.url}: creating an API token failed: HTTP {r.status_code} {redact(r.text[:300])}"
        )
    token = r.json().get("token")
    if not isinstance(token, str):
        raise StudioError(f"{session.url}: the token response had no token")
    return token


def token_works(url: str, token: str) -> bool:
    """True when ``token`` authenticates against ``url`` (refresh + whoami)."""
    from claimset.labelstudio.client import connect

    try:
        connect(url, token, check=True, timeout=30)
    except StudioError:
        return False
    return True


def invite_link(admin: Session) -> str:
    """The organisation's signup path (``/user/signup/?token=...``)."""
    r = admin.http.get("/api/invite")
    if r.status_code != 200:
        raise StudioError(f"{admin.url}: cannot read the invite link: HTTP {r.status_code}")
    return str(r.json()["invite_url"])


def list_users(admin: Session) -> dict[str, int]:
    """email -> user id for every user of the organisation."""
    r = admin.http.get("/api/users/", params={"page_size": 10000})
    if r.status_code != 200:
        raise StudioError(f"{admin.url}: cannot list users: HTTP {r.status_code}")
    body = r.json()
    users = body.get("results", body) if isinstance(body, dict) else body
    return {str(u["email"]).lower(): int(u["id"]) for u in users}


def signup(url: str, invite: str, email: str, password: str, timeout: float = 60.0) -> None:
    """Create the account ``email`` through the invite link, as the invited person would."""
    url = url.rstrip("/")
    with httpx.Client(base_url=url, timeout=timeout, follow_redirects=False) as http:
        r = _form_post(http, url, invite, {"email": email, "password": password})
    if r.status_code != 302:
        # The form re-renders with the error; keep only a hint, never the password.
        raise StudioError(
            f"{url}: signing up {email} failed (HTTP {r.status_code}); is the password at least 8 characters?"
        )


def new_password() -> str:
    """A random url-safe password (stored in .env, never printed)."""
    return secrets.token_urlsafe(18)
