"""API blueprints, one module per resource."""
from __future__ import annotations


def register_all(api) -> None:
    """Register every blueprint on the Api."""
    from . import (
        benefits,
        emergency,
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
        webhooks,
    )
    for module in (health, keys, reference, enterprises, grades, imports, benefits, jurisdictions, preview, tax,
                   stats, emergency, webhooks):
        api.register_blueprint(module.blp)
