"""Shared marshmallow fields and schemas (the edge: canonical grades, USCC check digit, Decimals)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import marshmallow as ma

from incentives import uscc as uscc_mod
from incentives.grades import UnknownGrade, canonical_grade

USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"


USCC_PATH = [{"in": "path", "name": "uscc", "required": True,
              "schema": {"type": "string", "format": "uscc", "pattern": USCC_PATTERN, "example": "91500112MA5U0AB192"},
              "description": "统一社会信用代码 (check digits verified: a wrong one is 422)"}]


class Uscc(ma.fields.String):
    """统一社会信用代码, check digits verified (GB 32100, GB 11714)."""
    def __init__(self, **kwargs):
        metadata = {"format": "uscc", "pattern": USCC_PATTERN, "example": "91500112MA5U0AB192",
                    **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return uscc_mod.normalize(text)
        except uscc_mod.InvalidUscc as exc:
            raise ma.ValidationError(str(exc)) from None


class CatalogueEnum(ma.fields.String):
    """A string whose allowed values the catalogue publishes (e.g. the LAW-13 tier labels). The OpenAPI `enum`
    is read from `values()` when the document is built (api.openapi), after the catalogue is loaded."""
    def __init__(self, values, **kwargs):
        super().__init__(**kwargs)
        self.values = values


class Grade(ma.fields.String):
    """A grade; input accepts aliases (B－, A级, 绩效引领, leading), output is canonical."""
    def __init__(self, **kwargs):
        metadata = {"enum": ["A+", "A", "B", "B-", "C", "D", "引领", "非引领"], **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return canonical_grade(super()._deserialize(value, attr, data, **kwargs))
        except UnknownGrade as exc:
            raise ma.ValidationError(str(exc)) from None


def _known_province(code: str) -> None:
    from incentives.reference import reference
    if code != "000000" and code[:2] + "0000" not in reference().divisions:
        raise ma.ValidationError(f"{code[:2]}0000 is not a province-level GB/T 2260 code")


def _division_pattern() -> str:
    """The pattern the OpenAPI document states: six digits beginning with a known province (or 000000)."""
    from incentives.reference import reference
    provinces = sorted({code[:2] for code in reference().divisions if code.endswith("0000") and code != "000000"})
    return rf"^(000000|({'|'.join(provinces)})[0-9]{{4}})$"


class Division(ma.fields.String):
    """A GB/T 2260 code whose province exists (cities and counties are not all listed: never refused for that)."""
    def __init__(self, **kwargs):
        super().__init__(validate=[ma.validate.Regexp(r"^[0-9]{6}$", error="a six-digit GB/T 2260 code"),
                                   _known_province],
                         metadata={"example": "500112", "pattern": _division_pattern(), **kwargs.pop("metadata", {})},
                         **kwargs)


class Money(ma.fields.Decimal):
    """An exact amount dumped as a JSON number with at most two decimals."""
    def __init__(self, **kwargs):
        super().__init__(as_string=False, allow_nan=False, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return _number(Decimal(value))


class Number(ma.fields.Decimal):
    """An exact decimal in, a JSON number out (no float noise: dumped from its shortest decimal text)."""
    def __init__(self, **kwargs):
        super().__init__(as_string=False, allow_nan=False, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return _number(Decimal(value))


def _number(value: Decimal):
    if value == value.to_integral_value():
        return int(value)
    return float(value)  # float(str-exact Decimal) prints back as the same shortest decimal


def today_in_shanghai() -> dt.date:
    """Today in Asia/Shanghai: the default `as_of`, resolved once at the edge."""
    from zoneinfo import ZoneInfo
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)


class Day(ma.fields.Date):
    """An ISO date between 1990-01-01 and 2100-12-31 (grading began long after; beyond is a typing error)."""
    def __init__(self, **kwargs):
        metadata = {"pattern": r"^(199[0-9]|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", **kwargs.pop("metadata", {})}
        super().__init__(validate=ma.validate.Range(min=EARLIEST, max=LATEST,
                                                    error="must be between 1990-01-01 and 2100-12-31"),
                         metadata=metadata, **kwargs)


class AsOfQuery(ma.Schema):
    as_of = Day(load_default=None, metadata={"description": "default: today in Asia/Shanghai"})

    @ma.post_load
    def _default(self, data, **kwargs):
        if data.get("as_of") is None:
            data["as_of"] = today_in_shanghai()
        return data


DRAFTS_DESCRIPTION = ("true: grading rules of 征求意见稿 (drafts) apply too, e.g. Ningxia 二(五); default false. "
                      "Echoed in the answer.")


class GradeQuery(AsOfQuery):
    """A grade at a date: `as_of` and `include_drafts` (contract 1.1: drafts' grading rules only when asked)."""
    include_drafts = ma.fields.Boolean(load_default=False, metadata={"description": DRAFTS_DESCRIPTION})


def non_negative(value) -> None:
    """Refuse a negative amount (marshmallow 4 validators must raise, not return False)."""
    if value is not None and value < 0:
        raise ma.ValidationError("must not be negative")
    if value is not None and value > PLAUSIBLE_MAX:
        raise ma.ValidationError(f"must not exceed {PLAUSIBLE_MAX:,} (no enterprise's figure is that large)")
    if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent < -MAX_PLACES:
        # 1e-300000 would make later exact arithmetic run for minutes (bounded work: contract 1.1)
        raise ma.ValidationError(f"at most {MAX_PLACES} decimal places")


PLAUSIBLE_MAX = 10**12
MAX_PLACES = 12
