"""Page sign-in: the API key kept in the signed session cookie, roles checked per page, CSRF tokens on POST forms."""
from __future__ import annotations

import functools
import hmac
import secrets
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request, session

from incentives.access import PUBLIC, Caller
from incentives.services import keys

from ..database import get_session
from .links import here, link
from .text import t

CSRF_FIELD = "csrf_token"


def csrf_token() -> str:
    """This session's CSRF token (created on first use), for the hidden field of every POST form."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Refuse (400) a POST whose form field or X-CSRF-Token header does not carry this session's token."""
    if request.method != "POST":
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    expected = session.get(CSRF_FIELD)
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description=t("csrf"))


def caller_of(key: str | None) -> Caller | None:
    """The caller a key stands for (the same check the API's Bearer auth makes), or None."""
    if not key:
        return None
    return keys.caller_for(session=get_session(), key=key, bootstrap_key=current_app.config.get("BOOTSTRAP_ADMIN_KEY"))


def _caller_of_hash(key_hash: str | None) -> Caller | None:
    # The signed (not encrypted) session cookie keeps only the key's hash: a stolen cookie never shows the key.
    if not key_hash:
        return None
    return keys.caller_for_hash(session=get_session(), key_hash=key_hash,
                                bootstrap_key=current_app.config.get("BOOTSTRAP_ADMIN_KEY"))


def page_caller() -> Caller:
    """The signed-in caller of this request (public when none, or when the stored key was revoked)."""
    if "page_caller" not in g:
        g.page_caller = _caller_of_hash(session.get("key_hash")) or PUBLIC
    return g.page_caller


def role_required(*roles: str):
    """A page for `roles` (admin may use any): not signed in -> the login form; wrong role -> 403 page."""
    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            caller = page_caller()
            if caller.role == "public":
                return redirect(link("pages.login", next=here()))
            if caller.role != "admin" and caller.role not in roles:
                return render_template("pages/login.html", roles=roles, wrong_role=True, next=here()), 403
            return view(*args, **kwargs)
        return guarded
    return decorate


def login():
    """Show the key form; on POST check the key and keep it in the session cookie."""
    nxt = local_path(request.values.get("next")) or link("pages.home")
    if request.method == "POST":
        key = (request.form.get("api_key") or "").strip()
        if caller_of(key) is None:
            return render_template("pages/login.html", next=nxt, error=t("bad_key")), 401
        session.clear()
        session["key_hash"] = keys.hash_key(key)
        return redirect(nxt)
    return render_template("pages/login.html", next=nxt)


def local_path(target: str | None) -> str | None:
    """`target` if it is a path of this service (`/…`, no scheme, host, backslash or control character), else None.

    Browsers drop tabs and newlines from URLs and read a backslash as `/`: `/<tab>/evil.example` and
    `/<backslash>evil.example` would both leave the site, so any of those characters refuses the target."""
    if not target or not target.startswith("/") or any(c == "\\" or ord(c) < 0x20 or ord(c) == 0x7f for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def logout():
    """Forget the key."""
    session.clear()
    return redirect(link("pages.home"))
