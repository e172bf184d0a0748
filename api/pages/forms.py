"""Reading page forms through the API's own schemas, so a page refuses exactly what the API refuses."""
from __future__ import annotations

import marshmallow as ma

from ..i18n import lang
from ..problems import flatten_messages
from .problems import HEADLINES, from_errors
from .text import t


def filled(form) -> dict:
    """The non-empty form fields (an empty field means "not given", as a missing JSON field does)."""
    return {k: v.strip() for k, v in form.items() if isinstance(v, str) and v.strip() and k != "csrf_token"}


def load(schema: ma.Schema, data: dict, field_map: dict | None = None):
    """(loaded, None) or (None, PageProblem listing every invalid field, each beside its input)."""
    try:
        return schema.load(data), None
    except ma.ValidationError as exc:
        errors = flatten_messages(exc.messages)
        uscc = all(e["field"].split(".")[-1] == "uscc" for e in errors)
        headline = HEADLINES["uscc"][lang() == "en"] if uscc else t("problem_title")
        return None, from_errors(422, headline, errors, field_map)
