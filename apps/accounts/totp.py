"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps compute
them, on pyotp: the HMAC truncation, the base32 secrets and the constant-time comparison are the
library's, not ours.

Pure functions: no database, no settings. The services in apps.accounts.services decide which
codes a user may still use (each time step once, ±1 step of clock drift).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import quote, urlencode

import pyotp
import qrcode
from pyotp.utils import strings_equal
from qrcode.image.svg import SvgPathImage

STEP_SECONDS = 30
DIGITS = 6
# A phone's clock may be this many steps off either way (RFC 6238 §5.2 recommends one).
DRIFT_STEPS = 1
ISSUER = "Mastline"


def new_secret() -> str:
    """160 random bits (the SHA-1 block-size key RFC 4226 recommends), base32 without padding."""
    return pyotp.random_base32(length=32)


def time_step(unix_time: float, step: int = STEP_SECONDS) -> int:
    return int(unix_time // step)


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 HOTP of a raw key (the RFC's test vectors give the key as bytes)."""
    return pyotp.HOTP(base64.b32encode(key).decode(), digits=digits).at(counter)


def _totp(secret_b32: str, digits: int = DIGITS) -> pyotp.TOTP:
    return pyotp.TOTP(secret_b32.replace(" ", "").upper(), digits=digits, interval=STEP_SECONDS)


def totp(secret_b32: str, unix_time: float, digits: int = DIGITS) -> str:
    return _totp(secret_b32, digits).at(unix_time)


def matching_step(secret_b32: str, code: str, unix_time: float) -> int | None:
    """The time step (within the allowed drift) whose code is `code`, or None. Every step in the
    window is compared, in constant time, so the answer's timing says nothing about how close a
    guess was. (pyotp's `verify` answers yes or no; the services need the step, to accept each
    step once.)"""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    generator = _totp(secret_b32)
    now = time_step(unix_time)
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if strings_equal(generator.generate_otp(step), code):
            found = step
    return found


def provisioning_uri(secret_b32: str, account: str) -> str:
    """The otpauth:// URI authenticator apps read from a QR code (Key Uri Format). Formatted here,
    not by pyotp's `provisioning_uri`, which leaves the colon of `issuer:account` unencoded: both
    forms are valid, and this one keeps the URI as it was (tests/accounts/test_totp.py pins it)."""
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
