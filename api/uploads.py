"""Reading an uploaded file from a request: multipart field `file`, or the raw body (CSV, XLSX, text)."""
from __future__ import annotations

from flask import request

from incentives.errors import BadRequest, Invalid


def uploaded() -> tuple[bytes, str | None, str | None]:
    """The uploaded bytes, file name and media type; 400 if there is none."""
    if request.mimetype == "multipart/form-data":
        f = request.files.get("file")
        if f is None:
            raise Invalid("send the file in a form field named `file`", [{"field": "file", "message": "missing"}])
        return f.read(), f.filename, f.mimetype
    data = request.get_data()
    if not data:
        raise BadRequest("the request has no body", [{"field": "body", "message": "empty"}])
    return data, None, request.mimetype


def uploaded_files() -> list[tuple[str, bytes]]:
    """Every multipart `file` field as (file name, bytes), in the order sent."""
    out = []
    for i, f in enumerate(request.files.getlist("file")):
        out.append((f.filename or f"file-{i + 1}", f.read()))
        f.close()  # large parts are spooled to temporary files: release them now
    return out


def wants_csv() -> bool:
    """Whether the client asked for CSV (Accept: text/csv) over JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"], default="application/json")
    return best == "text/csv" and request.accept_mimetypes["text/csv"] > request.accept_mimetypes["application/json"]


def wants_xlsx() -> bool:
    """Whether the client asked for an XLSX workbook (Accept) over JSON."""
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return request.accept_mimetypes[xlsx] > request.accept_mimetypes["application/json"]
