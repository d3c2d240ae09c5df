"""The server's VAPID key pair, which identifies it to browsers' push services.

Production reads VAPID_PRIVATE_KEY / VAPID_PUBLIC_KEY (or their *_FILE secrets) from the
environment. A development checkout (`make run`) has none: a pair is generated once into
var/vapid.json and reused, so subscriptions made yesterday still work today. A changed key
invalidates every subscription, which is why it is never regenerated once written.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02


@dataclass(frozen=True)
class VapidKeys:
    vapid: Vapid02  # signs the RFC 8292 JWT (`Authorization: vapid t=…, k=…`)
    public_key: str  # base64url uncompressed P-256 point: the PWA's applicationServerKey
    subject: str  # mailto: or https: contact for the push service's operators


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _public_key_of(vapid: Vapid02) -> str:
    public = vapid.public_key
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise ImproperlyConfigured("The VAPID key is not an elliptic-curve key.")
    return _b64url(public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def _generated_dev_keys(path: Path) -> tuple[str, str]:
    if not path.exists():
        vapid = Vapid02()
        vapid.generate_keys()
        private = vapid.private_key
        if not isinstance(private, ec.EllipticCurvePrivateKey):
            raise ImproperlyConfigured("py_vapid generated an unexpected key type.")
        raw_private = private.private_numbers().private_value.to_bytes(32, "big")
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"private_key": _b64url(raw_private), "public_key": _public_key_of(vapid)}
        # Written next to the other development secrets, readable by this user only.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
    data = json.loads(path.read_text())
    return data["private_key"], data["public_key"]


@cache
def vapid_keys() -> VapidKeys:
    private_key = settings.VAPID_PRIVATE_KEY
    public_key = settings.VAPID_PUBLIC_KEY
    if not private_key:
        if not settings.VAPID_GENERATE_DEV_KEYS:
            raise ImproperlyConfigured("Set VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY.")
        private_key, public_key = _generated_dev_keys(Path(settings.VAR_DIR) / "vapid.json")
    try:
        vapid = Vapid02.from_string(private_key=private_key)
    except Exception as exc:
        raise ImproperlyConfigured(f"VAPID_PRIVATE_KEY cannot be read: {exc}") from exc
    derived = _public_key_of(vapid)
    if public_key and public_key.rstrip("=") != derived:
        raise ImproperlyConfigured("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY.")
    return VapidKeys(vapid=vapid, public_key=derived, subject=settings.VAPID_SUBJECT)


# RFC 8292 lets a VAPID token live up to 24 hours; ours live 12 and are replaced an hour before
# they expire, so a push never carries one that runs out on its way.
VAPID_TOKEN_LIFETIME = 12 * 60 * 60
VAPID_TOKEN_RENEW_BEFORE = 60 * 60
_authorizations: dict[tuple[str, str, str], tuple[int, str]] = {}
# A group's pushes are sent from several threads at once: one of them signs, the others reuse.
_authorizations_lock = threading.Lock()


def vapid_authorization(audience: str) -> str:
    """The `Authorization: vapid t=…, k=…` header for a push service's origin. Signing a JWT per
    push cost more than the push's encryption; one token per audience serves until near its
    expiry (per process; keyed by our public key too, so a new key pair signs anew)."""
    keys = vapid_keys()
    cache_key = (keys.public_key, keys.subject, audience)
    with _authorizations_lock:
        now = int(time.time())
        cached = _authorizations.get(cache_key)
        if cached is not None and cached[0] - now > VAPID_TOKEN_RENEW_BEFORE:
            return cached[1]
        expires = now + VAPID_TOKEN_LIFETIME
        claims = {"aud": audience, "exp": expires, "sub": keys.subject}
        header = str(keys.vapid.sign(claims)["Authorization"])
        _authorizations[cache_key] = (expires, header)
        return header
