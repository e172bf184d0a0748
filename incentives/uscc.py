"""统一社会信用代码 (GB 32100-2015): the one place that validates a USCC.

python-stdnum computes the GB 32100 check digit. It rejects registration-authority letters
(e.g. `N` 农业, `Y` 其他) and skips the GB 11714 check digit of the organisation code in positions
9–17; both are tightened here.
"""
from __future__ import annotations

import re

from stdnum.cn import uscc as _stdnum

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_SEPARATORS = re.compile(r"[\s\-]+")  # what stdnum's compact() strips, without its per-character cost
_AUTHORITIES = set("123456789ABCDEFGNY")  # GB 32100 表1 登记管理部门代码
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class InvalidUscc(ValueError):
    """A string that is not a valid 统一社会信用代码."""


def _gb11714_check(body: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body, _GB11714_WEIGHTS))
    digit = 11 - total % 11
    return {10: "X", 11: "0"}.get(digit, str(digit))


def normalize(text: str) -> str:
    """Return the USCC in upper case without spaces or dashes; raise InvalidUscc with the reason."""
    if not isinstance(text, str):
        raise InvalidUscc("统一社会信用代码必须是字符串 / must be a string")
    code = _SEPARATORS.sub("", text).upper()
    if len(code) != 18:
        raise InvalidUscc(f"统一社会信用代码应为18位，实为{len(code)}位 / must be 18 characters, got {len(code)}")
    if code[0] not in _AUTHORITIES:
        raise InvalidUscc(f"第1位登记管理部门代码无效：{code[0]} / invalid registration authority {code[0]!r}")
    if not code[2:8].isdigit():
        raise InvalidUscc("第3–8位行政区划码必须为数字 / characters 3–8 must be a division code")
    bad = [c for c in code if c not in _ALPHABET]
    if bad:
        raise InvalidUscc(f"含有不允许的字符：{''.join(bad)} / characters not allowed: {''.join(bad)}")
    if _stdnum.calc_check_digit(code[:17]) != code[17]:
        raise InvalidUscc("校验码错误（GB 32100） / check digit does not match (GB 32100)")
    if _gb11714_check(code[8:16]) != code[16]:
        raise InvalidUscc("组织机构代码校验码错误（GB 11714） / organisation-code check digit does not match (GB 11714)")
    return code


def is_valid(text: str) -> bool:
    """Whether `text` is a valid USCC."""
    try:
        normalize(text)
    except InvalidUscc:
        return False
    return True


def registration_division(code: str) -> str:
    """The registering authority's GB/T 2260 division: digits 3–8."""
    return code[2:8]


def make(authority_type: str, division: str, org_body: str) -> str:
    """Build a valid USCC from '91', a division and an 8-character organisation body (sample data, tests)."""
    org = org_body + _gb11714_check(org_body)
    first17 = authority_type + division + org
    return first17 + _stdnum.calc_check_digit(first17)
