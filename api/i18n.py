"""Language of an answer: Chinese by default, English when the request asks for it."""
from __future__ import annotations

from flask import request


def lang() -> str:
    """'en' if ?lang=en or Accept-Language prefers English over Chinese, else 'zh'."""
    asked = request.args.get("lang")
    if asked in ("zh", "en"):
        return asked
    best = request.accept_languages.best_match(["zh", "en"], default="zh")
    return "en" if best == "en" else "zh"


def pick(text, language: str | None = None):
    """A Text{zh,en} (or dict) in the request's language."""
    language = language or lang()
    if text is None:
        return None
    if isinstance(text, dict):
        return text.get(language) or text.get("zh")
    return text.pick(language)


def localize(value, language: str):
    """Plain data with every {zh, en} text replaced by the sentence in `language` (fast answers)."""
    if isinstance(value, dict):
        if value.keys() == {"zh", "en"}:
            return value.get(language) or value.get("zh")
        return {k: localize(v, language) for k, v in value.items()}
    if isinstance(value, list):
        return [localize(v, language) for v in value]
    return value
