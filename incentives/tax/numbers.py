"""Exact numbers for the tax: decimal strings parsed to scaled integers (vectorised), rationals rounded once."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd

from ..money import round_half_up

INT64_SAFE = 2**62
_ZERO, _NINE = 48, 57


def scaled_decimals(values: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """Parse str values exactly to (ints, scale, bad): value = ints / 10**scale; `bad` marks unparsable/negative.

    Each distinct string is parsed once with Decimal (monitoring data repeat values a lot); never via floats.
    `ints` is int64, or object (Python ints) when a value would not fit.
    """
    codes, uniques = pd.factorize(values)
    return scaled_decimals_coded(codes, uniques)


def scaled_decimals_coded(codes: np.ndarray, uniques) -> tuple[np.ndarray, int, np.ndarray]:
    """scaled_decimals of the values uniques[codes]; only the distinct values in use are parsed."""
    used = (np.bincount(codes, minlength=len(uniques)) > 0 if len(codes)
            else np.zeros(len(uniques), dtype=bool))
    plain = _plain_ints(uniques, used)
    if plain is not None:
        return plain[0][codes], plain[1], np.zeros(len(codes), dtype=bool)
    parsed: list[Decimal | None] = []
    for text, wanted in zip(uniques, used):
        if not wanted:
            parsed.append(Decimal(0))  # not in these rows: any good value keeps the scale
            continue
        try:
            d = Decimal(text)
        except (InvalidOperation, TypeError):
            parsed.append(None)
            continue
        parsed.append(d if d.is_finite() and not d.is_signed() else None)
    good = [d for d in parsed if d is not None]
    scale = max([0] + [-d.as_tuple().exponent for d in good])
    unique_ints = [int(d.scaleb(scale)) if d is not None else 0 for d in parsed]
    fits = max([0] + unique_ints) < INT64_SAFE
    table = np.array(unique_ints, dtype=np.int64 if fits else object)
    bad_table = np.array([d is None for d in parsed], dtype=bool)
    if len(uniques) == 0:
        return np.zeros(0, dtype=np.int64), 0, np.zeros(0, dtype=bool)
    return table[codes], scale, bad_table[codes]


_PLAIN = r"\d+(?:\.\d+)?"
_PLAIN_LINES = re.compile(rf"(?:{_PLAIN}\n)*+{_PLAIN}")  # one value a line: matched in one pass, nothing built


def _plain_ints(uniques, used: np.ndarray):
    """(ints per unique, scale) when every value in use is a plain decimal (digits, one optional point).

    For such text, Decimal's exponent is minus the digits after the point and the scaled integer is the
    digits without the point: the same numbers as the Decimal path, without a Decimal per value."""
    texts = [t for t, u in zip(uniques, used) if u]
    if not texts or not all(isinstance(t, str) for t in texts):
        return None
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1 or not _PLAIN_LINES.fullmatch(joined):
        return None  # one line per value, each plain
    if "." not in joined:  # whole numbers (flows): scale 0
        scale, ints = 0, list(map(int, texts))
    else:
        places = [len(t) - t.find(".") - 1 if "." in t else 0 for t in texts]
        scale = max(places)
        ints = [int(t.replace(".", "")) * 10 ** (scale - p) for t, p in zip(texts, places)]
    fits = max(ints) < INT64_SAFE
    table = np.zeros(len(uniques), dtype=np.int64 if fits else object)
    table[np.flatnonzero(used)] = np.array(ints, dtype=np.int64 if fits else object)
    return table, scale


def fraction_of(ints_value: int, scale: int) -> Fraction:
    """The exact value of a scaled integer."""
    return Fraction(int(ints_value), 10 ** scale)


def round_exact(value: Fraction | Decimal, step: Decimal) -> Decimal:
    """Round a non-negative exact value half up to `step` via money.round_half_up, without double rounding.

    A rational is first cut to one digit beyond `step` plus a sticky digit, which half-up rounding treats
    exactly like the full expansion.
    """
    if isinstance(value, Decimal):
        return round_half_up(value, step)
    return _round_ratio(value.numerator, value.denominator, step)


def _round_ratio(numerator: int, denominator: int, step: Decimal) -> Decimal:
    """round_exact of numerator / denominator (denominator > 0), on integers alone."""
    places = -step.as_tuple().exponent + 1
    numerator *= 10 ** places
    whole = numerator // denominator
    cut = Decimal(whole).scaleb(-places)
    if whole * denominator != numerator:
        cut += Decimal(1).scaleb(-places - 1)
    return round_half_up(cut, step)


def terminates(value: Fraction) -> bool:
    """Whether a rational has a finite decimal expansion (its denominator has only the factors 2 and 5)."""
    return _only_2_and_5(value.denominator)


def _only_2_and_5(d: int) -> bool:
    d >>= (d & -d).bit_length() - 1  # all factors 2 at once
    while d % 5 == 0:
        d //= 5
    return d == 1


def to_decimal(value: Fraction, places: int = 6) -> Decimal:
    """A Fraction as an exact Decimal when it terminates (within 28 digits), else rounded to `places` for display."""
    return _to_decimal(value.numerator, value.denominator, places)


@lru_cache(maxsize=65536)  # explanations repeat the same few values; keyed by ints (a Fraction hashes slowly)
def _to_decimal(numerator: int, denominator: int, places: int) -> Decimal:
    """to_decimal of a Fraction's own (lowest-terms) numerator and denominator."""
    if _only_2_and_5(denominator):
        d = Decimal(numerator) / Decimal(denominator)
        if len(d.as_tuple().digits) < 28:
            return d
    return _round_ratio(numerator, denominator,
                        _STEPS[places] if 0 <= places < len(_STEPS) else Decimal(1).scaleb(-places))


_STEPS = tuple(Decimal(1).scaleb(-k) for k in range(16))
