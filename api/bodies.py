"""JSON bodies read strictly and cheaply, before any schema (contract 1.1 "Hardening": bounded work).

A number's syntax and magnitude are checked on its text before it is converted: at most 30 digits
for an integer (Python would spend quadratic time on 5 000, and refuses more), at most 40 characters
for a fraction, no NaN or Infinity. Text may not hold a NUL or an unpaired surrogate (PostgreSQL and UTF-8 refuse both).
"""
from __future__ import annotations

import json
import re

from flask_smorest import Blueprint as _Blueprint
from webargs.flaskparser import FlaskParser, is_json_request

from incentives.errors import Invalid

MAX_INT_DIGITS = 30
MAX_NUMBER_CHARS = 40
_SUSPECT = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def _refuse(text: str, why: str):
    shown = text if len(text) <= 24 else f"{text[:12]}…{text[-8:]} ({len(text)} characters)"
    raise Invalid(f"a JSON number is out of range: {shown}", [{"field": "body", "message": f"{shown}: {why}"}])


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        _refuse(text, f"an integer has at most {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    # A JSON fraction becomes a float, bounded whatever its exponent (1e-300000 is 0.0, 1e400 is refused
    # as infinite by the schemas); only its length is limited here. Decimal *text* is checked where it
    # is converted (schemas' non_negative, the tax records' range check).
    if len(text) > MAX_NUMBER_CHARS:
        _refuse(text, f"a number has at most {MAX_NUMBER_CHARS} characters")
    return float(text)


def _constant(text: str):
    _refuse(text, "NaN and Infinity are not JSON numbers")


def loads(data: str | bytes):
    """Parse a JSON document strictly (see the module); BadRequest names the field with bad text."""
    text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
    obj = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    if _SUSPECT.search(text):
        bad = _bad_text(obj, "")
        if bad is not None:
            raise Invalid("JSON text holds a NUL character or an unpaired surrogate",
                             [{"field": bad or "body", "message": "NUL or unpaired surrogate (\\u0000, \\ud800…)"}])
    return obj


def _bad_text(obj, path: str) -> str | None:
    """The path of the first string (key or value) holding a NUL or an unpaired surrogate, or None."""
    if isinstance(obj, str):
        return path if "\x00" in obj or not _encodes(obj) else None
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, value in items:
        where = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and ("\x00" in key or not _encodes(key)):
            return where
        found = _bad_text(value, where)
        if found is not None:
            return found
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


class StrictParser(FlaskParser):
    """webargs' Flask parser with the strict JSON reading above."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            from webargs import core
            return core.missing
        data = req.get_data(cache=True)
        try:
            return loads(data)
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"Bytes decoding error : {exc.reason}", "", exc.start) from exc


class Blueprint(_Blueprint):
    """flask-smorest's Blueprint reading JSON bodies strictly (every API blueprint is one)."""
    ARGUMENTS_PARSER = StrictParser()
