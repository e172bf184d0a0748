"""API keys: random, shown once, stored as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from incentives import uscc as uscc_mod
from incentives.access import ROLES, Caller
from incentives.db import ApiKey, utcnow
from incentives.errors import Invalid, NotFound

BOUND_TO_DIVISIONS = ("regulator", "tax_bureau")   # keys that see the enterprises of their divisions


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def create(*, session: Session, role: str, label: str = "", uscc: str | None = None,
           divisions: list[str] | None = None) -> tuple[ApiKey, str]:
    """Create a key for a role; return the row and the key (shown only now)."""
    errors = []
    if role not in ROLES or role == "public":
        errors.append({"field": "role", "message": f"role must be one of {', '.join(ROLES[1:])}"})
    if role == "enterprise":
        if not uscc:
            errors.append({"field": "uscc", "message": "an enterprise key is bound to one uscc"})
        else:
            try:
                uscc = uscc_mod.normalize(uscc)
            except uscc_mod.InvalidUscc as exc:
                errors.append({"field": "uscc", "message": str(exc)})
    elif uscc:
        errors.append({"field": "uscc", "message": "only an enterprise key is bound to a uscc"})
    if role in BOUND_TO_DIVISIONS and not divisions:
        errors.append({"field": "divisions", "message": "a regulator or tax-bureau key is bound to divisions"})
    for i, d in enumerate(divisions or []):
        if not (isinstance(d, str) and len(d) == 6 and d.isdigit()):
            errors.append({"field": f"divisions.{i}", "message": "a six-digit GB/T 2260 code"})
    if errors:
        raise Invalid("the key cannot be created", errors)
    key = "gis_" + secrets.token_urlsafe(32)
    row = ApiKey(id=uuid.uuid4().hex[:16], key_hash=hash_key(key), role=role, label=label,
                 uscc=uscc, divisions=list(divisions or []))
    session.add(row)
    session.commit()
    return row, key


def revoke(*, session: Session, key_id: str) -> None:
    """Revoke a key; it stops working at once."""
    row = session.get(ApiKey, key_id)
    if row is None or row.revoked_at is not None:
        raise NotFound(f"no active key {key_id}")
    row.revoked_at = utcnow()
    session.add(row)
    session.commit()


def caller_for(*, session: Session, key: str, bootstrap_key: str | None = None) -> Caller | None:
    """The caller a presented key stands for, or None if unknown or revoked."""
    return caller_for_hash(session=session, key_hash=hash_key(key), bootstrap_key=bootstrap_key)


def caller_for_hash(*, session: Session, key_hash: str, bootstrap_key: str | None = None) -> Caller | None:
    """The caller of a key known by its hash (page sessions keep the hash, never the key), or None.

    The bootstrap admin key is a stored key like any other (`ensure_bootstrap`): revoking it
    (`DELETE /keys/bootstrap`) is recorded and honoured, also after a restart with the same environment;
    a new bootstrap key needs a new GIS_BOOTSTRAP_ADMIN_KEY value."""
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == key_hash)).first()
    if row is None and bootstrap_key and hmac.compare_digest(key_hash, hash_key(bootstrap_key)):
        ensure_bootstrap(session=session, key=bootstrap_key)   # not stored at start (database not migrated then)
        row = session.exec(select(ApiKey).where(ApiKey.key_hash == key_hash)).first()
    if row is None or row.revoked_at is not None:
        return None
    return Caller(role=row.role, key_id=row.id, uscc=row.uscc, divisions=tuple(row.divisions or ()))


def ensure_bootstrap(*, session: Session, key: str) -> None:
    """Store the bootstrap admin key (from the environment) if absent; never log it."""
    digest = hash_key(key)
    if session.exec(select(ApiKey).where(ApiKey.key_hash == digest)).first():
        return   # present, or revoked: a revocation stands
    previous = session.get(ApiKey, "bootstrap")
    key_id = "bootstrap" if previous is None else "bootstrap-" + digest[:8]   # a new environment key
    session.add(ApiKey(id=key_id, key_hash=digest, role="admin", label="bootstrap admin (environment)"))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
