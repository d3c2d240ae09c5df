"""The diary's endpoints, under /api/v1/patients/{patient_pk}/.

Owners and caregivers write the diary; clinicians read it and write lab results (access.py).
Every record is offline-safe (apps.sync.api): client ids, versions, tombstones, the change feed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from apps.accounts.authentication import request_user
from apps.careteam.access import Capability, PatientScopedMixin
from apps.core.pagination import CursorPagination
from apps.glossary.models import TermKind
from apps.glossary.selectors import annotate_names
from apps.sync.api import SyncedViewSetMixin

from . import insights, selectors, services
from .models import DailyCheckIn, LabResult, Symptom, SymptomDomain, Trigger
from .serializers import (
    AnaphylaxisEpisodeSerializer,
    DailyCheckInSerializer,
    LabResultSerializer,
    SymptomCatalogueSerializer,
    SymptomEntrySerializer,
    TriggerCatalogueSerializer,
    TriggerExposureSerializer,
)

# --- pagination: newest event first ---------------------------------------------------------------


class _NewestFirst(CursorPagination):
    """By when it happened, newest first, stable under inserts (a back-dated entry synced from
    an offline phone lands in its place, not at the top)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class OccurredPagination(_NewestFirst):
    ordering = ("-occurred_at", "-id")


class OnsetPagination(_NewestFirst):
    ordering = ("-onset_at", "-id")


class SampledPagination(_NewestFirst):
    ordering = ("-sampled_at", "-id")


class LocalDatePagination(_NewestFirst):
    ordering = ("-local_date", "-id")


# --- shared behaviour -----------------------------------------------------------------------------

_IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The version you are changing, as `"<version>"` (or send a `version` field).',
)
_IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any random string; a repeated write with the same key gets the first answer.",
)
_FROM = OpenApiParameter(
    "from",
    OpenApiTypes.STR,
    description="From this time (ISO 8601 with offset) or date (the patient's local midnight).",
)
_TO = OpenApiParameter(
    "to",
    OpenApiTypes.STR,
    description="Before this time, or up to the end of this date (included).",
)
_OFFLINE = (
    " Offline-safe: send your own `id` to make the create safe to repeat (a repeat answers 200 "
    "with the stored record; the same id with another body answers 409)."
)


def _docs(
    noun: str, plural: str, list_params: list[OpenApiParameter], create_extra: str = ""
) -> Any:
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {plural}",
            description=f"Newest first, a page at a time (follow `next`). Deleted {plural} are left out.",
            parameters=list_params,
        ),
        create=extend_schema(
            summary=f"Log {noun}",
            description=(create_extra or f"Adds {noun}.") + _OFFLINE,
            parameters=[_IDEMPOTENCY_KEY],
        ),
        retrieve=extend_schema(summary=f"One {noun.removeprefix('a ').removeprefix('an ')}"),
        partial_update=extend_schema(
            summary=f"Change {noun}",
            description=(
                "Send the version you saw (If-Match or `version`): a stale one answers 412 with "
                "the current record and changes nothing; none answers 428."
            ),
            parameters=[_IF_MATCH, _IDEMPOTENCY_KEY],
        ),
        destroy=extend_schema(
            summary=f"Delete {noun}",
            description="Leaves a tombstone that other devices receive from the change feed. "
            "Deleting again answers 204 too.",
            parameters=[_IF_MATCH],
        ),
    )


