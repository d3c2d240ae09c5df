"""Pens, readiness, logging a use, and the carry check of one patient."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.authentication import request_user
from apps.careteam.access import Capability, PatientScopedMixin, object_in_scope
from apps.diary.models import AnaphylaxisEpisode
from apps.sync.api import IdempotencyKeyMixin, SyncedViewSetMixin

from . import messages, services
from .models import AutoInjector, CarryCheck, CarryCheckSettings, Reminder, ReminderKind
from .serializers import (
    CarryCheckAnswerSerializer,
    CarryCheckSerializer,
    CarryCheckSettingsSerializer,
    PenSerializer,
    PenUseResultSerializer,
    PenUseSerializer,
    ReadinessSerializer,
    StreakSerializer,
)

_TAGS = ["epinephrine"]


def _readiness_data(readiness: services.Readiness) -> dict[str, Any]:
    return dict(ReadinessSerializer(readiness).data)


@extend_schema(tags=_TAGS)
@extend_schema_view(
    list=extend_schema(
        summary="The patient's epinephrine auto-injectors",
        description="Every pen not deleted, soonest expiry first, with its state on the "
        "patient's local day (`status`: a pen past its expiry date is `expired` even if nobody "
        "marked it).",
    ),
    create=extend_schema(
        summary="Add an auto-injector",
        description="Brand, dose (0.15, 0.3 or 0.5 mg), lot, expiry date and where it is kept. "
        "The expiry date may not have passed. Reminders go to the owners and caregivers 30 and "
        "7 days before and on the expiry date, at 09:00 the patient's time. Safe to repeat "
        "with the same `id` (offline sync).",
    ),
    retrieve=extend_schema(summary="One auto-injector"),
    partial_update=extend_schema(
        summary="Change an auto-injector",
        description="Correct its details or mark it `expired` or `discarded` (its reminders "
        "stop). Needs the version you saw (If-Match). To log a use, POST …/use instead.",
    ),
    destroy=extend_schema(
        summary="Delete an auto-injector",
        description="For a pen added by mistake; a pen that was used or thrown away is better "
        "kept with its state. Leaves a tombstone for other devices.",
    ),
)
class PenViewSet(
    SyncedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PenSerializer
    queryset = AutoInjector.objects.all()
    read_capability = Capability.READ_MEDICATIONS
    write_capability = Capability.MANAGE_EPINEPHRINE
    action_capabilities = {
        "use": Capability.MANAGE_EPINEPHRINE,
        "readiness": Capability.READ_MEDICATIONS,
    }
    sync_kind = "pen"
    audit_resource = "pen"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    pagination_class = None  # a patient has a handful of pens

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.membership is not None:
            context["today"] = self.patient.local_today()
        return context

    def perform_synced_create(self, validated_data: dict[str, Any], digest: str) -> Any:
        return services.pen_create(fields=self.create_fields(validated_data), digest=digest)

    def perform_synced_update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        return services.pen_update(pen=instance, fields=validated_data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            response = super().destroy(request, *args, **kwargs)
            services.pen_replan(pen=AutoInjector.objects.get(pk=self.kwargs["pk"]))
        return response

    @extend_schema(
        summary="Is the patient ready? The two-pen rule",
        description="How many pens are in use and unexpired on the patient's local day, "
        "whether that meets the two-pen rule, and the next expiry date among them.",
        responses=ReadinessSerializer,
    )
    @action(detail=False, methods=["get"])
    def readiness(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(_readiness_data(services.readiness(self.patient)))

    @extend_schema(
        summary="Log that a pen was used",
        description="Marks the pen used and, in one step: records the epinephrine dose (also in "
        "the dose log when the patient tracks an epinephrine medication), opens an anaphylaxis "
        "episode in the diary or adds the dose to `episode_id`, alerts the other owners and "
        "every caregiver at once (urgent: ignores quiet hours), and reminds the owners to "
        "replace the pen. The answer lists what to do now: **call emergency services** and "
        "replace the pen. With `episode_id`, the pen fills a dose of the episode that has no pen "
        "marked yet (it is not counted twice, and the care team already alerted is not alerted "
        "again); otherwise it is one more dose. A pen already used answers 400; send an "
        "`Idempotency-Key` to make an offline retry safe.",
        request=PenUseSerializer,
        responses={
            201: PenUseResultSerializer,
            400: OpenApiResponse(
                description="The pen was already used, `episode_id` is not this patient's "
                "episode, or `used_at` is in the future (field errors)."
            ),
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="Your role cannot manage pens, or TOTP is pending."),
            404: OpenApiResponse(description="No such pen on a patient of yours."),
        },
    )
    @action(detail=True, methods=["post"])
    def use(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pen = self.get_object()
        body = PenUseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        episode = None
        episode_id = body.validated_data.get("episode_id")
        if episode_id is not None:
            episode = object_in_scope(AnaphylaxisEpisode, self.patient, episode_id)
            if episode is None or episode.deleted_at is not None:
                raise ValidationError(
                    {
                        "episode_id": [
                            gettext("No such anaphylaxis episode in this patient's diary.")
                        ]
                    }
                )
        result = services.pen_use(
            pen=pen,
            by=request_user(request),
            by_role=self.my_membership.role,
            used_at=body.validated_data.get("used_at") or timezone.now(),
            episode=episode,
            note=body.validated_data.get("note", ""),
        )
        data = {
            "instructions": [str(step) for step in messages.AFTER_USE_INSTRUCTIONS],
            "pen": self.get_serializer(result.use.pen).data,
            "episode_id": str(result.episode.pk),
            "dose_log_id": str(result.use.dose_log_id) if result.use.dose_log_id else None,
            "used_at": serializers.DateTimeField().to_representation(result.use.used_at),
            "caregivers_alerted": result.notified,
            "readiness": _readiness_data(result.readiness),
        }
        return Response(data, status=status.HTTP_201_CREATED)


_CarryCheckHistory = inline_serializer(
    "CarryCheckHistory",
    {
        "today": serializers.DateField(help_text="The patient's local day."),
        "answerable_dates": serializers.ListField(
            child=serializers.DateField(), help_text="The days an answer is accepted for."
        ),
        "streak": StreakSerializer(),
        "checks": CarryCheckSerializer(many=True),
    },
)


class CarryCheckListView(PatientScopedMixin):
    read_capability = Capability.READ_MEDICATIONS
    audit_resource = "carry-check"
    MAX_DAYS = 366

    @extend_schema(
        tags=_TAGS,
        summary="Carry-check history and streaks",
        description="The answers of the last `days` local days (default 30), newest first, and "
        "the current streaks: consecutive days answered with at least one pen "
        "(`carrying_days`) and with at least two (`two_pen_days`, the two-pen rule). Today "
        "counts once answered; until then the streak runs through yesterday.",
        parameters=[
            OpenApiParameter(
                "days", OpenApiTypes.INT, description=f"How many days back (1–{MAX_DAYS})."
            )
        ],
        responses=_CarryCheckHistory,
    )
    def get(self, request: Request, patient_pk: str) -> Response:
        raw = request.query_params.get("days") or "30"
        try:
            days = int(raw)
        except ValueError:
            raise ValidationError({"days": [gettext("A whole number.")]}) from None
        if not 1 <= days <= self.MAX_DAYS:
            raise ValidationError(
                {
                    "days": [
                        gettext("Must be between 1 and %(maximum)s.") % {"maximum": self.MAX_DAYS}
                    ]
                }
            )
        patient = self.patient
        yesterday, today = services.answerable_dates(patient)
        checks = CarryCheck.objects.filter(
            patient=patient, local_date__gt=today - dt.timedelta(days=days)
        ).order_by("-local_date")
        streak = services.streaks(patient)
        return Response(
            {
                "today": today,
                "answerable_dates": [today, yesterday],
                "streak": StreakSerializer(streak).data,
                "checks": CarryCheckSerializer(checks, many=True).data,
            }
        )


class CarryCheckAnswerView(IdempotencyKeyMixin, PatientScopedMixin):
    read_capability = Capability.READ_MEDICATIONS
    write_capability = Capability.MANAGE_EPINEPHRINE
    audit_resource = "carry-check"

    @extend_schema(
        tags=_TAGS,
        summary="Answer the carry check: I have N pens with me",
        description="For today (the default) or yesterday, in the patient's local days; other "
        "days answer 400. Answering the same day again corrects the answer (200). The day's "
        "pending prompts stop.",
        request=CarryCheckAnswerSerializer,
        responses={
            201: inline_serializer(
                "CarryCheckAnswered",
                {"check": CarryCheckSerializer(), "streak": StreakSerializer()},
            ),
            200: inline_serializer(
                "CarryCheckCorrected",
                {"check": CarryCheckSerializer(), "streak": StreakSerializer()},
            ),
        },
    )
    def post(self, request: Request, patient_pk: str) -> Response:
        body = CarryCheckAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        check, created = services.carry_check_answer(
            patient=self.patient,
            local_date=body.validated_data.get("date"),
            pens_with_me=body.validated_data["pens_with_me"],
            by=request_user(request),
        )
        return Response(
            {
                "check": CarryCheckSerializer(check).data,
                "streak": StreakSerializer(services.streaks(self.patient)).data,
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CarryCheckSettingsView(PatientScopedMixin):
    read_capability = Capability.READ_MEDICATIONS
    write_capability = Capability.MANAGE_EPINEPHRINE
    audit_resource = "carry-check-settings"

    def _answer(self) -> Response:
        found = CarryCheckSettings.objects.filter(patient=self.patient).first()
        next_check = (
            Reminder.objects.filter(
                patient=self.patient,
                pen__isnull=True,
                kind=ReminderKind.CARRY_FIRST,
                status="pending",
            )
            .order_by("fire_at")
            .values_list("fire_at", flat=True)
            .first()
        )
        data = {
            "enabled": bool(found and found.enabled),
            "local_time": found.local_time if found else None,
            "again_after_minutes": found.again_after_minutes if found else 180,
            "next_check_at": next_check,
        }
        return Response(CarryCheckSettingsSerializer(data).data)

    @extend_schema(
        tags=_TAGS,
        summary="When the daily carry check is asked",
        description="`enabled: false` and `local_time: null` until it is set up.",
        responses=CarryCheckSettingsSerializer,
    )
    def get(self, request: Request, patient_pk: str) -> Response:
        return self._answer()

    @extend_schema(
        tags=_TAGS,
        summary="Set the daily carry check",
        description="The local time (the patient's zone) of the daily prompt to the owners and "
        "caregivers, and how long after it an unanswered check is asked once more (the same "
        "day only). The next prompt is replanned at once.",
        request=CarryCheckSettingsSerializer,
        responses=CarryCheckSettingsSerializer,
    )
    def put(self, request: Request, patient_pk: str) -> Response:
        body = CarryCheckSettingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.carry_settings_save(
            patient=self.patient,
            enabled=body.validated_data["enabled"],
            local_time=body.validated_data["local_time"],
            again_after_minutes=body.validated_data["again_after_minutes"],
        )
        return self._answer()
