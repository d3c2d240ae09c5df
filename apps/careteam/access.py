"""Who may do what with a patient's record — the one place it is decided.

Every patient-scoped view inherits `PatientScopedMixin`, which
  1. finds the caller's *active* membership of the patient named in the URL — none means 404, so a
     stranger or a revoked member cannot even learn that the record exists;
  2. checks the capability the action needs against `ROLE_CAPABILITIES` — a member who may read
     the resource but not change it gets 403, one who may not read it gets 404;
  3. scopes the queryset to that patient, so a record id from another patient is simply not found;
  4. writes an audit event for every successful read or write by anyone but an owner — in a
     list across patients (the patients list), one per patient shown;
  5. relies on the second factor having been asked for already: every authenticated request
     passes apps.accounts.otp.enforce_second_factor before any view runs (TOTP passed when on,
     and on at all for a clinician), whether or not the URL names a patient.

tests/access/ checks every API route × method against owner, caregiver, clinician, stranger,
revoked member and anonymous; a route without an entry there fails the suite.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils.translation import gettext as _
from rest_framework import permissions
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.authentication import request_user
from apps.accounts.otp import note_clinician_session

from .models import Membership, Patient, Role


class Capability(StrEnum):
    VIEW_PATIENT = "view_patient"  # the profile and the care team
    EDIT_PATIENT = "edit_patient"
    MANAGE_CARE_TEAM = "manage_care_team"  # invite, revoke, change roles
    VIEW_AUDIT = "view_audit"  # the whole trail, with IP addresses
    # The trail of clinical access only (which clinician opened what, when): what a clinician
    # shares the record with may know, without the family's own reads or anyone's IP address.
    VIEW_CLINICAL_AUDIT = "view_clinical_audit"
    READ_DIARY = "read_diary"  # symptoms, triggers, check-ins, episodes, labs, insights
    WRITE_DIARY = "write_diary"
    WRITE_LABS = "write_labs"
    READ_MEDICATIONS = "read_medications"  # medications, schedules, the dose log
    WRITE_MEDICATIONS = "write_medications"  # add/change a medication and its regimen
    LOG_DOSE = "log_dose"  # a dose given at home
    LOG_CLINIC_DOSE = "log_clinic_dose"  # a dose given at the clinic
    MANAGE_EPINEPHRINE = "manage_epinephrine"  # pens, carry checks
    MANAGE_EMERGENCY_CARD = "manage_emergency_card"  # the card's text and its share links
    READ_CLINICAL_NOTES = "read_clinical_notes"
    WRITE_CLINICAL_NOTES = "write_clinical_notes"


_EVERY_READ = {
    Capability.VIEW_PATIENT,
    Capability.READ_DIARY,
    Capability.READ_MEDICATIONS,
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    # Full control, including who else sees the record. A record may have several owners.
    Role.OWNER: frozenset(
        _EVERY_READ
        | {
            Capability.EDIT_PATIENT,
            Capability.MANAGE_CARE_TEAM,
            Capability.VIEW_AUDIT,
            Capability.WRITE_DIARY,
            Capability.WRITE_LABS,
            Capability.WRITE_MEDICATIONS,
            Capability.LOG_DOSE,
            Capability.LOG_CLINIC_DOSE,
            Capability.MANAGE_EPINEPHRINE,
            Capability.MANAGE_EMERGENCY_CARD,
        }
    ),
    # Logs for the patient and gets escalated alerts; cannot change who has access.
    Role.CAREGIVER: frozenset(
        _EVERY_READ
        | {
            Capability.WRITE_DIARY,
            Capability.WRITE_LABS,
            Capability.WRITE_MEDICATIONS,
            Capability.LOG_DOSE,
            Capability.LOG_CLINIC_DOSE,
            Capability.MANAGE_EPINEPHRINE,
        }
    ),
    # Reads everything; writes labs, clinic-given doses and their own notes; never edits the
    # patient's own diary.
    Role.CLINICIAN: frozenset(
        _EVERY_READ
        | {
            Capability.WRITE_LABS,
            Capability.LOG_CLINIC_DOSE,
            Capability.READ_CLINICAL_NOTES,
            Capability.WRITE_CLINICAL_NOTES,
            Capability.VIEW_CLINICAL_AUDIT,
        }
    ),
}

_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_AUDIT_ACTIONS = {
    "GET": "read",
    "POST": "create",
    "PUT": "update",
    "PATCH": "update",
    "DELETE": "delete",
}


def capabilities_of(role: str) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset())


def resolve_membership(user: Any, patient_id: Any) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return (
            Membership.objects.active()
            .select_related("patient")
            .filter(user=user, patient_id=patient_id)
            .first()
        )
    except (ValueError, TypeError):  # a malformed id is a record that does not exist
        return None


def _clinician_memberships(user: Any) -> QuerySet[Membership]:
    return Membership.objects.active().filter(user=user, role=Role.CLINICIAN)


def holds_clinician_role(user: Any) -> bool:
    """Whether the user is a clinician on any care team: such an account needs TOTP, and its
    sessions time out when idle (apps.accounts.middleware)."""
    return _clinician_memberships(user).exists()


def clinician_role_exists() -> Exists:
    """`holds_clinician_role` as an expression on a User queryset (apps.accounts.backends)."""
    return Exists(_clinician_memberships(OuterRef("pk")))


class PatientAccess(permissions.BasePermission):
    """Resolves the caller's membership and checks the capability the action needs."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False  # DRF answers 401 (or 403 without a WWW-Authenticate scheme)
        # The second factor was asked for when the request was authenticated
        # (apps.accounts.otp.enforce_second_factor), for this route as for every other.
        patient_id = view.kwargs.get(view.patient_url_kwarg)  # type: ignore[attr-defined]
        if patient_id is None:
            # A collection across patients (e.g. "my patients"): scoped by the view's queryset.
            return True
        membership = resolve_membership(request.user, patient_id)
        if membership is None:
            raise NotFound()
        view.membership = membership  # type: ignore[attr-defined]
        if membership.role == Role.CLINICIAN:
            note_clinician_session(request)
        granted = capabilities_of(membership.role)
        needed = view.required_capability(request)  # type: ignore[attr-defined]
        if needed in granted:
            return True
        if view.read_capability not in granted:  # type: ignore[attr-defined]
            raise NotFound()
        raise PermissionDenied(_("Your role on this patient's care team does not allow this."))


