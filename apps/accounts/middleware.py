"""A clinician's session ends after a quiet spell (issue 7: clinician security).

A clinician reads many patients' records, often on a shared desktop at the clinic: a session left
open must not stay usable. Sessions marked as a clinician's (apps.accounts.otp.SESSION_CLINICIAN,
set at sign-in or at first clinician access) end after CLINICIAN_IDLE_TIMEOUT_MINUTES without a
request; the request that finds it expired goes on signed out (the API answers 401). Other
sessions keep SESSION_COOKIE_AGE, untouched. Bearer tokens are not sessions: this does not apply.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .otp import SESSION_CLINICIAN, SESSION_LAST_ACTIVITY

# The last-activity time is written at most this often (seconds): once per request would turn
# every read into a session write. The timeout is therefore exact to within this.
ACTIVITY_RESOLUTION_SECONDS = 60


class ClinicianIdleTimeoutMiddleware:
    """Must come after AuthenticationMiddleware (it signs the session out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.get(SESSION_CLINICIAN):
            now = timezone.now().timestamp()
            last = session.get(SESSION_LAST_ACTIVITY)
            idle = now - last if last is not None else None
            if idle is not None and idle > settings.CLINICIAN_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)  # flushes the session; request.user is anonymous from here
            elif idle is None or idle >= ACTIVITY_RESOLUTION_SECONDS:
                # A clock that went backwards (idle < 0) is not idleness, and is not written.
                session[SESSION_LAST_ACTIVITY] = now
        return self.get_response(request)
