"""The signed-in person's own inbox, devices and preferences.

These are not a patient's records: each belongs to one user, and the queryset is scoped to the
caller, so somebody else's notification or device simply does not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.authentication import request_user
from apps.careteam.access import resolve_membership

from . import acknowledgement, services
from .actions import audit_action, perform_action
from .models import Notification, PushSubscription
from .serializers import (
    NotificationPreferenceSerializer,
    NotificationSerializer,
    PushSubscriptionInputSerializer,
    PushSubscriptionSerializer,
    UnreadCountSerializer,
    VapidPublicKeySerializer,
)
from .vapid import vapid_keys


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(
        summary="Your notifications",
        description="Newest first, cursor-paginated. `?unread=true` lists only unread ones.",
        parameters=[
            OpenApiParameter(
                "unread", OpenApiTypes.BOOL, description="Only notifications not yet read."
            )
        ],
    ),
    retrieve=extend_schema(
        summary="One notification",
        description=(
            "The title and body a push left out: the app's service worker fetches them here "
            "once it has the notification's id from the push."
        ),
    ),
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        queryset = Notification.objects.filter(recipient=request_user(self.request)).select_related(
            "acknowledged_by"
        )
        if self.action == "list" and self.request.query_params.get("unread") in ("true", "1"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(
        summary="Mark a notification read",
        request=None,
        responses=NotificationSerializer,
    )
    def read(self, request: Request, pk: str) -> Response:
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Acknowledge a notification",
        description=(
            "You have seen it and are dealing with it: every copy of the alert on the care team "
            "shows that you acknowledged it (`acknowledged_at`, `acknowledged_by`), nothing "
            "pending of it is sent and an urgent alert stops repeating, for everyone. The later "
            "steps of an escalation still come while the dose is missing. Acknowledging again "
            "changes nothing. An alert about a patient whose care team you have left is 404."
        ),
        request=None,
        responses={
            200: NotificationSerializer,
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="The second factor is still to be given."),
            404: OpenApiResponse(description="Not your notification, or no longer your patient."),
        },
    )
    def acknowledge(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        notification = self.get_object()
        if notification.patient_id is not None:
            membership = resolve_membership(user, notification.patient_id)
            if membership is None:
                raise NotFound()
        notification = acknowledgement.acknowledge(notification=notification, by=user)
        audit_action(request=request, notification=notification, action="acknowledge", result={})
        return Response(self.get_serializer(notification).data)


class UnreadCountView(APIView):
    @extend_schema(
        tags=["notifications"],
        summary="How many notifications wait for you",
        description=(
            "`count`: your unread notifications not yet dealt with (the inbox badge); "
            "`urgent_unacknowledged`: the urgent ones among all of yours nobody acknowledged yet."
        ),
        responses={
            200: UnreadCountSerializer,
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="The second factor is still to be given."),
        },
    )
    def get(self, request: Request) -> Response:
        return Response(acknowledgement.unread_counts(request_user(request)))


class NotificationActionView(APIView):
    @extend_schema(
        tags=["notifications"],
        summary="Do what a notification's button offers",
        description=(
            "Performs one of the actions listed in the notification's `actions`, on the server, "
            "with your current access to the patient: `took-it` logs the dose the reminder was "
            "about, `have-pens` answers today's carry check, `remind-later` sends it again in an "
            "hour (an escalation keeps climbing meanwhile), `acknowledge` acknowledges it for the "
            "whole care team. Only the buttons your role can perform are offered. Repeating a "
            "done action changes nothing more."
        ),
        request=None,
        responses={
            200: OpenApiResponse(description="What was done, e.g. the dose logged."),
            400: OpenApiResponse(description="The notification does not offer that action."),
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="Your role on the care team does not allow it."),
            404: OpenApiResponse(description="Not your notification, or no longer your patient."),
        },
    )
    def post(self, request: Request, pk: str, action: str) -> Response:
        user = request_user(request)
        notification = Notification.objects.filter(pk=pk, recipient=user).first()
        if notification is None:
            raise NotFound()
        result = perform_action(notification=notification, user=user, action=action)
        audit_action(request=request, notification=notification, action=action, result=result)
        return Response(result)


class VapidPublicKeyView(APIView):
    @extend_schema(
        tags=["notifications"],
        summary="The server's Web Push key",
        description="Pass it as `applicationServerKey` to `PushManager.subscribe()`.",
        responses=VapidPublicKeySerializer,
    )
    def get(self, request: Request) -> Response:
        return Response({"public_key": vapid_keys().public_key})


@extend_schema(tags=["notifications"])
class PushSubscriptionViewSet(
    mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = PushSubscriptionSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[PushSubscription]:
        return PushSubscription.objects.filter(user=request_user(self.request))

    @extend_schema(summary="Your devices that receive push notifications")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Subscribe this device to push notifications",
        description=(
            "Send the browser's `PushSubscription` JSON (`endpoint`, `keys.p256dh`, `keys.auth`) "
            "and optionally a `label`. Subscribing an endpoint again updates it (200); an "
            "endpoint last used by another account now belongs to yours."
        ),
        request=PushSubscriptionInputSerializer,
        responses={201: PushSubscriptionSerializer, 200: PushSubscriptionSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PushSubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        subscription, created = services.push_subscription_save(
            user=request_user(request),
            endpoint=values["endpoint"],
            p256dh=values["keys"]["p256dh"],
            auth=values["keys"]["auth"],
            label=values.get("label", ""),
        )
        return Response(
            PushSubscriptionSerializer(subscription).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Stop push notifications to a device",
        responses={204: OpenApiResponse(description="Removed; pending pushes to it cancelled.")},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.push_subscription_delete(subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationPreferenceView(APIView):
    @extend_schema(
        tags=["notifications"],
        summary="Your notification preferences",
        description="Every category with its channels, and your quiet hours.",
        responses=NotificationPreferenceSerializer,
    )
    def get(self, request: Request) -> Response:
        prefs = services.preferences_for(request_user(request))
        return Response(NotificationPreferenceSerializer(prefs).data)

    @extend_schema(
        tags=["notifications"],
        summary="Change your notification preferences",
        description=(
            "`channels` is merged into your current choices. Quiet hours are local times in "
            "your account's time zone (start and end both set, or both null); they may cross "
            "midnight. Urgent alerts are never held back or silenced by them."
        ),
        request=NotificationPreferenceSerializer,
        responses=NotificationPreferenceSerializer,
    )
    def patch(self, request: Request) -> Response:
        user = request_user(request)
        current = services.preferences_for(user)
        data = NotificationPreferenceSerializer(current, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        prefs = services.preferences_update(
            user=user,
            channels=data.validated_data.get("channels"),
            quiet_hours=data.validated_data.get("quiet_hours"),
        )
        return Response(NotificationPreferenceSerializer(prefs).data)