class ClinicianVerified(permissions.BasePermission):
    """For clinician-wide views (the dashboard across one's patients, /api/v1/clinic/…). The
    second factor itself was asked for at authentication, as for every route; this starts the
    clinician's idle clock on the session. Whom the view then shows is up to its queryset."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if holds_clinician_role(request_user(request)):
            note_clinician_session(request)
        return True


class PatientScopedMixin(GenericAPIView):
    """Base for every view of one patient's data. Subclasses set `read_capability`,
    `write_capability` and, where the model does not point at the patient as `patient`,
    `patient_field`; single actions may need another capability via `action_capabilities`."""

    patient_url_kwarg: ClassVar[str] = "patient_pk"
    patient_field: ClassVar[str] = "patient"
    read_capability: ClassVar[Capability]
    write_capability: ClassVar[Capability | None] = None
    action_capabilities: ClassVar[dict[str, Capability]] = {}
    # Audit events name the resource by this (defaults to the router basename).
    audit_resource: ClassVar[str | None] = None

    permission_classes = [PatientAccess]
    membership: Membership | None = None

    @property
    def patient(self) -> Patient:
        return self.my_membership.patient

    @property
    def my_membership(self) -> Membership:
        """The caller's membership of the patient in the URL."""
        if self.membership is None:
            raise RuntimeError("the membership is only known inside a /patients/<patient_pk>/ URL")
        return self.membership

    def required_capability(self, request: Request) -> Capability | None:
        action = getattr(self, "action", None)
        if action in self.action_capabilities:
            return self.action_capabilities[action]
        if request.method in _WRITE_METHODS:
            return self.write_capability
        return self.read_capability

    def scope_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(**{self.patient_field: self.patient})

    def get_queryset(self) -> QuerySet[Any]:
        return self.scope_queryset(super().get_queryset())

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        membership = self.membership
        if membership is None and request.method == "GET" and response.status_code < 400:
            self._audit_collection(request, response)
        if membership is not None and membership.role != Role.OWNER and response.status_code < 400:
            from apps.audit.services import audit_record

            audit_record(
                request=request,
                patient=membership.patient,
                action=_AUDIT_ACTIONS.get(request.method or "", "other"),
                resource=self.audit_resource
                or getattr(self, "basename", None)
                or type(self).__name__,
                object_id=self._audited_object_id(response),
                role=membership.role,
            )
        return response

    def _audit_collection(self, request: Request, response: Response) -> None:
        """A list across patients (the patients list): every patient shown to someone other
        than an owner is a read of that patient's record, audited like one."""
        rows = getattr(response, "data", None)
        if not isinstance(rows, list):
            return
        shown = [
            (row["id"], row["my_role"])
            for row in rows
            if isinstance(row, dict) and row.get("id") and row.get("my_role") not in (None, "owner")
        ]
        if shown:
            from apps.audit.services import audit_records

            audit_records(
                request=request,
                patients_and_roles=shown,
                action="read",
                resource=f"{self.audit_resource or getattr(self, 'basename', '')}-list",
            )

    def _audited_object_id(self, response: Response) -> str:
        lookup = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk")
        if lookup in self.kwargs:
            return str(self.kwargs[lookup])
        data = getattr(response, "data", None)
        if self.request.method == "POST" and isinstance(data, dict) and "id" in data:
            return str(data["id"])
        return ""


def object_in_scope(
    model: type[Model], patient: Patient, pk: Any, patient_field: str = "patient"
) -> Any:
    """Fetches a related record named in a request body, only if it belongs to this patient —
    for serializers that link records (e.g. an episode to its trigger exposures)."""
    try:
        return model._default_manager.get(**{"pk": pk, patient_field: patient})
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        return None
