"""Webhook secrets at rest: sealed with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`).

Signing needs the secret itself, so it cannot be stored as a hash like API keys. The Fernet key is derived
with HKDF-SHA256 from GIS_WEBHOOK_KEY when set, else from the app's secret key: whoever reads the database
alone cannot sign. Changing that key makes stored secrets unreadable (subscriptions must then be re-created).
"""
from __future__ import annotations

import base64
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretUnreadable(Exception):
    """A stored secret that the current key cannot open (the key changed)."""


def new_secret() -> str:
    """A fresh random signing secret (shown once to the subscriber)."""
    return "whsec_" + secrets.token_urlsafe(32)


class SecretBox:
    """Seals and opens webhook secrets with a key derived from `key_material`."""

    def __init__(self, key_material: str):
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                       info=b"gis webhook secrets v1").derive(key_material.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secret: str) -> str:
        """The stored form of a secret."""
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, token: str) -> str:
        """The secret of a stored token."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretUnreadable("the webhook key changed: this subscription's secret cannot be read") from None
