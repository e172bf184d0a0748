"""The public catalogue's filters: by jurisdiction, category and the grade a measure is open to, and a text search
over titles, refs, documents and clause text."""
from __future__ import annotations

import policies
from incentives.grades import at_least
from incentives.interpretations import DEFAULTS
from incentives.policy import AdvancedGrade, AnyOf, GradeAtLeast, LowestGrade, Upgraded

from . import catalogue

# A grade is "the lowest" on every scale the catalogue encodes (A–D and 引领/非引领); C is never lowest there.
LOWEST = ("D", "非引领")


def _open_to(condition, grade: str) -> bool:
    """Whether an enterprise at `grade` can meet one condition (conditions on other facts are not grades)."""
    if isinstance(condition, GradeAtLeast):
        return at_least(grade, condition.floor)
    if isinstance(condition, AdvancedGrade):
        return grade in DEFAULTS.advanced_grades
    if isinstance(condition, LowestGrade):
        return grade in LOWEST
    if isinstance(condition, Upgraded):
        return condition.floor is None or at_least(grade, condition.floor)
    if isinstance(condition, AnyOf):
        return any(_open_to(c, grade) for c in condition.options)
    return True


def open_to_grade(policy_id: str, grade: str) -> bool:
    """Whether any version of a measure is open to an enterprise at `grade`."""
    return any(all(_open_to(c, grade) for c in p.conditions) for p in policies.BY_ID.get(policy_id, ()))


def matches(item: dict, words: list[str]) -> bool:
    """Every word appears in the measure's titles, id, refs, document, clause or clause text."""
    hay = " ".join([item["policy_id"], *item["refs"], *item["title"].values(), item["source"]["document"],
                    item["source"]["clause"], item.get("clause_text") or ""]).casefold()
    return all(w.casefold() in hay for w in words)


def search(*, division: str | None, category: str | None, grade: str | None, query: str | None) -> list[dict]:
    """The catalogue (drafts included and marked) filtered as the public page asks, with clause text."""
    listed = catalogue.list_policies(division=division, as_of=None, category=category, include_drafts=True,
                                     with_text=True)
    if grade:
        listed = [p for p in listed if open_to_grade(p["policy_id"], grade)]
    words = (query or "").split()[:10]
    return [p for p in listed if matches(p, words)] if words else listed


def document(policy_id: str) -> dict:
    """The source document a measure is cut from: its title and full text, and the clause to find in it."""
    from incentives.errors import NotFound
    from policies import clauses
    versions = policies.BY_ID.get(policy_id)
    if not versions or not versions[0].source.file:
        raise NotFound(f"no source document for {policy_id}")
    src = versions[0].source
    return {"policy_id": policy_id, "title": src.document, "clause": src.clause, "status": src.status,
            "anchor": src.anchor, "text": clauses.source_text(src.file)}