class DiaryViewSet(
    SyncedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    read_capability = Capability.READ_DIARY
    write_capability = Capability.WRITE_DIARY
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # The event time lists filter on with `from`/`to` (None: the catalogue, not filtered by time).
    time_field: ClassVar[str | None] = None

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["patient"] = self.membership.patient if self.membership else None
        return context

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        if self.action != "list":
            return queryset
        params = selectors.ListFilterParams(
            data=self.request.query_params, context={"patient": self.patient}
        )
        params.is_valid(raise_exception=True)
        return self.apply_filters(queryset, params.validated_data)

    def apply_filters(self, queryset: QuerySet[Any], params: dict[str, Any]) -> QuerySet[Any]:
        if self.time_field is not None:
            if "from" in params:
                queryset = queryset.filter(**{f"{self.time_field}__gte": params["from"]})
            if "to" in params:
                queryset = queryset.filter(**{f"{self.time_field}__lt": params["to"]})
        return queryset


# --- catalogues -----------------------------------------------------------------------------------


class _CatalogueViewSet(DiaryViewSet):
    """The shared catalogue plus the patient's own entries; only the latter can be changed."""

    pagination_class = None  # a few dozen entries: the phone caches the whole list
    term_kind: TermKind

    def scope_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(Q(patient__isnull=True) | Q(patient=self.patient))

    def get_queryset(self) -> QuerySet[Any]:
        # Shared entries are named in the request's language (apps.glossary).
        return annotate_names(super().get_queryset(), kind=self.term_kind)

    def get_object(self) -> Any:
        entry = super().get_object()
        if self.action in {"partial_update", "destroy"} and entry.patient_id is None:
            raise PermissionDenied(_("The shared catalogue cannot be changed; add your own entry."))
        return entry


_CATALOGUE_CREATE = (
    "Adds an entry of the patient's own, seen by nobody else's diary. Its code starts with "
    "`custom.`."
)


@extend_schema(tags=["diary"])
@_docs(
    "a catalogue symptom",
    "catalogue symptoms",
    [OpenApiParameter("domain", OpenApiTypes.STR, enum=SymptomDomain.values)],
    _CATALOGUE_CREATE,
)
class SymptomCatalogueViewSet(_CatalogueViewSet):
    queryset = Symptom.objects.all()
    serializer_class = SymptomCatalogueSerializer
    term_kind = TermKind.SYMPTOM
    sync_kind = "custom_symptom"
    audit_resource = "symptom_catalogue"

    def apply_filters(self, queryset: QuerySet[Any], params: dict[str, Any]) -> QuerySet[Any]:
        if "domain" in params:
            queryset = queryset.filter(domain=params["domain"])
        return queryset


@extend_schema(tags=["diary"])
@_docs(
    "a catalogue trigger",
    "catalogue triggers",
    [OpenApiParameter("category", OpenApiTypes.STR, enum=selectors.TriggerCategory.values)],
    _CATALOGUE_CREATE,
)
class TriggerCatalogueViewSet(_CatalogueViewSet):
    queryset = Trigger.objects.all()
    serializer_class = TriggerCatalogueSerializer
    term_kind = TermKind.TRIGGER
    sync_kind = "custom_trigger"
    audit_resource = "trigger_catalogue"

    def apply_filters(self, queryset: QuerySet[Any], params: dict[str, Any]) -> QuerySet[Any]:
        if "category" in params:
            queryset = queryset.filter(category=params["category"])
        return queryset


# --- diary records --------------------------------------------------------------------------------


@extend_schema(tags=["diary"])
@_docs(
    "a symptom",
    "symptom entries",
    [
        _FROM,
        _TO,
        OpenApiParameter("symptom", OpenApiTypes.STR, description="A catalogue code."),
        OpenApiParameter("domain", OpenApiTypes.STR, enum=SymptomDomain.values),
    ],
    "Logs a symptom: what, how bad (0–10), when (at most 5 minutes ahead of the server's "
    "clock), for how long, where.",
)
class SymptomEntryViewSet(DiaryViewSet):
    queryset = selectors.symptom_entries()
    serializer_class = SymptomEntrySerializer
    pagination_class = OccurredPagination
    sync_kind = "symptom"
    audit_resource = "symptom_entry"
    time_field = "occurred_at"

    def apply_filters(self, queryset: QuerySet[Any], params: dict[str, Any]) -> QuerySet[Any]:
        queryset = super().apply_filters(queryset, params)
        if "symptom" in params:
            queryset = queryset.filter(symptom__code=params["symptom"])
        if "domain" in params:
            queryset = queryset.filter(symptom__domain=params["domain"])
        return queryset


@extend_schema(tags=["diary"])
@_docs(
    "a daily check-in",
    "daily check-ins",
    [_FROM, _TO],
    "One check-in per local day of the patient. Sending the same answers again (from another "
    "phone, with another id) answers 200 with the stored one. Different answers for a day that "
    "has a check-in answer 409 `check_in_exists` with the stored check-in in `current`: nothing "
    "is overwritten; change that one with its version (If-Match) once the person has chosen.",
)
class DailyCheckInViewSet(DiaryViewSet):
    queryset = DailyCheckIn.objects.all()
    serializer_class = DailyCheckInSerializer
    pagination_class = LocalDatePagination
    sync_kind = "check_in"
    audit_resource = "check_in"

    _replayed_day = False

    def perform_synced_create(self, validated_data: dict[str, Any], digest: str) -> Any:
        check_in, created = services.check_in_create(
            fields=self.create_fields(validated_data), digest=digest
        )
        self._replayed_day = not created
        return check_in

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            response = super().create(request, *args, **kwargs)
        except services.CheckInExists as exists:
            return Response(
                {
                    "code": "check_in_exists",
                    "detail": _(
                        "This day already has a check-in. Both are kept until you choose: "
                        "change the stored one with its version."
                    ),
                    "fields": {},
                    "current": self.get_serializer(exists.existing).data,
                },
                status=status.HTTP_409_CONFLICT,
                headers={"ETag": f'"{exists.existing.version}"'},
            )
        if self._replayed_day and response.status_code == status.HTTP_201_CREATED:
            response.status_code = status.HTTP_200_OK
        return response

    def apply_filters(self, queryset: QuerySet[Any], params: dict[str, Any]) -> QuerySet[Any]:
        first, after_last = selectors.local_date_bounds(
            params.get("from"), params.get("to"), self.patient.zone
        )
        if first is not None:
            queryset = queryset.filter(local_date__gte=first)
        if after_last is not None:
            queryset = queryset.filter(local_date__lt=after_last)
        return queryset


@extend_schema(tags=["diary"])
@_docs(
    "a trigger exposure",
    "trigger exposures",
    [
        _FROM,
        _TO,
        OpenApiParameter("trigger", OpenApiTypes.STR, description="A catalogue code."),
        OpenApiParameter("category", OpenApiTypes.STR, enum=selectors.TriggerCategory.values),
    ],
    "Logs an exposure to a possible trigger, with what exactly (e.g. which food).",
)
class TriggerExposureViewSet(DiaryViewSet):
    queryset = selectors.trigger_exposures()
    serializer_class = TriggerExposureSerializer
    pagination_class = OccurredPagination
    sync_kind = "trigger_exposure"
    audit_resource = "trigger_exposure"
    time_field = "occurred_at"

    def apply_filters(self, queryset: QuerySet[Any], params: dict[str, Any]) -> QuerySet[Any]:
        queryset = super().apply_filters(queryset, params)
        if "trigger" in params:
            queryset = queryset.filter(trigger__code=params["trigger"])
        if "category" in params:
            queryset = queryset.filter(trigger__category=params["category"])
        return queryset


@extend_schema(tags=["diary"])
@_docs(
    "an anaphylaxis episode",
    "anaphylaxis episodes",
    [_FROM, _TO],
    "Logs an anaphylaxis episode: onset, what was observed, epinephrine doses, emergency care, "
    "and the trigger exposures suspected. The grade is derived from the findings (Brown 2004). "
    "Logged with epinephrine given, it alerts the other owners and every caregiver at once "
    "(urgent, as when a pen is logged used), and marks the pens named in `pen_ids` used; "
    "`unmarked_epinephrine_doses` says how many doses still have no pen.",
)
class AnaphylaxisEpisodeViewSet(DiaryViewSet):
    queryset = selectors.anaphylaxis_episodes()
    serializer_class = AnaphylaxisEpisodeSerializer
    pagination_class = OnsetPagination
    sync_kind = "anaphylaxis_episode"
    audit_resource = "anaphylaxis_episode"
    time_field = "onset_at"

    def perform_synced_create(self, validated_data: dict[str, Any], digest: str) -> Any:
        pens = validated_data.pop("pen_ids", [])
        return services.episode_log(
            fields=self.create_fields(validated_data),
            digest=digest,
            pens=pens,
            by=request_user(self.request),
            by_role=self.my_membership.role,
        )

    def perform_synced_update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        return services.episode_update(episode=instance, fields=validated_data)


@extend_schema(tags=["diary"])
@_docs(
    "a lab result",
    "lab results",
    [_FROM, _TO, OpenApiParameter("analyte", OpenApiTypes.STR, enum=selectors.LabAnalyte.values)],
    "Records serum tryptase, KIT D816V allele burden or total IgE. A tryptase linked to an "
    "episode is compared with the patient's baseline by the 20 % + 2 ng/mL rule, and the "
    "comparison is stored with it (and kept current when baselines change).",
)
class LabResultViewSet(DiaryViewSet):
    queryset = LabResult.objects.all()
    serializer_class = LabResultSerializer
    pagination_class = SampledPagination
    write_capability = Capability.WRITE_LABS
    sync_kind = "lab_result"
    audit_resource = "lab_result"
    time_field = "sampled_at"

    def perform_synced_create(self, validated_data: dict[str, Any], digest: str) -> Any:
        return services.lab_create(fields=self.create_fields(validated_data), digest=digest)

    def perform_synced_update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        return services.lab_update(lab=instance, fields=validated_data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            response = super().destroy(request, *args, **kwargs)
            # The deleted result may have been some acute tryptase's baseline.
            services.lab_reevaluate_acute(patient_id=self.patient.pk)
        return response

    def apply_filters(self, queryset: QuerySet[Any], params: dict[str, Any]) -> QuerySet[Any]:
        queryset = super().apply_filters(queryset, params)
        if "analyte" in params:
            queryset = queryset.filter(analyte=params["analyte"])
        return queryset


# --- timeline and insights ------------------------------------------------------------------------

_TIMELINE_SERIALIZERS: dict[str, type[serializers.BaseSerializer]] = {
    "symptom": SymptomEntrySerializer,
    "check_in": DailyCheckInSerializer,
    "trigger_exposure": TriggerExposureSerializer,
    "anaphylaxis_episode": AnaphylaxisEpisodeSerializer,
    "lab_result": LabResultSerializer,
}


class TimelinePageParams(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=400)
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=selectors.TIMELINE_MAX_PAGE_SIZE,
        default=selectors.TIMELINE_PAGE_SIZE,
    )

    def validate_cursor(self, value: str) -> selectors.TimelineCursor:
        try:
            return selectors.TimelineCursor.decode(value)
        except ValueError:
            raise serializers.ValidationError(
                _("Not a cursor of this list: follow `next` as given.")
            ) from None


class TimelineView(PatientScopedMixin):
    read_capability = Capability.READ_DIARY
    audit_resource = "timeline"
    MAX_DAYS = 366

    @extend_schema(
        tags=["diary"],
        summary="Everything logged in a period, in one list",
        description=(
            "Symptoms, check-ins, trigger exposures, anaphylaxis episodes and lab results of the "
            f"period, oldest first, each as its own endpoint shows it. At most {MAX_DAYS} days; "
            "by default the last 30. A check-in sits at the start of its local day. Paged: "
            f"`page_size` items (default {selectors.TIMELINE_PAGE_SIZE}, at most "
            f"{selectors.TIMELINE_MAX_PAGE_SIZE}); `next` is the URL of the following page (the "
            "same period, after the last item), null on the last one."
        ),
        parameters=[
            _FROM,
            _TO,
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next`."),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=inline_serializer(
            "Timeline",
            {
                "from": serializers.DateTimeField(),
                "to": serializers.DateTimeField(),
                "next": serializers.URLField(allow_null=True),
                "items": inline_serializer(
                    "TimelineItem",
                    many=True,
                    fields={
                        "kind": serializers.ChoiceField(choices=list(_TIMELINE_SERIALIZERS)),
                        "at": serializers.DateTimeField(),
                        "record": serializers.DictField(),
                    },
                ),
            },
        ),
    )
    def get(self, request: Request, patient_pk: str) -> Response:
        patient = self.patient
        params = selectors.PeriodParams(
            data=request.query_params,
            context={"patient": patient},
            max_days=self.MAX_DAYS,
            default_days=30,
        )
        params.is_valid(raise_exception=True)
        paging = TimelinePageParams(data=request.query_params)
        paging.is_valid(raise_exception=True)
        period: selectors.Period = params.validated_data["period"]
        page = selectors.timeline(
            patient=patient,
            period=period,
            after=paging.validated_data.get("cursor"),
            size=paging.validated_data["page_size"],
        )
        context = {"request": request, "patient": patient}
        items = [
            {
                "kind": item.kind,
                "at": item.at,
                "record": _TIMELINE_SERIALIZERS[item.kind](item.record, context=context).data,
            }
            for item in page.items
        ]
        next_url = None
        if page.next is not None:
            # The same period, pinned: a default `to` of "now" would move between pages.
            next_url = request.build_absolute_uri()
            for key, value in (
                ("from", period.start.isoformat()),
                ("to", period.end.isoformat()),
                ("cursor", page.next.encode()),
            ):
                next_url = replace_query_param(next_url, key, value)
        return Response({"from": period.start, "to": period.end, "next": next_url, "items": items})


class InsightParams(serializers.Serializer):
    threshold = serializers.IntegerField(required=False, min_value=1, max_value=10, default=7)
    window_hours = serializers.IntegerField(required=False, min_value=1, max_value=168, default=24)


class InsightsView(PatientScopedMixin):
    read_capability = Capability.READ_DIARY
    audit_resource = "insights"
    MAX_DAYS = 3 * 366 + 1  # three years, the span a clinician compares against

    @extend_schema(
        tags=["diary"],
        summary="Symptom burden and what tends to precede flares",
        description=(
            "For the period (by default the last 90 days, at most three years):\n\n"
            "* `burden`: for each local day and symptom domain, the highest severity logged; 0 "
            "when the diary was used that day without that domain, null when nothing at all was "
            "logged.\n"
            "* `triggers`: for each trigger exposed to, how many exposures were followed within "
            "`window_hours` by a flare (a symptom of severity ≥ `threshold`, or an anaphylaxis "
            "episode), against the baseline chance that any window of that length holds a flare. "
            f"With fewer than {insights.MIN_EXPOSURES} exposures or {insights.MIN_FLARES} flares "
            "only the counts are given.\n\n"
            "This shows what happened together, not what caused what."
        ),
        parameters=[
            _FROM,
            _TO,
            OpenApiParameter("threshold", OpenApiTypes.INT, description="1–10, default 7."),
            OpenApiParameter("window_hours", OpenApiTypes.INT, description="1–168, default 24."),
        ],
        responses=inline_serializer(
            "Insights",
            {
                "from": serializers.DateTimeField(),
                "to": serializers.DateTimeField(),
                "time_zone": serializers.CharField(),
                "burden": inline_serializer(
                    "DailyBurden",
                    {
                        "days": serializers.ListField(child=serializers.DateField()),
                        "domains": serializers.DictField(
                            child=serializers.ListField(
                                child=serializers.IntegerField(allow_null=True)
                            ),
                            help_text="Domain → one value per day of `days`.",
                        ),
                    },
                ),
                "flares": inline_serializer(
                    "FlareDefinition",
                    {
                        "threshold": serializers.IntegerField(),
                        "window_hours": serializers.IntegerField(),
                        "count": serializers.IntegerField(),
                        "min_exposures": serializers.IntegerField(),
                        "min_flares": serializers.IntegerField(),
                    },
                ),
                "triggers": inline_serializer(
                    "TriggerAssociation",
                    many=True,
                    fields={
                        "trigger": serializers.CharField(),
                        "name": serializers.CharField(),
                        "category": serializers.CharField(),
                        "exposures": serializers.IntegerField(),
                        "followed_by_flare": serializers.IntegerField(),
                        "proportion": serializers.FloatField(allow_null=True),
                        "baseline": serializers.FloatField(),
                        "ratio": serializers.FloatField(allow_null=True),
                        "sufficient_data": serializers.BooleanField(),
                    },
                ),
                "disclaimer": serializers.CharField(),
            },
        ),
    )
    def get(self, request: Request, patient_pk: str) -> Response:
        patient = self.patient
        period_params = selectors.PeriodParams(
            data=request.query_params,
            context={"patient": patient},
            max_days=self.MAX_DAYS,
            default_days=90,
        )
        period_params.is_valid(raise_exception=True)
        period: selectors.Period = period_params.validated_data["period"]
        params = InsightParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        threshold = params.validated_data["threshold"]
        window_hours = params.validated_data["window_hours"]
        result = selectors.patient_insights(
            patient=patient,
            period=period,
            threshold=threshold,
            window=dt.timedelta(hours=window_hours),
        )
        return Response(
            {
                "from": period.start,
                "to": period.end,
                "time_zone": patient.time_zone,
                # Dates as text here, not by the renderer's fallback one by one (years of them).
                "burden": {
                    "days": [day.isoformat() for day in result["days"]],
                    "domains": result["burden"],
                },
                "flares": {
                    "threshold": threshold,
                    "window_hours": window_hours,
                    "count": result["flares"],
                    "min_exposures": insights.MIN_EXPOSURES,
                    "min_flares": insights.MIN_FLARES,
                },
                "triggers": result["associations"],
                "disclaimer": _(
                    "Mastline shows what was logged together. It does not show that a trigger "
                    "caused a flare, and it is not medical advice."
                ),
            }
        )
