"""API blueprints, one module per resource."""
from __future__ import annotations


def register_all(api) -> None:
    """Register every blueprint on the Api."""
    from . import (
        benefits,
        enterprises,
        grades,
        health,
        imports,
        jurisdictions,
        keys,
        preview,
        reference,
        stats,
        tax,
    )
    for module in (health, keys, reference, enterprises, grades, imports, benefits, jurisdictions, preview, tax,
                   stats):
        api.register_blueprint(module.blp)
