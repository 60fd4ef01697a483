"""Signed share/preview links and the first-party cookie they set (HMAC-SHA256, URL-safe).

A token is ``<payload>.<signature>``: the payload a compact JSON array in base64url, the
signature a 128-bit truncated HMAC-SHA256 over a purpose prefix and the payload, so a link token
can never be replayed as a cookie. Anything that is not exactly what we sign is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from personalize.errors import ConfigError

LINK_PARAM = "abm"
MIN_SECRET_BYTES = 32  # 256 bits, as HMAC-SHA256 wants; `secrets.token_urlsafe(32)` gives 43
MAX_TOKEN = 1024
_VERSION = 1
_SIGNATURE_BYTES = 16
_B64 = re.compile(r"^[A-Za-z0-9_-]+$")
CREATE_SECRET = 'python -c "import secrets; print(secrets.token_hex(32))" > abm-secret.key'


@dataclass(frozen=True)
class LinkClaims:
    account: str | None
    industry: str | None
    owner: str | None
    expires: int  # Unix seconds
    preview: bool


@dataclass(frozen=True)
class CookieClaims:
    visitor_id: str
    account: str | None
    owner: str | None
    lead: bool


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes | None:
    """Strict base64url: only the alphabet, and only the canonical spelling of the bytes."""
    if not _B64.match(text):
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None
    return data if _b64(data) == text else None


def _signature(secret: bytes, purpose: bytes, payload: str) -> str:
    digest = hmac.new(secret, purpose + b"." + payload.encode("ascii"), hashlib.sha256).digest()
    return _b64(digest[:_SIGNATURE_BYTES])


def _sign(secret: bytes, purpose: bytes, fields: list[Any]) -> str:
    text = json.dumps([_VERSION, *fields], ensure_ascii=False, separators=(",", ":"))
    payload = _b64(text.encode("utf-8"))
    return f"{payload}.{_signature(secret, purpose, payload)}"


def _verify(secret: bytes, purpose: bytes, token: str) -> tuple[list[Any] | None, str | None]:
    """(fields, None) for a genuine token; (None, "malformed" | "tampered") otherwise."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 1:
        return None, "malformed"
    payload, signature = token.split(".")
    raw, signature_bytes = _unb64(payload), _unb64(signature)
    if raw is None or signature_bytes is None or len(signature_bytes) != _SIGNATURE_BYTES:
        return None, "malformed"
    if not hmac.compare_digest(signature, _signature(secret, purpose, payload)):
        return None, "tampered"
    try:
        fields = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "malformed"
    if not isinstance(fields, list) or not fields or fields[0] != _VERSION:
        return None, "malformed"
    return fields[1:], None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def sign_link(
    secret: bytes,
    *,
    account: str | None = None,
    industry: str | None = None,
    owner: str | None = None,
    expires_at: int,
    preview: bool = False,
) -> str:
    """A token for ``?abm=``: it personalizes for ``account`` (or, for previews, ``industry``) until ``expires_at``."""
    if not account and not (preview and industry):
        raise ValueError("a link needs an account, or an industry when it is a preview")
    return _sign(secret, b"link", [account, industry, owner, int(expires_at), int(preview)])


def verify_link(secret: bytes, token: str, *, now: int) -> tuple[LinkClaims | None, str | None]:
    """(claims, None) or (None, reason) with reason "malformed", "tampered" or "expired"."""
    fields, reason = _verify(secret, b"link", token)
    if fields is None:
        return None, reason
    if len(fields) != 5 or not isinstance(fields[3], int):
        return None, "malformed"
    claims = LinkClaims(_text(fields[0]), _text(fields[1]), _text(fields[2]), fields[3], bool(fields[4]))
    if claims.expires < now:
        return None, "expired"
    return claims, None


def link_id(token: str) -> str:
    """A link's id: its token's signature, unique per link and already unguessable (no hashing on a request)."""
    return token.rpartition(".")[2]


def add_token(url: str, token: str) -> str:
    """``url`` with ``abm=<token>`` (replacing an old one), other parameters (UTM!) kept byte for byte."""
    base, hash_, fragment = url.partition("#")
    path, question, query = base.partition("?")
    kept = [part for part in query.split("&") if part and part.split("=", 1)[0] != LINK_PARAM]
    query = "&".join([*kept, f"{LINK_PARAM}={token}"])
    return f"{path}?{query}{hash_}{fragment}"


def sign_cookie(secret: bytes, *, visitor_id: str, account: str | None, owner: str | None, lead: bool) -> str:
    """The first-party cookie value: who the visitor is to us, and to whom they are attributed."""
    return _sign(secret, b"cookie", [visitor_id, account, owner, int(lead)])


def verify_cookie(secret: bytes, value: str | None) -> CookieClaims | None:
    """The cookie's claims, or None for anything we did not sign ourselves."""
    if not value:
        return None
    fields, _ = _verify(secret, b"cookie", value)
    if fields is None or len(fields) != 4 or not _text(fields[0]):
        return None
    return CookieClaims(fields[0], _text(fields[1]), _text(fields[2]), bool(fields[3]))


def load_secret(path: Path) -> bytes:
    """The HMAC secret from a file (surrounding whitespace ignored); ConfigError says how to make one."""
    try:
        secret = Path(path).read_bytes().strip()
    except FileNotFoundError:
        raise ConfigError(f"secret file {path} does not exist; create one with: {CREATE_SECRET}") from None
    except OSError as error:
        raise ConfigError(f"cannot read the secret file {path} ({error.strerror or error})") from error
    if len(secret) < MIN_SECRET_BYTES:
        what = "is empty" if not secret else f"holds only {len(secret)} bytes"
        raise ConfigError(
            f"secret file {path} {what}; it needs at least {MIN_SECRET_BYTES}. Create one with: {CREATE_SECRET}"
        )
    return secret
