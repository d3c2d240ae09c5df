"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps compute them.

Pure functions: no database, no settings. The services in apps.accounts.services decide which
codes a user may still use (each time step once, ±1 step of clock drift).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

import qrcode
from qrcode.image.svg import SvgPathImage

STEP_SECONDS = 30
DIGITS = 6
# A phone's clock may be this many steps off either way (RFC 6238 §5.2 recommends one).
DRIFT_STEPS = 1
ISSUER = "Mastline"


def new_secret() -> str:
    """20 random bytes (the SHA-1 block-size key RFC 4226 recommends), base32 without padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret_b32: str) -> bytes:
    cleaned = secret_b32.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def time_step(unix_time: float, step: int = STEP_SECONDS) -> int:
    return int(unix_time // step)


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 §5.3: HMAC the big-endian counter, take 31 bits at the offset the last nibble
    names, keep the last `digits` decimal digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    (number,) = struct.unpack(">I", mac[offset : offset + 4])
    return str((number & 0x7FFFFFFF) % 10**digits).zfill(digits)


def totp(secret_b32: str, unix_time: float, digits: int = DIGITS) -> str:
    return hotp(_key(secret_b32), time_step(unix_time), digits)


def matching_step(secret_b32: str, code: str, unix_time: float) -> int | None:
    """The time step (within the allowed drift) whose code is `code`, or None. Compared in
    constant time so the answer's timing says nothing about how close a guess was."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret_b32)
    now = time_step(unix_time)
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), code):
            found = step
    return found


def provisioning_uri(secret_b32: str, account: str) -> str:
    """The otpauth:// URI authenticator apps read from a QR code (Key Uri Format)."""
    label = quote(f"{ISSUER}:{account}")
    query = urlencode(
        {
            "secret": secret_b32,
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(data: str) -> str:
    """An SVG QR code of `data`, inline-able in the page (no image request, no third party)."""
    image = qrcode.make(data, image_factory=SvgPathImage, box_size=10, border=2)
    return str(image.to_string(encoding="unicode"))


def new_recovery_code() -> str:
    """80 random bits as four groups of four base32 characters, e.g. `K7QF-2MZD-PX4A-TT9…`."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_recovery_code(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")


def hash_recovery_code(code: str) -> str:
    # 80 random bits: a plain SHA-256 is enough (nothing to guess from a dictionary), and it lets
    # us find the code by its hash with one indexed lookup, as for API tokens.
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()
