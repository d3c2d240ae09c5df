"""The emergency card of one patient and its share links (the care team's side; the public
page a link opens is views.shared_card)."""

from __future__ import annotations

from typing import Any

import qrcode
from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from qrcode.image.svg import SvgPathImage
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.authentication import request_user
from apps.careteam.access import Capability, PatientScopedMixin

from . import selectors, services
from .models import CardShareLink
from .serializers import (
    CardLinkCreatedSerializer,
    CardLinkSerializer,
    EmergencyCardSerializer,
    EmergencyCardUpdateSerializer,
)

_TAGS = ["emergency card"]


class EmergencyCardView(PatientScopedMixin):
    read_capability = Capability.VIEW_PATIENT
    write_capability = Capability.MANAGE_EMERGENCY_CARD
    audit_resource = "emergency-card"

    @extend_schema(
        tags=_TAGS,
        summary="The emergency card",
        description="Diagnosis and subtype, KIT D816V status, baseline tryptase (the latest "
        "marked as baseline, else the latest not drawn during an episode), current medicines, "
        "known triggers (logged in the diary, plus those written on the card), drug "
        "intolerances, the anaphylaxis action plan and the emergency contacts. Assembled from "
        "the record each time, so it is never out of date.",
        responses=EmergencyCardSerializer,
    )
    def get(self, request: Request, patient_pk: str) -> Response:
        return Response(EmergencyCardSerializer(selectors.card_for(self.patient)).data)

    @extend_schema(
        tags=_TAGS,
        summary="Change the card's own text",
        description="The diagnosis note, the action plan, drug intolerances and extra "
        "triggers. Owners only. The rest of the card comes from the patient record, the diary "
        "and the medication list.",
        request=EmergencyCardUpdateSerializer,
        responses=EmergencyCardSerializer,
    )
    def patch(self, request: Request, patient_pk: str) -> Response:
        body = EmergencyCardUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.card_update(
            patient=self.patient, by=request_user(request), fields=dict(body.validated_data)
        )
        return Response(EmergencyCardSerializer(selectors.card_for(self.patient)).data)


def qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=SvgPathImage, box_size=10, border=4)
    svg: str = image.to_string(encoding="unicode")
    return svg


@extend_schema(tags=_TAGS)
@extend_schema_view(
    list=extend_schema(
        summary="The card's share links",
        description="Every link made, newest first, with whether it still works and when it "
        "was last opened. The URLs themselves are not kept.",
    ),
    create=extend_schema(
        summary="Make a share link for first responders",
        description="Anyone holding the link sees the card — and only the card — without "
        "signing in, until it is revoked or `expires_at` passes. The answer carries the URL "
        "and a QR code of it (SVG) **once**: only a hash of the token is kept.",
        request=CardLinkSerializer,
        responses={201: CardLinkCreatedSerializer},
    ),
    destroy=extend_schema(
        summary="Revoke a share link",
        description="It stops working at once; revoking again answers 204 as well.",
    ),
)
class CardLinkViewSet(
    PatientScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CardLinkSerializer
    queryset = CardShareLink.objects.all()
    read_capability = Capability.VIEW_PATIENT
    write_capability = Capability.MANAGE_EMERGENCY_CARD
    # Who holds a link to the card is the owners' business: others on the team get 403.
    action_capabilities = {"list": Capability.MANAGE_EMERGENCY_CARD}
    audit_resource = "emergency-card-link"

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CardLinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        link, token = services.link_create(
            patient=self.patient,
            by=request_user(request),
            label=body.validated_data.get("label", ""),
            expires_at=body.validated_data.get("expires_at"),
        )
        url = f"{settings.SITE_URL}{reverse('emergency-card-shared', kwargs={'token': token})}"
        data = dict(CardLinkSerializer(link).data)
        data.update(url=url, qr_svg=qr_svg(url))
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: CardShareLink) -> None:
        services.link_revoke(link=instance)
