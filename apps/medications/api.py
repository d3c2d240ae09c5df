"""Medications, the dose log, the schedule view and the calendar feed of one patient."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.authentication import request_user
from apps.careteam.access import Capability, PatientScopedMixin, capabilities_of
from apps.careteam.models import Role
from apps.glossary.models import TermKind
from apps.glossary.selectors import annotate_names
from apps.sync.api import SyncedViewSetMixin

from . import calendar, selectors, services
from .models import CatalogueDrug, DoseLog, GivenBy, Location, Medication
from .serializers import (
    CalendarFeedSerializer,
    CatalogueDrugSerializer,
    DoseSerializer,
    MedicationSerializer,
    ScheduleQuerySerializer,
    ScheduleSerializer,
)

_TAGS = ["medications"]


@extend_schema(tags=_TAGS)
@extend_schema_view(
    list=extend_schema(
        summary="The patient's medications",
        description="Every medication with its regimen, reminder policy, next due dose and, for "
        "injections, the suggested next injection site (rotation after the last one used).",
    ),
    create=extend_schema(
        summary="Add a medication",
        description="Pick it from the catalogue (`catalogue`) or name it. Regimens: `daily` at "
        "`times_of_day`; `weekdays`; `interval` every N `hours`/`days`/`weeks`, counted from the "
        "last dose actually given (`interval_anchor: last_dose`, e.g. omalizumab every 4 weeks) "
        "or on fixed calendar dates from the start date; `as_needed`. Times are local to the "
        "patient's time zone. Reminders follow `reminder_policy` or the regimen's default.",
    ),
    retrieve=extend_schema(summary="A medication"),
    partial_update=extend_schema(
        summary="Change a medication, its regimen or its reminders",
        description="Pending reminders are replanned at once.",
    ),
)
class MedicationViewSet(
    PatientScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MedicationSerializer
    queryset = Medication.objects.all()
    read_capability = Capability.READ_MEDICATIONS
    write_capability = Capability.WRITE_MEDICATIONS
    action_capabilities = {
        "pause": Capability.WRITE_MEDICATIONS,
        "resume": Capability.WRITE_MEDICATIONS,
        "catalogue": Capability.READ_MEDICATIONS,
        "schedule": Capability.READ_MEDICATIONS,
    }
    audit_resource = "medication"
    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = None  # a patient takes a handful of medications

    def get_queryset(self) -> QuerySet[Medication]:
        last_site = (
            DoseLog.objects.filter(medication=OuterRef("pk"), deleted_at__isnull=True)
            .exclude(injection_site="")
            .order_by("-taken_at")
            .values("injection_site")[:1]
        )
        return (
            super()
            .get_queryset()
            .select_related("patient")
            .annotate(last_injection_site=Subquery(last_site))
        )

    def perform_create(self, serializer: Any) -> None:
        given_by: dict[str, str] = {
            Role.CAREGIVER: GivenBy.CAREGIVER,
            Role.CLINICIAN: GivenBy.CLINIC,
        }
        by = given_by.get(self.my_membership.role, GivenBy.PATIENT)
        created = services.medication_create(
            patient=self.patient,
            created_by=request_user(self.request),
            given_by=by,
            **serializer.validated_data,
        )
        serializer.instance = self.get_queryset().get(pk=created.pk)  # with its last site

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.medication_update(
            medication=serializer.instance, **serializer.validated_data
        )

    def _answer(self, medication: Medication) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=medication.pk)).data)

    @extend_schema(
        summary="Pause a medication",
        description="No doses are expected and no reminders sent until it is resumed.",
        request=None,
    )
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer(services.medication_pause(medication=self.get_object()))

    @extend_schema(
        summary="Resume a paused medication",
        description="Reminders are planned again from now on.",
        request=None,
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer(services.medication_resume(medication=self.get_object()))

    @extend_schema(
        summary="The treatment catalogue",
        description="The systemic mastocytosis treatment ladder (name, class, usual route) to "
        "pick a medication from. Mastline never suggests a treatment or a dose.",
        responses=CatalogueDrugSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def catalogue(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A catalogue drug's stable key in the glossary is its English name.
        drugs = annotate_names(CatalogueDrug.objects.all(), kind=TermKind.DRUG, code_field="name")
        return Response(CatalogueDrugSerializer(drugs, many=True).data)

    @extend_schema(
        summary="The dose schedule of a period, with adherence",
        description="Every scheduled dose due between `start` and `end` (local dates in the "
        "patient's zone, at most 93 days; default: the last 7 and next 7 days) with its state — "
        "`taken`, `taken_late` (after it counted as missed), `skipped`, `missed`, `due`, "
        "`upcoming` — and adherence per medication over the doses already due.",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="First local date."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last local date."),
        ],
        responses=ScheduleSerializer,
    )
    @action(detail=False, methods=["get"])
    def schedule(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = ScheduleQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        now = timezone.now()
        today = self.patient.local_today(now)
        start = query.validated_data.get("start") or today - timedelta(days=7)
        end = query.validated_data.get("end") or start + timedelta(days=14)
        if (end - start).days > ScheduleQuerySerializer.MAX_DAYS or end < start:
            end = start + timedelta(days=14)
        found = selectors.patient_schedule(patient=self.patient, start=start, end=end, now=now)
        data = {
            "start": start,
            "end": end,
            "time_zone": self.patient.time_zone,
            "occurrences": found.occurrences,
            "adherence": found.adherence,
        }
        return Response(ScheduleSerializer(data).data)


@extend_schema(tags=_TAGS)
@extend_schema_view(
    list=extend_schema(
        summary="The dose log",
        description="Doses taken or skipped, newest first. Filter with `medication`.",
        parameters=[OpenApiParameter("medication", OpenApiTypes.UUID)],
    ),
    create=extend_schema(
        summary="Log a dose",
        description="Taken or skipped (with a reason), when, by whom, where and, for injections, "
        "the site. Safe to repeat offline (send an `id`). A dose at the clinic needs the clinic "
        "capability (clinicians, owners, caregivers); at home, owners and caregivers. A dose in "
        "the future, or for a paused medication, is refused. What is due next is recomputed "
        "and pending reminders for this dose are cancelled.",
    ),
    retrieve=extend_schema(summary="A logged dose"),
    update=extend_schema(summary="Correct a logged dose", description="Needs If-Match."),
    partial_update=extend_schema(summary="Correct a logged dose", description="Needs If-Match."),
    destroy=extend_schema(
        summary="Delete a logged dose",
        description="Leaves a tombstone; the dose becomes due again and its reminders resume.",
    ),
)
class DoseViewSet(
    SyncedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    sync_kind = services.DOSE_KIND
    serializer_class = DoseSerializer
    queryset = DoseLog.objects.all()
    read_capability = Capability.READ_MEDICATIONS
    # Every role that may log any dose has this; home doses also need LOG_DOSE (_check_location).
    write_capability = Capability.LOG_CLINIC_DOSE
    audit_resource = "dose"

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        medication = self.request.query_params.get("medication")
        if self.action == "list" and medication:
            try:
                queryset = queryset.filter(medication_id=medication)
            except Exception:  # a malformed id matches nothing
                return queryset.none()
        return super().filter_queryset(queryset)

    def _check_location(self, location: str) -> None:
        needed = Capability.LOG_CLINIC_DOSE if location == Location.CLINIC else Capability.LOG_DOSE
        if needed not in capabilities_of(self.my_membership.role):
            raise PermissionDenied(gettext("Your role may log doses given at the clinic only."))

    def perform_synced_create(self, validated_data: dict[str, Any], digest: str) -> Any:
        self._check_location(validated_data.get("location", Location.HOME))
        default_by: dict[str, str] = {
            Role.CAREGIVER: GivenBy.CAREGIVER,
            Role.CLINICIAN: GivenBy.CLINIC,
        }
        validated_data.setdefault(
            "given_by", default_by.get(self.my_membership.role, GivenBy.PATIENT)
        )
        return services.dose_create(fields=self.create_fields(validated_data), digest=digest)

    def perform_synced_update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        self._check_location(instance.location)
        self._check_location(validated_data.get("location", instance.location))
        return services.dose_update(dose=instance, fields=validated_data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        dose = self.get_object()
        self._check_location(dose.location)
        if dose.deleted_at is None:
            services.dose_delete(dose=dose)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedView(PatientScopedMixin):
    """Your secret calendar URL of this patient's upcoming doses."""

    read_capability = Capability.READ_MEDICATIONS
    write_capability = Capability.READ_MEDICATIONS  # your own feed of what you may read
    audit_resource = "calendar_feed"

    @extend_schema(
        tags=_TAGS,
        summary="Your calendar feed of upcoming doses",
        description="Whether you have a live iCalendar subscription URL for this patient. The "
        "URL itself is shown only when it is created.",
        responses=CalendarFeedSerializer,
    )
    def get(self, request: Request, patient_pk: str) -> Response:
        feed = calendar.live_feed(patient=self.patient, user=request_user(request))
        return Response(CalendarFeedSerializer(calendar.describe(feed, url=None)).data)

    @extend_schema(
        tags=_TAGS,
        summary="Create (or replace) your calendar feed URL",
        description="Answers a secret URL (`/cal/<token>.ics`) that phone calendars can "
        "subscribe to: upcoming doses with the medication name and time only. Creating a new "
        "one revokes the previous URL. Anyone with the URL can read it: keep it private.",
        request=None,
        responses={201: CalendarFeedSerializer},
    )
    def post(self, request: Request, patient_pk: str) -> Response:
        feed, url = calendar.feed_create(patient=self.patient, user=request_user(request))
        return Response(
            CalendarFeedSerializer(calendar.describe(feed, url=url)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=_TAGS,
        summary="Revoke your calendar feed URL",
        description="The URL stops working at once (404).",
        responses={204: OpenApiResponse(description="Revoked (or there was none).")},
    )
    def delete(self, request: Request, patient_pk: str) -> Response:
        calendar.feed_revoke(patient=self.patient, user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
