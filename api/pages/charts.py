"""Chart data prepared on the server (the browser only draws it): exact decimals written as text, colours and
labels decided here so that a chart says what its table says."""
from __future__ import annotations

from decimal import Decimal

from .format import number, pollutant_label
from .text import t

# LAW-13 (环境保护税法 第十三条): concentrations 30% / 50% below the standard. Guide lines of the chart only;
# each bar takes the colour of the tier the assessment decided for that month (the table's tier), never a zone.
GUIDE_FRACTIONS = (Decimal("0.5"), Decimal("0.7"))
TIER_COLOURS = {"50%": "#2e7d32", "75%": "#b7791f", "none": "#6b7785"}


def _text(value) -> str | None:
    return None if value is None else format(Decimal(str(value)).normalize(), "f")


def tax_series(rows: list[dict]) -> list[dict]:
    """One chart per outlet × pollutant: monthly means coloured by tier, the hourly maxima, the standard lines."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["outlet"], r["pollutant"]), []).append(r)
    low, high = GUIDE_FRACTIONS
    charts = []
    for n, ((outlet, pollutant), items) in enumerate(groups.items()):
        items = sorted(items, key=lambda r: r["month"])
        std = [None if r["standard"] is None else Decimal(str(r["standard"])) for r in items]
        charts.append({
            "id": f"tax-chart-{n}", "title": f"{outlet} · {pollutant_label(pollutant, items[0].get('pollutant_zh'))}",
            "months": [r["month"] for r in items],
            "mean": [_text(r["avg_concentration"]) for r in items],
            "max": [_text(r["max_concentration"]) for r in items],
            "tiers": [r["tier"] for r in items],
            "colours": [TIER_COLOURS[r["tier"]] for r in items],
            "tier_names": [t("tier_" + r["tier"]) for r in items],
            "standard": [_text(s) for s in std],
            "line50": [_text(s * low) if s is not None else None for s in std],
            "line70": [_text(s * high) if s is not None else None for s in std],
            "legend": [{"name": t("tier_" + k), "colour": c} for k, c in TIER_COLOURS.items()],
            "labels": {"mean": t("avg"), "max": t("max_hour"), "standard": t("standard"), "line50": t("line_50"),
                       "line70": t("line_70"), "unit": "mg/m³"},
        })
    return charts


def headline_chart(summary: dict) -> dict | None:
    """The preview's money figures (yuan) in one chart; None when there is no figure to draw."""
    bars = [f for f in summary["figures"] if f["key"] in ("env_tax", "output_value", "cash")
            and f["value"] is not None and Decimal(str(f["value"])) > 0]
    if not bars:
        return None
    return {"id": "headline-chart", "labels": [f["label"] for f in bars], "values": [_text(f["value"]) for f in bars],
            "texts": [number(f["value"]) + " " + f["unit"] for f in bars], "title": t("chart_money")}


GRADE_COLOURS = {"A+": "#1b5e20", "A": "#2e7d32", "B": "#1f5fa8", "B-": "#4a7bbf", "C": "#b7791f", "D": "#c0392b",
                 "引领": "#2e7d32", "非引领": "#b7791f", "none": "#6b7785"}


def _grade_name(g: str) -> str:
    from .format import grade_label
    return t("unrated_short") if g == "none" else grade_label(g)


def grade_chart(stats: dict) -> dict | None:
    """Enterprises by managed grade: one bar per grade, in the table's order and colours."""
    items = stats["by_grade"]
    if not items:
        return None
    return {"id": "grade-chart", "kind": "bars", "title": t("by_grade"), "categories": [_grade_name(i["grade"]) for i in items],
            "series": [{"name": t("count"), "values": [i["count"] for i in items],
                        "colours": [GRADE_COLOURS.get(i["grade"], "#6b7785") for i in items]}],
            "text": "；".join(f"{_grade_name(i['grade'])} {i['count']}" for i in items)}


def industry_chart(stats: dict) -> dict | None:
    """Enterprises by industry, stacked by grade."""
    from .format import industry_label
    rows = stats["by_industry"]
    if not rows:
        return None
    grades = sorted({g["grade"] for r in rows for g in r["grades"]},
                    key=lambda g: list(GRADE_COLOURS).index(g) if g in GRADE_COLOURS else 99)
    series = [{"name": _grade_name(g), "colour": GRADE_COLOURS.get(g, "#6b7785"),
               "values": [next((x["count"] for x in r["grades"] if x["grade"] == g), 0) for r in rows]}
              for g in grades]
    return {"id": "industry-chart", "kind": "bars", "stacked": True, "horizontal": True, "title": t("by_industry"),
            "categories": [industry_label(r["industry"]) for r in rows], "series": series,
            "text": "；".join(f"{industry_label(r['industry'])} {r['total']}" for r in rows)}
