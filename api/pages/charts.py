"""Chart data prepared on the server (the browser only draws it): exact decimals written as text."""
from __future__ import annotations

from decimal import Decimal

from .format import pollutant_label
from .text import t

# LAW-13 (环境保护税法 第十三条): concentrations 30% / 50% below the standard. Guide lines of the chart only;
# the tier of each month is the assessment's (incentives.tax.assessment._tier), shown as it decided it.
GUIDE_FRACTIONS = (Decimal("0.5"), Decimal("0.7"))


def _text(value) -> str | None:
    return None if value is None else format(Decimal(str(value)).normalize(), "f")


def tax_series(rows: list[dict]) -> list[dict]:
    """One chart per outlet × pollutant: monthly means, the standard, the 50%/70% lines and the tier bands."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["outlet"], r["pollutant"]), []).append(r)
    low, high = GUIDE_FRACTIONS
    charts = []
    for n, ((outlet, pollutant), items) in enumerate(groups.items()):
        items.sort(key=lambda r: r["month"])
        std = [None if r["standard"] is None else Decimal(str(r["standard"])) for r in items]
        charts.append({
            "id": f"tax-chart-{n}", "title": f"{outlet} · {pollutant_label(pollutant, items[0].get('pollutant_zh'))}",
            "months": [r["month"] for r in items],
            "mean": [_text(r["avg_concentration"]) for r in items],
            "standard": [_text(s) for s in std],
            "line50": [_text(s * low) if s is not None else None for s in std],
            "line70": [_text(s * high) if s is not None else None for s in std],
            "bands": [[_text(s * low) if s is not None else None for s in std],
                      [_text(s * (high - low)) if s is not None else None for s in std],
                      [_text(s * (1 - high)) if s is not None else None for s in std]],
            "tiers": [r["tier"] for r in items],
            # One standard for every month (the usual case): zones and lines span the chart.
            "flat": _flat(std, low, high),
            "labels": {"mean": t("avg"), "standard": t("standard"), "line50": t("line_50"), "line70": t("line_70"),
                       "bands": [t("zone_50"), t("zone_75"), t("zone_none")]},
        })
    return charts


def _flat(std: list, low: Decimal, high: Decimal) -> dict | None:
    if not std or std[0] is None or any(s != std[0] for s in std):
        return None
    s = std[0]
    return {"standard": _text(s), "line50": _text(s * low), "line70": _text(s * high)}


def quantified_bars(quantified: dict) -> list[dict]:
    """The preview's quantified figures as bars, one chart per unit (yuan, tCO2, days…)."""
    figures = []
    for value in (quantified or {}).values():
        figures += value if isinstance(value, list) else [value]
    by_unit: dict[str, dict] = {}
    for f in figures:
        if not f or f.get("value") is None:
            continue
        chart = by_unit.setdefault(f["unit"], {"unit": f["unit"], "labels": [], "values": []})
        chart["labels"].append(f"{_kind_label(f)} ({', '.join(f.get('refs') or [])})")
        chart["values"].append(_text(f["value"]))
    return [{"id": f"q-chart-{n}", **c} for n, c in enumerate(by_unit.values())]


def _kind_label(f: dict) -> str:
    from .text import label
    return label("figure", f.get("kind"))
