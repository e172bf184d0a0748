"""The emergency-response sheet (一厂一策 公示牌) rendered: a printable HTML page, and the same page as PDF
(WeasyPrint with the system's CJK fonts). The API (`GET /api/v1/enterprises/{uscc}/emergency-sheet?format=
html|pdf`) and the signed-in page (`/enterprises/{uscc}/emergency-sheet`) both render through here."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from flask import Response, render_template

from .i18n import lang

CSS = Path(__file__).resolve().parent / "static" / "css" / "emergency_sheet.css"
PDF = "application/pdf"

TEXT: dict[str, tuple[str, str]] = {
    "title": ("重污染天气应急减排公示牌（一厂一策）", "Emergency-response sheet (one plant, one policy)"),
    "uscc": ("统一社会信用代码", "USCC"),
    "as_of": ("日期", "As of"),
    "overall_grade": ("综合绩效等级", "Overall grade"),
    "line": ("生产线（行业）", "Line (industry)"),
    "managed_grade": ("管理等级", "Managed grade"),
    "rated_grade": ("评定等级", "Rated grade"),
    "alert": ("预警级别", "Alert level"),
    "production": ("生产措施", "Production"),
    "transport": ("运输措施", "Transport"),
    "ref": ("依据", "Ref"),
    "base": ("限产基准", "Base of a cut"),
    "no_table": ("无应急减排措施表", "No measure table"),
    "staggered": ("错峰生产", "Staggered production (错峰)"),
    "season": ("时段", "Season"),
    "days": ("停产天数", "Days stopped"),
    "treatment": ("本线安排", "This line"),
    "none_in_force": ("当日无适用的错峰生产安排", "No staggered-production calendar in force on this day"),
    "general": ("适用于全企业的应急措施", "Emergency measures for the whole enterprise"),
    "unverified": ("未核实", "unverified"),
    "partial": ("部分核实", "partly verified"),
    "draft": ("征求意见稿", "draft"),
    "expired": ("已失效", "expired"),
    "pdf": ("下载 PDF", "Download PDF"),
    "print": ("打印本页即为公示牌", "Print this page to post it"),
    "ruleset": ("规则版本", "Ruleset"),
    "source": ("来源", "Source"),
    "read_as": ("按{grade}级措施执行", "measures of grade {grade}"),
    "yellow": ("黄色预警", "Yellow alert"),
    "orange": ("橙色预警", "Orange alert"),
    "red": ("红色预警", "Red alert"),
    "p_none": ("无限产要求", "No production limit"),
    "p_own_measures": ("鼓励结合实际，自主采取减排措施", "Own measures (encouraged)"),
    "p_cut": ("限产{share}", "Cut output by {share}"),
    "p_stop_lines": ("停产{share}，以生产线计", "Stop {share} of the lines"),
    "p_stop": ("停产", "Stop production"),
    "t_none": ("—", "—"),
    "t_no_guo4_heavy_trucks": ("停止使用国四及以下重型载货车辆（含燃气）运输",
                               "No transport by heavy trucks of China IV or below (gas included)"),
    "t_no_road_transport": ("停止公路运输", "No road transport"),
    "s_exempt": ("豁免错峰生产", "Exempt"),
    "s_staggered": ("错峰生产", "Staggered"),
    "s_may_shorten": ("错峰生产，可适当缩短（文件未给出天数）", "Staggered; may be shortened (no number given)"),
    "s_stop": ("停产", "Stopped"),
    "heavy": ("重污染天气", "Heavy pollution"),
    "light_moderate": ("轻、中度污染天气", "Light or moderate pollution"),
    "own_measures": ("自主减排", "own measures"),
    "fewer_measures": ("少采取应急减排措施", "fewer measures"),
    "exempt": ("豁免", "exempt"),
    "reduced_or_exempt": ("减少或免除应急响应", "reduced or exempt"),
    "differentiated": ("差异化管控", "differentiated control"),
    "list_measures": ("按清单采取措施", "measures of the list"),
    "on_list": ("纳入应急减排清单", "on the emergency list"),
    "strict": ("严格采取应急减排措施", "strict measures"),
}


def tx(key: str, **values) -> str:
    """A string of the sheet in the request's language."""
    zh, en = TEXT.get(key, (key, key))
    return (en if lang() == "en" else zh).format(**values)


def share(value) -> str:
    """0.20 as 20%."""
    return f"{(Decimal(str(value)) * 100).normalize():f}%" if value is not None else ""


def render_html(answer: dict, *, for_pdf: bool = False) -> str:
    """The sheet as an HTML document (stylesheet linked; for the PDF engine the stylesheet is given to it)."""
    return render_template("pages/emergency_sheet.html", sheet=answer, tx=tx, share=share, for_pdf=for_pdf)


def render_pdf(answer: dict) -> bytes:
    """The sheet as PDF, laid out by WeasyPrint with the system's CJK fonts (Debian fonts-noto-cjk)."""
    import weasyprint
    from weasyprint.urls import URLFetcher
    # The sheet needs nothing from outside: no protocol is allowed, so the PDF engine never fetches a URL.
    no_fetch = URLFetcher(allowed_protocols=())
    html = weasyprint.HTML(string=render_html(answer, for_pdf=True), url_fetcher=no_fetch)
    return html.write_pdf(stylesheets=[weasyprint.CSS(string=CSS.read_text(encoding="utf-8"), url_fetcher=no_fetch)])


def respond(answer: dict, fmt: str, *, filename: str) -> Response | dict:
    """The answer as JSON (returned for the schema), HTML or PDF."""
    if fmt == "pdf":
        return Response(render_pdf(answer), mimetype=PDF,
                        headers={"Content-Disposition": f"inline; filename={filename}.pdf"})
    if fmt == "html":
        return Response(render_html(answer), mimetype="text/html")
    return answer
