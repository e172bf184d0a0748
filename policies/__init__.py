"""The policy catalogue: one folder per jurisdiction of dated, cited YAML (policies/VOCABULARY.md), loaded once.

Importing this package loads and validates it (schema, unknown ref, document, parameter or fact, missing
source, overlapping windows -> PolicyLoadError): the application refuses to start on a broken catalogue.
"""
from __future__ import annotations

from .catalogue import Catalogue, load

CATALOGUE: Catalogue = load()

ALL = tuple(CATALOGUE.policies)
PARAMETERS = CATALOGUE.parameters
RULES = tuple(CATALOGUE.rules)
TARGETS = tuple(CATALOGUE.targets)
FACTS = CATALOGUE.facts
JURISDICTIONS = CATALOGUE.jurisdictions
BY_ID: dict[str, tuple] = {}
for _p in ALL:
    BY_ID[_p.policy_id] = BY_ID.get(_p.policy_id, ()) + (_p,)
