"""Exact money, rates and ratios: Decimals built from strings, rounded once by a named rule."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal(0)


def dec(value) -> Decimal:
    """An exact Decimal from a str, int or Decimal (never from a float's binary noise)."""
    if isinstance(value, Decimal):
        return _bounded(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise InvalidOperation(f"a number of {len(text)} characters (at most {MAX_NUMBER_CHARS})")
    return _bounded(Decimal(text))


MAX_NUMBER_CHARS = 40
MAX_EXPONENT = 30


def _bounded(d: Decimal) -> Decimal:
    # Bounded work: 1e-300000 or 1e+300000 would make exact arithmetic on it run for minutes (issue 14).
    if d.is_finite() and d and (d.adjusted() > MAX_EXPONENT or d.as_tuple().exponent < -MAX_EXPONENT):
        raise InvalidOperation(f"{d} is out of range (exponents within ±{MAX_EXPONENT})")
    return d


def round_half_up(amount: Decimal, step: Decimal = FEN) -> Decimal:
    """Round to `step`, half up: the project's convention for reported figures (env-tax.md §6)."""
    return amount.quantize(step, rounding=ROUND_HALF_UP)
