"""The sign-in backend: Django's ModelBackend, loading a session's user together with the one fact
every authenticated request needs about them (are they a clinician on any care team?).

apps.accounts.otp.enforce_second_factor asks that on every request; asked separately it was a
query of its own on every request. Here it is an EXISTS in the query that loads the user anyway,
so it is exactly as fresh as before: computed in this request, from the memberships as they are
now. Nothing is stored between requests, so nothing needs invalidating."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# The annotation's name on a user loaded by this backend (read by apps.accounts.otp only).
LOADED_CLINICIAN_ROLE = "loaded_holds_clinician_role"


class UserWithRolesBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        from apps.careteam.access import clinician_role_exists

        user_model = get_user_model()
        try:
            user = user_model._default_manager.annotate(
                **{LOADED_CLINICIAN_ROLE: clinician_role_exists()}
            ).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
