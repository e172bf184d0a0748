"""Chart data prepared on the server (the browser only draws it): exact decimals written as text, colours and
labels decided here so that a chart says what its table says."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from incentives.tax.parameters import NO_REDUCTION_TIER, percent, statutory, tier_labels

from .format import number, pollutant_label
from .text import t, tier_name

# LAW-13 (环境保护税法 第十三条) tiers as the catalogue publishes them (env_tax.reduction_tiers): each tier takes a
# colour by its order among the published tiers (largest reduction green, smallest amber; with the two tiers
# of 2018, 50% is the first stop and 75% the last). Each bar takes the colour of the tier the assessment decided
# for that month (the table's tier); the guide lines are the limits × standard of the tiers in force that month.
TIER_STOPS = (("#2e7d32", "#1b5e20"), ("#507c2d", "#375d18"), ("#737b29", "#535c10"), ("#957a24", "#6e5b08"),
              ("#b7791f", "#8a5a00"))       # (bar, guide line) per stop; site.css .tier-s0 … .tier-s4 match
NONE_COLOUR = "#6b7785"


def tier_class(label: str) -> str:
    """The tier's stop ("s0" … "s4", CSS class tier-<stop>) by its order among the published tiers; "none"."""
    tiers = tier_labels()[:-1]
    if label not in tiers:
        return NO_REDUCTION_TIER
    i, last = tiers.index(label), len(tiers) - 1
    return f"s{round(i * (len(TIER_STOPS) - 1) / last) if last else 0}"


def tier_colour(label: str, guide: bool = False) -> str:
    """The colour of a tier's bars (or of its guide line)."""
    stop = tier_class(label)
    return NONE_COLOUR if stop == NO_REDUCTION_TIER else TIER_STOPS[int(stop[1:])][guide]


def _text(value) -> str | None:
    return None if value is None else format(Decimal(str(value)).normalize(), "f")


def _guides(months: list[str], std: list[Decimal | None]) -> list[dict]:
    """A dashed line per (tier, limit) in force in any of the months: limit × standard where it is in force."""
    in_force = [{(limit, label) for limit, _, label in statutory(dt.date.fromisoformat(m + "-01")).tiers}
                for m in months]
    lines = sorted(set().union(*in_force), reverse=True)    # loosest limit first (0.7 S above 0.5 S)
    return [{"name": t("line_share").format(share=percent(limit)), "colour": tier_colour(label, guide=True),
             "values": [_text(s * limit.numerator / limit.denominator) if s is not None and (limit, label) in tiers
                        else None for s, tiers in zip(std, in_force, strict=True)]}
            for limit, label in lines]


def tax_series(rows: list[dict]) -> list[dict]:
    """One chart per outlet × pollutant: monthly means coloured by tier, the hourly maxima, the standard lines."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["outlet"], r["pollutant"]), []).append(r)
    legend = [{"name": tier_name(k), "colour": tier_colour(k)} for k in tier_labels()]
    charts = []
    for n, ((outlet, pollutant), items) in enumerate(groups.items()):
        items = sorted(items, key=lambda r: r["month"])
        std = [None if r["standard"] is None else Decimal(str(r["standard"])) for r in items]
        months = [r["month"] for r in items]
        charts.append({
            "id": f"tax-chart-{n}", "title": f"{outlet} · {pollutant_label(pollutant, items[0].get('pollutant_zh'))}",
            "months": months,
            "mean": [_text(r["avg_concentration"]) for r in items],
            "max": [_text(r["max_concentration"]) for r in items],
            "tiers": [r["tier"] for r in items],
            "colours": [tier_colour(r["tier"]) for r in items],
            "tier_names": [tier_name(r["tier"]) for r in items],
            "standard": [_text(s) for s in std],
            "guides": _guides(months, std),
            "legend": legend,
            "labels": {"mean": t("avg"), "max": t("max_hour"), "standard": t("standard"), "unit": "mg/m³"},
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
