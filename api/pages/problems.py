"""Errors shown on a page, GOV.UK style: a summary at the top linking to each field, the same message beside the
field, in the page's language; a file's errors listed by line and column. Never a trace."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from incentives import env_tax
from incentives import uscc as uscc_mod
from incentives.errors import DomainError, Forbidden, Invalid, NotFound, TooLarge
from incentives.tabular import FileProblem

from ..i18n import lang

# Every error a page's service call can raise on bad input (each carries a detail and, mostly, errors).
EXPECTED = (DomainError, FileProblem, uscc_mod.InvalidUscc, env_tax.RecordErrors, env_tax.MissingRate,
            env_tax.InvalidRate, env_tax.MissingStandard)

HEADLINES = {
    "encoding": ("文件编码无法识别：请将 CSV 另存为 UTF-8 或 GBK 编码，或上传 XLSX。",
                 "The file's encoding is not recognised: save the CSV as UTF-8 or GBK, or upload XLSX."),
    "not_table": ("文件不是 CSV 或 XLSX 表格：请上传 CSV（UTF-8 或 GBK 编码）或 XLSX 文件。",
                  "The file is not a CSV or XLSX table: upload a CSV (UTF-8 or GBK) or an XLSX file."),
    "file": ("文件无法读取：", "The file cannot be read:"),
    "records": ("监测数据中有无效的值（见下表行号）。", "The monitoring data has invalid values (see the lines below)."),
    "uscc": ("统一社会信用代码无效。", "The USCC is not valid."),
    "not_found": ("未找到。", "Not found."),
    "forbidden": ("无权查看。", "Not permitted."),
    "too_large": ("数量超过上限。", "Too many items."),
    "invalid": ("输入有误。", "The input is not valid."),
    "rate": ("缺少或无效的税额标准。", "A tax rate is missing or not valid."),
    "standard": ("缺少排放标准浓度：请在下表填写，或上传带“标准浓度”列的文件。",
                 "An emission standard is missing: fill it in below, or upload a file with a standard column."),
}

# marshmallow's messages in the page's language (the service's own messages are already "中文 / English").
MESSAGES_ZH = {
    "Not a valid number.": "不是有效的数字。", "Not a valid integer.": "不是有效的整数。",
    "Not a valid date.": "不是有效的日期（格式 YYYY-MM-DD）。", "Missing data for required field.": "必填。",
    "Field may not be null.": "必填。", "Not a valid string.": "不是有效的文本。",
    "Must be one of": "必须是以下之一", "Unknown field": "不认识的字段",
    "Not a valid mapping type.": "格式不对。", "Not a valid list.": "格式不对。",
}
PICTURES = re.compile(r"\.(png|jpe?g|gif|bmp|webp|pdf|docx?|zip|rar|7z)$", re.IGNORECASE)


def localize(message: str) -> str:
    """A message in the page's language: "中文 / English" pairs split, marshmallow's English translated."""
    text = str(message)
    if " / " in text:
        zh, _, en = text.partition(" / ")
        return en.strip() if lang() == "en" else zh.strip()
    if lang() == "en":
        return text
    for en, zh in MESSAGES_ZH.items():
        if text.startswith(en):
            return zh + text[len(en):]
    return text


@dataclass
class PageProblem:
    """What the page shows: a headline, the detail, the service's itemised errors and the inline messages.

    `fields` maps a form field's name to the message shown beside it (and linked from the summary)."""
    status: int
    headline: str
    detail: str = ""
    errors: list[dict] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def listed(self) -> list[dict]:
        """The summary's items: the fields first (each links to its input), then rows and unmapped errors."""
        shown = [{"field": name, "message": msg} for name, msg in self.fields.items()]
        return shown + [e for e in self.errors if not e.get("form_field")]


