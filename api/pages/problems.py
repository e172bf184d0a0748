"""Errors shown on a page: a clear zh/en headline, the service's detail and its field or row list; never a trace."""
from __future__ import annotations

from dataclasses import dataclass, field

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
    "file": ("文件无法读取：", "The file cannot be read:"),
    "records": ("监测数据中有无效的值（见下表行号）。", "The monitoring data has invalid values (see the lines below)."),
    "uscc": ("统一社会信用代码无效。", "The USCC is not valid."),
    "not_found": ("未找到。", "Not found."),
    "forbidden": ("无权查看。", "Not permitted."),
    "too_large": ("数量超过上限。", "Too many items."),
    "invalid": ("输入有误。", "The input is not valid."),
    "rate": ("缺少或无效的税额标准。", "A tax rate is missing or not valid."),
    "standard": ("缺少排放标准浓度。", "An emission standard is missing."),
}


@dataclass
class PageProblem:
    """What the page shows: a headline in the page's language, the detail and the itemised errors."""
    status: int
    headline: str
    detail: str = ""
    errors: list[dict] = field(default_factory=list)


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


def describe(exc: Exception) -> PageProblem:
    """The page's account of an expected error."""
    zh, en = HEADLINES[_kind(exc)]
    status = getattr(exc, "status", 422)
    return PageProblem(status=status, headline=en if lang() == "en" else zh,
                       detail=getattr(exc, "detail", None) or str(exc), errors=list(getattr(exc, "errors", []) or []))


def message(status: int, headline: str, detail: str = "") -> PageProblem:
    """A problem the page itself found (a missing field, a malformed number)."""
    return PageProblem(status=status, headline=headline, detail=detail)


def from_http(exc: HTTPException) -> PageProblem:
    """An HTTP error raised in a page (bad CSRF token, too large an upload)."""
    return PageProblem(status=exc.code or 500, headline=exc.description or exc.name)


def attempt(call):
    """Run a service call; return (answer, None) or (None, PageProblem) for an expected error."""
    try:
        return call(), None
    except EXPECTED as exc:
        return None, describe(exc)
