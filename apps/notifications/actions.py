"""What a person can do straight from a notification's buttons ("I took it", "Remind me later",
"I have my pens"), performed on the server so the service worker needs nothing but the
notification's id.

Apps register a handler per action name from their AppConfig.ready(); the handler does the work
(log the dose, answer the carry check) with the same access rules as the app's own API, and
returns a small dict for the response. `remind-later` lives here: it is the same for everything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from apps.accounts.authentication import request_user
from apps.accounts.models import User
from apps.careteam.access import Capability, capabilities_of, resolve_membership
from apps.careteam.models import Role

from .models import Notification

ActionHandler = Callable[[Notification, User], dict[str, Any]]

REMIND_LATER_AFTER = timedelta(hours=1)

_HANDLERS: dict[str, ActionHandler] = {}
# Actions after which the alert needs no more sends (the thing it asked for is done).
_RESOLVING: set[str] = set()
# What a person's role on the care team must allow for the button to be offered to them
# (None: anyone on the team). Actions done in the app only (no handler) are registered too.
_NEEDS: dict[str, Capability | None] = {}


# What each action does to the patient's record, as the audit trail names it: (action, resource).
_AUDITED_AS: dict[str, tuple[str, str]] = {}


def register_action(
    name: str,
    handler: ActionHandler | None,
    *,
    resolves: bool,
    needs: Capability | None = None,
    audited_as: tuple[str, str] = ("update", "alert"),
) -> None:
    """`handler` None: a button the app handles by opening a screen (e.g. `check_in`).
    `audited_as`: the audit event it writes when someone other than an owner presses it."""
    if handler is not None:
        _HANDLERS[name] = handler
    if resolves:
        _RESOLVING.add(name)
    _NEEDS[name] = needs
    _AUDITED_AS[name] = audited_as


def audit_action(
    *, request: Any, notification: Notification, action: str, result: dict[str, Any]
) -> None:
    """A button pressed on a patient's notification reads or changes that patient's record, so
    it is audited by the one rule of apps.careteam.access: every use by anyone but an owner."""
    if notification.patient_id is None:
        return
    membership = resolve_membership(request_user(request), notification.patient_id)
    if membership is None or membership.role == Role.OWNER:
        return
    from apps.audit.services import audit_record

    verb, resource = _AUDITED_AS.get(action, ("update", "alert"))
    record = next((value for value in result.values() if isinstance(value, dict)), {})
    audit_record(
        request=request,
        patient=membership.patient,
        action=verb,
        resource=resource,
        object_id=str(record.get("id") or (notification.pk if resource == "alert" else "")),
        role=membership.role,
    )


def actions_for_role(actions: Sequence[dict[str, str]], role: str) -> list[dict[str, str]]:
    """The buttons someone with `role` can perform: a clinician is never offered "I took it"
    (logging a home dose is not theirs to do). An action nobody registered is never offered."""
    allowed = capabilities_of(role)
    fit = []
    for action in actions:
        name = action.get("action", "")
        if name not in _NEEDS:
            continue
        needs = _NEEDS[name]
        if needs is None or needs in allowed:
            fit.append(dict(action))
    return fit


def require_capability(notification: Notification, user: User, capability: Capability) -> Any:
    """The actor's current membership of the notification's patient, if it still grants this
    capability. Access revoked after the notification was sent means the button does nothing."""
    if notification.patient_id is None:
        raise NotFound()
    membership = resolve_membership(user, notification.patient_id)
    if membership is None:
        raise NotFound()
    if capability not in capabilities_of(membership.role):
        raise PermissionDenied(
            gettext("Your role on this patient's care team does not allow this.")
        )
    return membership


def perform_action(*, notification: Notification, user: User, action: str) -> dict[str, Any]:
    offered = {item.get("action") for item in notification.actions}
    if action not in offered:
        raise ValidationError(
            {"action": [gettext("This notification does not offer that action.")]}
        )
    handler = _HANDLERS.get(action)
    if handler is None:
        raise ValidationError({"action": [gettext("This action is not available on this server.")]})
    from .acknowledgement import acknowledge
    from .services import notification_mark_read

    with transaction.atomic():
        result = handler(notification, user)
        if action in _RESOLVING:
            acknowledge(notification=notification, by=user)
        else:
            notification_mark_read(notification=notification)
    return {"action": action, **result}


def _remind_later(notification: Notification, user: User) -> dict[str, Any]:
    """Sends the same notification again in an hour. It does not acknowledge it: an escalation
    still climbs while the dose stays untaken."""
    from .services import notify

    at = timezone.now() + REMIND_LATER_AFTER
    again = notify(
        recipient=user,
        patient=notification.patient,
        category=notification.category,
        urgency=notification.urgency,
        dedupe_key=f"{notification.dedupe_key}:later:{at:%Y%m%dT%H%M}",
        source_key=notification.source_key,
        title=notification.title,
        body=notification.body,
        url=notification.url,
        actions=notification.actions,
        not_before=at,
    )
    return {"remind_at": at.isoformat(), "notification": str(again.pk)}


def _acknowledge(notification: Notification, user: User) -> dict[str, Any]:
    """The push notification's "I'm dealing with it": the same as the app's button."""
    if notification.patient_id is not None:
        require_capability(notification, user, Capability.VIEW_PATIENT)
    return {"acknowledged": True}


register_action("remind-later", _remind_later, resolves=False, audited_as=("remind_later", "alert"))
register_action("acknowledge", _acknowledge, resolves=True, audited_as=("acknowledge", "alert"))