def _kind(exc: Exception) -> str:
    if isinstance(exc, FileProblem):
        return "encoding" if exc.status == 400 else "file"
    if isinstance(exc, env_tax.RecordErrors):
        return "records"
    if isinstance(exc, (env_tax.MissingRate, env_tax.InvalidRate)):
        return "rate"
    if isinstance(exc, env_tax.MissingStandard):
        return "standard"
    if isinstance(exc, uscc_mod.InvalidUscc):
        return "uscc"
    fields = [str(e.get("field") or "") for e in getattr(exc, "errors", None) or []]
    if fields and all(".standards." in f for f in fields):
        return "standard"
    if isinstance(exc, NotFound):
        return "not_found"
    if isinstance(exc, Forbidden):
        return "forbidden"
    if isinstance(exc, TooLarge):
        return "too_large"
    if isinstance(exc, Invalid) and any(str(e.get("field", "")).split(".")[-1] == "uscc" for e in exc.errors):
        return "uscc"
    return "invalid"


def from_errors(status: int, headline: str, errors: list[dict], field_map: dict | None = None,
                detail: str = "") -> PageProblem:
    """A problem from itemised errors: each API field the form has becomes that field's inline message."""
    items, fields = [], {}
    for e in errors:
        e = {**e, "message": localize(e.get("message", ""))}
        name = form_field(str(e.get("field") or ""), field_map or {})
        if name:
            e["form_field"] = name
            fields.setdefault(name, e["message"])
        items.append(e)
    return PageProblem(status=status, headline=headline, detail=detail, errors=items, fields=fields)


def form_field(api_field: str, field_map: dict) -> str | None:
    """The form field an API field is entered in (exact name, else its longest mapped prefix)."""
    parts = api_field.split(".")
    for n in range(len(parts), 0, -1):
        name = field_map.get(".".join(parts[:n]))
        if name:
            return name
    return None


def describe(exc: Exception, field_map: dict | None = None, upload_field: str = "file") -> PageProblem:
    """The page's account of an expected error; a file's problem is shown beside the file input."""
    kind = _kind(exc)
    upload = request.files.get(upload_field) if request.files else None
    if kind in ("encoding", "file") and upload is not None and PICTURES.search(upload.filename or ""):
        kind = "not_table"   # a scan or a document: the fix is another file, not another encoding
    zh, en = HEADLINES[kind]
    headline = en if lang() == "en" else zh
    status = getattr(exc, "status", 422)
    detail = localize(getattr(exc, "detail", None) or str(exc))
    if kind == "not_table":
        return PageProblem(status=400, headline=headline, fields={upload_field: headline})
    problem = from_errors(status, headline, list(getattr(exc, "errors", []) or []), field_map, detail)
    if kind in ("encoding", "not_table", "file", "records"):
        problem.fields.setdefault(upload_field, headline if kind != "file" else f"{headline} {detail}")
    elif kind == "uscc" and not problem.fields and field_map and "uscc" in field_map.values():
        problem.fields["uscc"] = detail
    return problem


def message(status: int, headline: str, detail: str = "") -> PageProblem:
    """A problem the page itself found that belongs to no one field."""
    return PageProblem(status=status, headline=headline, detail=detail)


def field_problem(status: int, name: str, text: str) -> PageProblem:
    """A problem the page itself found in one field: summary and inline message alike."""
    return PageProblem(status=status, headline=text, fields={name: text})


def from_http(exc: HTTPException) -> PageProblem:
    """An HTTP error raised in a page (too large an upload, an unknown path)."""
    return PageProblem(status=exc.code or 500, headline=exc.description or exc.name)


def attempt(call, field_map: dict | None = None, upload_field: str = "file"):
    """Run a service call; return (answer, None) or (None, PageProblem) for an expected error."""
    try:
        return call(), None
    except EXPECTED as exc:
        return None, describe(exc, field_map, upload_field)


def field_attrs(problem, name: str) -> Markup:
    """An input's id (the summary links to it) and, when it is in error, aria-invalid and its message's id."""
    attrs = f'id="f-{escape(name)}"'
    if isinstance(problem, PageProblem) and name in problem.fields:
        attrs += f' aria-invalid="true" aria-describedby="e-{escape(name)}"'
    return Markup(attrs)
