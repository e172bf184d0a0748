"""Links that keep an explicitly chosen language (?lang=en) across pages and form posts."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for


def chosen_lang() -> str | None:
    """The language asked for in the query string, if any."""
    asked = request.args.get("lang")
    return asked if asked in ("zh", "en") else None


def link(endpoint: str, **values) -> str:
    """url_for that carries ?lang= when the user chose a language."""
    if chosen_lang() and "lang" not in values:
        values["lang"] = chosen_lang()
    return url_for(endpoint, **values)


def here() -> str:
    """This page's path with its query string."""
    return request.full_path.rstrip("?")


def switch_to(language: str) -> str:
    """This page in another language."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    args["lang"] = language
    return request.path + "?" + urlencode(args)
