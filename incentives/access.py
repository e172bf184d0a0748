"""Who is calling, and which enterprises and divisions that caller may see (object-level rules)."""
from __future__ import annotations

from dataclasses import dataclass

from .reference import division_prefix

ROLES = ("public", "enterprise", "bank", "tax_bureau", "regulator", "admin")


def division_covers(bound: str, code: str) -> bool:
    """A key bound to a division covers it and every division inside it (410000 covers 410100)."""
    return code.startswith(division_prefix(bound))


@dataclass(frozen=True, slots=True)
class Caller:
    role: str = "public"
    key_id: str | None = None
    uscc: str | None = None
    divisions: tuple[str, ...] = ()

    def covers(self, division: str) -> bool:
        """Whether a division-bound caller covers `division` (admin covers all)."""
        if self.role == "admin":
            return True
        return any(division_covers(b, division) for b in self.divisions)

    def division_prefixes(self) -> tuple[str, ...] | None:
        """The division prefixes of the enterprises whose events this caller may read, None for every one.

        An admin and a bank key without divisions (a national bank) read all; any other key reads the
        enterprises registered, or with their facility, inside one of its divisions (none if it has none).
        """
        if self.role == "admin" or (self.role == "bank" and not self.divisions):
            return None
        prefixes = tuple(dict.fromkeys(division_prefix(d) for d in self.divisions))
        return None if "" in prefixes else prefixes

    def may_see_enterprise(self, uscc: str, facility_division: str, division: str) -> bool:
        """The enterprise itself, its regulator or tax bureau (by either division), or an admin."""
        if self.role == "admin":
            return True
        if self.role == "enterprise":
            return self.uscc == uscc
        if self.role in ("regulator", "tax_bureau"):
            return self.covers(facility_division) or self.covers(division)
        return False


PUBLIC = Caller()
