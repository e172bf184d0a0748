"""CP values of kept hourly packets to records: collected per packet, then decided column-wise.

Concentrations in mg/m3 and -Cou in kg (HJ 212-2017 表B.2), flow in m3 for the hour (a00000-Cou).
"""
from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal, InvalidOperation

import numpy as np

from .codes import FLAG_RULES, MISSING_FLAG, NOT_COMPUTABLE, factors

# -Cou vs Avg x flow x 10^-6 (附录D D2.5): an hourly Cou sums minute emissions, so it need not equal the
# product of hourly means; beyond 5 % (or the Cou's own last-digit rounding) it is reported, never used
# to change a figure. Engineering default, no source: real packets P1-P3 agree within 3.1 %.
COU_TOLERANCE = Decimal("0.05")
FLOW_SECONDS = {"m3/s": Decimal(3600), "m3/h": Decimal(1)}  # a00000-Avg to m3 in the hour
FLAG_LIST = "".join(FLAG_RULES)
_MEGA = Decimal("0.000001")
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
_SENTINEL = Decimal(NOT_COMPUTABLE)


def plain_number(text: str) -> str | None:
    """A value as a plain decimal string (never 1E-5), or None if it is not a finite number."""
    if _PLAIN.fullmatch(text):
        return text[1:] if text[0] == "-" and not text.strip("-0.") else text
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return format(d, "f") if d.is_finite() else None


def is_not_computable(text: str | None) -> bool:
    """The HJ 212-2025 9999.99 marker (§8.1.1 d): a 折算 value that could not be computed."""
    return text is not None and text.startswith("9999.99") and plain_number(text) is not None \
        and Decimal(text) == _SENTINEL


def regular_groups(cp: str, bad: list[str]) -> list[tuple[str, str]]:
    """CP groups as (factor code, "code-Sfx=v,…" with that code only); packet fields are skipped."""
    out = []
    for group in cp.split(";"):
        dash, eq = group.find("-"), group.find("=")
        if dash == -1 or eq < dash:
            if eq == -1:
                bad.append(group)
            continue  # DataTime and other packet fields
        prefix = group[:dash + 1]
        if group.count("=") == group.count(prefix) == group.count(",") + 1:
            out.append((prefix[:-1], group))
            continue
        by_code: dict[str, list[str]] = {}  # several factors or malformed pairs in one group
        for pair in group.split(","):
            key, eq_, _ = pair.partition("=")
            code, dash_, suffix = key.partition("-")
            if eq_ and dash_ and code and suffix and "=" not in pair[len(key) + 1:]:
                by_code.setdefault(code, []).append(pair)
            else:
                bad.append(pair)
        out.extend((code, ",".join(pairs)) for code, pairs in by_code.items())
    return out


def suffixes(code: str, group: str) -> dict[str, str]:
    """{suffix: value} of one regular group."""
    flat = group.replace(",", "=").split("=")
    width = len(code) + 1
    return dict(zip([k[width:] for k in flat[::2]], flat[1::2]))


