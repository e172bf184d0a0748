"""Resolve an industry and branch given by code or Chinese name against the catalogue (G-SCOPE)."""
from __future__ import annotations

from functools import cache

from .reference import Branch, reference


class UnknownIndustry(ValueError):
    """An industry or branch that is not in the catalogue (or an ambiguous name)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@cache
def _industry_names() -> dict[str, tuple[str, ...]]:
    names: dict[str, list[str]] = {}
    for ind in reference().industries.values():
        names.setdefault(ind.name_zh, []).append(ind.code)
        names.setdefault(ind.name_en.lower(), []).append(ind.code)
    # 河南细则 第八条(1) spellings of two national industries (reference/README.md)
    names.setdefault("有色金属压延", []).extend(names.get("有色金属压延行业", []))
    names.setdefault("玻璃钢（纤维增强塑料制品）", []).extend(names.get("玻璃钢", []))
    return {k: tuple(dict.fromkeys(v)) for k, v in names.items()}


def resolve_industry(text: str) -> str:
    """An industry code from a code or a name; raise UnknownIndustry."""
    text = (text or "").strip()
    if text in reference().industries:
        return text
    codes = _industry_names().get(text) or _industry_names().get(text.lower())
    if not codes:
        raise UnknownIndustry(f"未知行业 unknown industry {text!r} (see /api/v1/industries)", "industry")
    if len(codes) > 1:
        raise UnknownIndustry(f"行业名称 {text!r} 有歧义，请用代码 / ambiguous industry name, use one of the codes "
                              f"{', '.join(codes)}", "industry")
    return codes[0]


def resolve_branch(industry_text: str, branch_text: str | None) -> Branch:
    """The branch of an industry, by branch code or name; an industry with one branch may omit it."""
    industry = resolve_industry(industry_text)
    branches = reference().industries[industry].branches
    text = (branch_text or "").strip()
    if not text:
        if len(branches) == 1:
            return branches[0]
        raise UnknownIndustry(f"行业 {industry} 有多个分支，请指定 / industry {industry} has several branches: "
                              f"{', '.join(b.code for b in branches)}", "branch")
    for b in branches:
        if text in (b.code, b.name_zh) or text.lower() == b.name_en.lower() or text == _reversed(b.code):
            return b
    raise UnknownIndustry(f"行业 {industry} 没有分支 {text!r} / industry {industry} has no branch {text!r}; "
                          f"branches: {', '.join(b.code for b in branches)}", "branch")


def _reversed(code: str) -> str | None:
    """`ceramics_building` written the other way round (`building_ceramics`, as the API contract's example)."""
    parts = code.split("_")
    return "_".join(parts[1:] + parts[:1]) if len(parts) == 2 else None
