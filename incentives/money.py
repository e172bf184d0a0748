"""Exact money, rates and ratios: Decimals built from strings, rounded once by a named rule."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal(0)


def dec(value) -> Decimal:
    """An exact Decimal from a str, int or Decimal (never from a float's binary noise)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def round_half_up(amount: Decimal, step: Decimal = FEN) -> Decimal:
    """Round to `step`, half up: the project's convention for reported figures (env-tax.md §6)."""
    return amount.quantize(step, rounding=ROUND_HALF_UP)
