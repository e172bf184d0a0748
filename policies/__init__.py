"""The policy catalogue: every grade-keyed measure of the digest, as dated, cited data (the one registry).

Importing this package validates it (unknown ref, overlapping windows, missing source -> PolicyLoadError):
the application refuses to start on a broken catalogue."""
from __future__ import annotations

from incentives.policy import validate

from . import (
    carbon_quota,
    documents,
    emergency_response,
    emission_rights,
    enforcement,
    env_tax,
    finance,
    projects,
    recognition,
    technology,
)

_MODULES = (emergency_response, env_tax, carbon_quota, emission_rights, enforcement, finance, projects,
            recognition, technology)

ALL = tuple(p for m in _MODULES for p in m.POLICIES)
PARAMETERS = {p.name: p for p in (documents.CAMPAIGN_END,) + tuple(x for m in _MODULES for x in m.PARAMETERS)}
BY_ID = {}
for _p in ALL:
    BY_ID.setdefault(_p.policy_id, ())
    BY_ID[_p.policy_id] += (_p,)

validate(ALL, PARAMETERS)

# Emergency measure tables and staggered-production calendars (YAML beside each jurisdiction), checked now too.
from . import emergency_tables

EMERGENCY = emergency_tables.load_project(frozenset(BY_ID))
