"""Exact numbers for the tax: decimal strings parsed to scaled integers (vectorised), rationals rounded once."""
from __future__ import annotations

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
    parsed: list[Decimal | None] = []
    for text in uniques:
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
    places = -step.as_tuple().exponent + 1
    scaled = value * 10 ** places
    whole = scaled.numerator // scaled.denominator
    cut = Decimal(whole).scaleb(-places)
    if whole * scaled.denominator != scaled.numerator:
        cut += Decimal(1).scaleb(-places - 1)
    return round_half_up(cut, step)


def terminates(value: Fraction) -> bool:
    """Whether a rational has a finite decimal expansion (its denominator has only the factors 2 and 5)."""
    d = value.denominator
    for f in (2, 5):
        while d % f == 0:
            d //= f
    return d == 1


@lru_cache(maxsize=65536)  # explanations repeat the same few values many times
def to_decimal(value: Fraction, places: int = 6) -> Decimal:
    """A Fraction as an exact Decimal when it terminates (within 28 digits), else rounded to `places` for display."""
    if terminates(value):
        d = Decimal(value.numerator) / Decimal(value.denominator)
        if len(d.as_tuple().digits) < 28:
            return d
    return round_exact(value, Decimal(1).scaleb(-places))
