"""The clinical terms in the request's language, for labels the app and the clinic show."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .models import TermKind


class TermsQuery(serializers.Serializer):
    kind = serializers.MultipleChoiceField(choices=TermKind.choices, required=False)


class TermsView(APIView):
    @extend_schema(
        tags=["glossary"],
        summary="Clinical terms in your language",
        description=(
            "Every term of the glossary (docs/glossary.md) in the language of `Accept-Language` "
            "(English when it asks for none of en, it, de, fr, es), by kind and stable code: "
            "`name` is the patient's word, shown in the app; `clinical_name` the clinician's, "
            "shown in the clinic and the exports. `kind` (repeatable) narrows the answer."
        ),
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=TermKind.values, many=True),
        ],
        responses=inline_serializer(
            "Terms",
            fields={
                "language": serializers.CharField(),
                "terms": serializers.DictField(
                    child=serializers.DictField(
                        child=inline_serializer(
                            "TermName",
                            fields={
                                "name": serializers.CharField(),
                                "clinical_name": serializers.CharField(),
                            },
                        )
                    ),
                    help_text="kind → code → words",
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        query = TermsQuery(data={"kind": request.query_params.getlist("kind")})
        query.is_valid(raise_exception=True)
        kinds = sorted(query.validated_data.get("kind") or TermKind.values)
        language = translation.get_language()
        return Response(
            {
                "language": language,
                "terms": {
                    kind: {
                        code: words._asdict()
                        for code, words in selectors.term_names(TermKind(kind), language).items()
                    }
                    for kind in kinds
                },
            }
        )
