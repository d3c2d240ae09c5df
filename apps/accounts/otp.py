"""Whether a request has passed the second factor, and the clinician's idle clock.

A session records *when* it passed TOTP (`SESSION_OTP_VERIFIED_AT`); a Bearer token records the
verification of the session that created it (`ApiToken.otp_verified_at`). Either counts only if
it is not older than the user's current enrolment (`User.totp_confirmed_at`), so turning TOTP
off and on again un-verifies every older session and token. Everything needed is on the session
and the user row already loaded for the request: no extra query.

Who must pass it is decided here, once for every authenticated request (`enforce_second_factor`):
anyone who turned TOTP on, and every clinician, who must turn it on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied

from .models import ApiToken, User

# Epoch seconds of the moment this session passed the second factor.
SESSION_OTP_VERIFIED_AT = "mastline.otp_verified_at"
# Set once the session is known to be a clinician's: the idle timeout applies from then on
# (apps.accounts.middleware.ClinicianIdleTimeoutMiddleware reads both keys below).
SESSION_CLINICIAN = "mastline.clinician"
# Epoch seconds of the last request, written at most once a minute.
SESSION_LAST_ACTIVITY = "mastline.last_activity"


class TotpRequired(PermissionDenied):
    """A clinician without a second factor: they must enrol before using clinician access."""

    default_code = "totp_required"
    default_detail = gettext_lazy(
        "Clinician access needs a second factor. Set up an authenticator app with "
        "POST /api/v1/auth/totp/setup, then confirm it."
    )


class TotpVerificationRequired(PermissionDenied):
    """The account has TOTP, but this session (or token) has not passed it."""

    default_code = "totp_verification_required"
    default_detail = gettext_lazy(
        "Enter the code from your authenticator app (POST /api/v1/auth/totp/verify) to continue."
    )


class SessionRequired(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "session_required"
    default_detail = gettext_lazy(
        "Only a signed-in session passes the second factor; a token counts as verified when "
        "it was created from a verified session."
    )


_UNSET: Any = object()


def _session_signed_in(request: Any, auth: Any = _UNSET) -> bool:
    """True when the request is authenticated by the session cookie (not by a Bearer token)."""
    session = getattr(request, "session", None)
    if auth is _UNSET:
        auth = getattr(request, "auth", None)
    return session is not None and SESSION_KEY in session and not isinstance(auth, ApiToken)


def session_verified_at(session: SessionBase) -> datetime | None:
    stamp = session.get(SESSION_OTP_VERIFIED_AT)
    return None if stamp is None else datetime.fromtimestamp(stamp, tz=UTC)


def request_verified_at(request: Any, user: User, auth: Any = _UNSET) -> datetime | None:
    """When this request's session or token passed the user's *current* second factor. `auth`
    is given while the request is still being authenticated (request.auth is not known yet)."""
    if user.totp_confirmed_at is None:
        return None
    if auth is _UNSET:
        auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        verified_at = auth.otp_verified_at
    elif _session_signed_in(request, auth):
        verified_at = session_verified_at(request.session)
    else:
        return None
    if verified_at is None or verified_at < user.totp_confirmed_at:
        return None
    return verified_at


def request_otp_verified(request: Any, user: User) -> bool:
    return request_verified_at(request, user) is not None


def mark_session_verified(session: SessionBase, at: datetime) -> None:
    session[SESSION_OTP_VERIFIED_AT] = at.timestamp()


def clear_session_verification(session: SessionBase) -> None:
    session.pop(SESSION_OTP_VERIFIED_AT, None)


def start_clinician_clock(session: SessionBase) -> None:
    """From now on this session ends after CLINICIAN_IDLE_TIMEOUT_MINUTES without a request."""
    if not session.get(SESSION_CLINICIAN):
        session[SESSION_CLINICIAN] = True
        session[SESSION_LAST_ACTIVITY] = timezone.now().timestamp()


def session_signed_in(request: Any, user: User) -> None:
    """After a password sign-in: a fresh sign-in must pass the second factor afresh, and a
    clinician's session gets the idle timeout from its first request."""
    from apps.careteam.access import holds_clinician_role

    clear_session_verification(request.session)
    if holds_clinician_role(user):
        start_clinician_clock(request.session)


def second_factor_exempt(view: Any) -> bool:
    """The allow-list: what a signed-in person may do before passing the second factor —
    who am I (auth/me, auth/csrf), sign out (auth/logout) and enrol or verify (auth/totp/*).
    A view joins it with `second_factor_exempt = True`; nothing else does."""
    return bool(getattr(view, "second_factor_exempt", False))


def enforce_second_factor(request: Any, user: User, auth: ApiToken | None) -> None:
    """THE second-factor rule, asked once for every authenticated API request (by the
    authentication classes in apps.accounts.authentication, before any view runs):

    - an account with TOTP on must have passed it in this session, or with this token
      (403 `totp_verification_required`);
    - an account holding a clinician role on any care team must have TOTP on at all
      (403 `totp_required`).

    Views on the allow-list (`second_factor_exempt`) are let through so the person can enrol,
    verify, see who they are and sign out."""
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if second_factor_exempt(view):
        return
    if user.totp_enabled:
        if request_verified_at(request, user, auth) is None:
            raise TotpVerificationRequired()
        return
    if _holds_clinician_role_now(user):
        raise TotpRequired()


def _holds_clinician_role_now(user: User) -> bool:
    """For enforce_second_factor, which runs as the request is authenticated: a session's user
    loaded by apps.accounts.backends carries the answer from the query that loaded it, in this
    same request (no extra query); any other user (a token's, a forced one in tests) is asked."""
    from apps.careteam.access import holds_clinician_role

    from .backends import LOADED_CLINICIAN_ROLE

    loaded = getattr(user, LOADED_CLINICIAN_ROLE, None)
    if loaded is not None:
        return bool(loaded)
    return holds_clinician_role(user)


def note_clinician_session(request: Any) -> None:
    """A session used with clinician access gets the idle timeout from here on — also one that
    became a clinician's after sign-in (an accepted invitation)."""
    if _session_signed_in(request):
        start_clinician_clock(request.session)
