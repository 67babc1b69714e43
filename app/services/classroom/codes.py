"""Join codes, capability tokens and nicknames of the live classroom.

- join code: 6 characters from an alphabet without look-alikes (no 0, O, 1, I, L): 31^6 ≈ 8.9e8;
- tokens: `secrets.token_urlsafe(24)` (192 bits); only their SHA-256 is stored and a presented
  token is compared by `hmac.compare_digest` on the hashes;
- nickname: optional, stripped, at most `max_chars` of letters (any script), digits, space, - _ .
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from app.errors import ApiError

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0 O 1 I L
CODE_LENGTH = 6
NICKNAME_PUNCT = " -_."


def new_code() -> str:
    """A random join code, e.g. "K7PXM3"."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Upper-cased, spaces and dashes dropped: "k7p-xm3" → "K7PXM3"; 404 when malformed."""
    clean = code.replace("-", "").replace(" ", "").upper()
    if len(clean) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in clean):
        raise ApiError("class_not_found", field="code")
    return clean


def new_token() -> str:
    """A bearer capability (URL-safe, 32 characters)."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """Hex SHA-256 of a token: what the store keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    if not token:
        return False
    return hmac.compare_digest(token_hash(token), stored_hash)


def clean_nickname(raw: str | None, max_chars: int) -> str:
    """The nickname to show ("" when none); 422 nickname_invalid when too long or other chars."""
    name = unicodedata.normalize("NFKC", raw or "").strip()
    if len(name) > max_chars:
        raise ApiError("nickname_invalid", variant="length", field="nickname", limit=max_chars)
    for ch in name:
        if not (ch.isalnum() or ch in NICKNAME_PUNCT):
            raise ApiError("nickname_invalid", field="nickname", limit=max_chars)
    return name


def qr_svg(url: str) -> str:
    """The QR code of `url` as a standalone SVG (black on white, quiet zone, scalable)."""
    import io

    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=1, border=4, xmldecl=False,
                                    svgclass="qr", omitsize=True)
    return buf.getvalue().decode("utf-8")
