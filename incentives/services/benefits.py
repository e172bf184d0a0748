"""Benefits of a registered enterprise at a date, with the law behind each yes and each no."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from incentives import engine, ledger
from incentives.access import Caller
from incentives.errors import Invalid
from incentives.interpretations import Interpretations

from . import registry
from .evaluations import evaluation


def context(*, alert_level: str | None, include_drafts: bool | None, parameters: dict | None) -> engine.Context:
    """An engine context from request values; bad interpretation overrides are 422 on `parameters.<name>`."""
    try:
        interp = Interpretations.from_overrides(parameters or {})
    except ValueError as exc:
        name = str(exc).split(":", 1)[0]
        raise Invalid(str(exc), [{"field": f"parameters.{name}", "message": str(exc)}]) from None
    return engine.Context(alert_level=alert_level, include_drafts=include_drafts, interpretations=interp)


def report(*, session: Session, caller: Caller, uscc: str, as_of: dt.date, alert_level: str | None = None,
           include_drafts: bool | None = None, parameters: dict | None = None) -> dict:
    """The enterprise's benefits, obligations and not-applicable measures on `as_of`."""
    ent = registry.get_enterprise(session, uscc)
    registry.ensure_visible(caller, ent)
    ctx = context(alert_level=alert_level, include_drafts=include_drafts, parameters=parameters)
    # The grade the measures read is taken under the same drafts switch and parameter overrides.
    options = ledger.LedgerOptions(include_drafts=ctx.drafts, parameters=ctx.interpretations.ledger_overrides())
    state = registry.fold_enterprise(session, ent, as_of, with_history=False, options=options)
    ev = engine.evaluate(state, as_of, ctx)
    return {"uscc": uscc, "name": ent.name, "overall_grade": state.overall_grade, "status": state.status,
            **evaluation(ev)}
