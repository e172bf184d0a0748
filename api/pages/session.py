"""Page sign-in: the API key kept in the signed session cookie, roles checked per page, CSRF tokens on POST forms."""
from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
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


# endpoint -> a function showing that page's form again, as filled, with a problem (never running the form).
REDISPLAY: dict[str, Callable] = {}


def redisplay_on_expiry(endpoint: str):
    """Register how a page shows its form again when its token has expired (the input is kept)."""
    def register(show: Callable) -> Callable:
        REDISPLAY[endpoint] = show
        return show
    return register


def check_csrf():
    """A POST whose form field or X-CSRF-Token header lacks this session's token is never run: the page's form
    comes back as filled with a 400 message (a new token in it), or a plain 400 where a page has no form."""
    if request.method != "POST":
        return None
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    expected = session.get(CSRF_FIELD)
    if expected and hmac.compare_digest(sent.encode(), expected.encode()):
        return None
    show = REDISPLAY.get(request.endpoint or "")
    if show is None:
        abort(400, description=t("csrf"))
    from .problems import message
    return show(message(400, t("csrf")))


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
                return render_template("pages/login.html", roles=roles, wrong_role=True, next=here(),
                                       problem=None), 403
            return view(*args, **kwargs)
        return guarded
    return decorate


def _next() -> str:
    return local_path(request.values.get("next")) or link("pages.home")   # never redirect off-site


@redisplay_on_expiry("pages.login")
def _login_expired(problem):
    return render_template("pages/login.html", next=_next(), problem=problem), problem.status


def login():
    """Show the key form; on POST check the key and keep it in the session cookie."""
    nxt = _next()
    if request.method == "POST":
        key = (request.form.get("api_key") or "").strip()
        if caller_of(key) is None:
            from .problems import field_problem
            return render_template("pages/login.html", next=nxt, problem=field_problem(401, "api_key", t("bad_key"))), 401
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