class Values:
    """Collects pollutant-hours packet by packet, then decides each one column-wise in `finish`."""

    def __init__(self, col, basis: str, flow_avg_unit: str | None):
        self.col, self.basis, self.flow_avg_unit = col, basis, flow_avg_unit
        self.conc_suffix = "Avg" if basis == "avg" else "ZsAvg"
        self.factors = factors()
        self.packets: list = []
        self.flow: list[str | None] = []
        self.flow_problem: list[tuple[str, str, str] | None] = []
        # one entry per pollutant-hour
        self.pk: list[int] = []
        self.code: list[str] = []
        self.tax: list[str] = []
        self.values: list[dict[str, str]] = []
        self.other: Counter = Counter()
        self.records: list[tuple] = []
        self.exceeding: list[tuple] = []
        self.checks: list[dict] = []
        self.cou_checked = 0

    def read(self, p) -> None:
        """Collect one hourly packet's taxable factors and its flow."""
        bad: list[str] = []
        groups = regular_groups(p.cp, bad)
        for item in bad:
            self.col.reject(p.idx, p.line, "CP", f"malformed CP item {item!r}", whole=False)
        pk = len(self.packets)
        self.packets.append(p)
        flow_group = None
        factors_ = self.factors
        for code, group in groups:
            f = factors_.get(code)
            if f is None:
                if code.startswith("SB"):  # 治理设施 SBxxx-RS/-RT: plant status, not a pollutant (表4)
                    self.other[code] += 1
                else:
                    self.col.reject(p.idx, p.line, code,
                                    f"unknown pollutant code {code} (kept, reported, not taxed): {group}", whole=False)
            elif f.tax_code is not None:
                self.pk.append(pk)
                self.code.append(code)
                self.tax.append(f.tax_code)
                self.values.append(suffixes(code, group))
            elif f.kind == "flow":
                flow_group = (code, group)
            elif f.kind == "pollutant":
                self.other[code] += 1
        flow, problem = self._flow(p, flow_group)
        self.flow.append(flow)
        self.flow_problem.append(problem)

    def _flow(self, p, flow_group) -> tuple[str | None, tuple[str, str, str] | None]:
        """The hour's flue-gas volume in m3 (a00000-Cou, or -Avg by flow_avg_unit), or why there is none."""
        if flow_group is None:
            return None, ("", "no_flow", "no a00000 flue-gas flow in the packet")
        code, group = flow_group
        values = suffixes(code, group)
        flag = values.get("Flag", MISSING_FLAG)
        rule = FLAG_RULES.get(flag)
        if rule is None:
            self.col.reject(p.idx, p.line, f"{code}-Flag", f"flag {flag!r} is not in HJ 212's list ({FLAG_LIST})",
                            whole=False)
            return None, (flag, "bad_flag", f"flow flag {flag!r} is unknown")
        if rule.action == "exclude":
            return None, (flag, f"flag_{flag}", f"flow flagged {flag}: {rule.reason}")
        if "Cou" in values:
            text, suffix, scale = values["Cou"], "Cou", None
        elif self.flow_avg_unit and "Avg" in values:
            text, suffix, scale = values["Avg"], "Avg", FLOW_SECONDS[self.flow_avg_unit]
        else:
            return None, ("", "no_flow", f"no {code}-Cou (m3 in the hour); set flow_avg_unit to use -Avg")
        number = plain_number(text)
        if number is None or number.startswith("-"):
            self.col.reject(p.idx, p.line, f"{code}-{suffix}", f"flow {text!r} is not a non-negative number",
                            whole=False)
            return None, ("", "bad_flow", f"flow {text!r} is not usable")
        return (number if scale is None else format(Decimal(number) * scale, "f")), None

    def finish(self) -> None:
        """Decide every collected pollutant-hour: record, exclusion or rejection; then check -Cou."""
        to_check: list[tuple[int, str, str]] = []
        for pk, code, tax, values in zip(self.pk, self.code, self.tax, self.values):
            p = self.packets[pk]
            flag = values.get("Flag", MISSING_FLAG)
            rule = FLAG_RULES.get(flag)
            if rule is None:
                self.col.reject(p.idx, p.line, f"{code}-Flag", f"flag {flag!r} is not in HJ 212's list ({FLAG_LIST})",
                                whole=False)
                continue
            if rule.action == "exclude":
                self._exclude(p, tax, flag, f"flag_{flag}", rule.reason)
                continue
            conc = self._concentration(p, code, tax, flag, values.get(self.conc_suffix))
            if conc is None:
                continue
            flow = self.flow[pk]
            if flow is None:
                self._exclude(p, tax, *self.flow_problem[pk])
                continue
            emission = self._emission(p, code, tax, flag, values, flow, to_check)
            if emission is None:
                continue
            self.records.append((p.line, p.outlet, tax, p.time, conc, flow, "cems", emission))
            self.col.used(p.idx)
            if rule.action == "exceeding":
                self.exceeding.append((p.line, p.outlet, tax, p.time, conc, flag))
        self._check(to_check)

    def _exclude(self, p, tax: str, flag: str, rule: str, reason: str) -> None:
        self.col.excluded.append((p.line, p.outlet, tax, p.time, flag, rule, reason))

    def _concentration(self, p, code: str, tax: str, flag: str, text: str | None) -> str | None:
        if text is None:
            self._exclude(p, tax, flag, "no_value", f"no {code}-{self.conc_suffix}")
            return None
        if is_not_computable(text):
            self._exclude(p, tax, flag, "not_computable",
                          f"{code}-{self.conc_suffix}=9999.99: not computable (HJ 212-2025 §8.1.1 d)")
            return None
        conc = plain_number(text)
        if conc is None or conc.startswith("-"):
            self.col.reject(p.idx, p.line, f"{code}-{self.conc_suffix}",
                            f"concentration {text!r} is not a non-negative number", whole=False)
            return None
        return conc

    def _emission(self, p, code, tax, flag, values, flow, to_check) -> str | None:
        """Emission kg from -Cou (checked later); "" lets the tax module compute flow x concentration."""
        avg = values.get("Avg")
        avg_n = plain_number(avg) if avg is not None and not is_not_computable(avg) else None
        cou = values.get("Cou")
        if cou is not None and not is_not_computable(cou):
            cou_n = plain_number(cou)
            if cou_n is None or cou_n.startswith("-"):
                self.col.reject(p.idx, p.line, f"{code}-Cou", f"emission {cou!r} is not a non-negative number",
                                whole=False)
                return None
            if avg_n is not None:
                to_check.append((len(self.records), avg_n, cou_n))
            return cou_n
        if self.basis == "avg":
            return ""
        if avg_n is None:  # ZsAvg x actual flow is not a mass: the emission needs the measured -Avg
            self._exclude(p, tax, flag, "no_value", f"no {code}-Cou or -Avg to compute the emission from")
            return None
        return format(Decimal(avg_n) * Decimal(flow) * _MEGA, "f")

    def _check(self, to_check: list[tuple[int, str, str]]) -> None:
        """附录D D2.5: Cou (kg) = Avg (mg/m3) x flow (m3) x 10^-6, within COU_TOLERANCE or Cou's rounding."""
        self.cou_checked = len(to_check)
        if not to_check:
            return
        at, avg, cou = zip(*to_check)
        flow = [self.records[i][5] for i in at]
        # Exact Decimals in object arrays: numpy only loops, each product is Decimal arithmetic.
        cou_d = np.array(list(map(Decimal, cou)), dtype=object)
        computed = np.array(list(map(Decimal, avg)), dtype=object) * np.array(list(map(Decimal, flow)),
                                                                              dtype=object) * _MEGA
        half_unit = np.array([Decimal(5).scaleb(-len(c) + c.find(".")) if "." in c else Decimal("0.5")
                              for c in cou], dtype=object)
        tolerance = np.maximum(half_unit, computed * COU_TOLERANCE)
        for i in np.flatnonzero(np.abs(cou_d - computed) > tolerance):
            row = self.records[at[i]]
            self.checks.append({"row": row[0], "outlet": row[1], "pollutant": row[2], "time": row[3],
                                "cou_kg": cou[i], "computed_kg": format(computed[i], "f"),
                                "message": f"-Cou {cou[i]} kg differs from Avg {avg[i]} x flow {flow[i]} x 10^-6 = "
                                           f"{computed[i]:f} kg by more than {COU_TOLERANCE:%}"})
