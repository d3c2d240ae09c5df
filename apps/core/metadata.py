"""What `OPTIONS` answers on every API route: the route's name, description and media types.

DRF's default also describes each writable field by building the view's serializer, which fails
on views that choose their serializer per action or have none (a 500). The fields are in the
OpenAPI schema (/api/schema/), so OPTIONS leaves them out."""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request


class Metadata(SimpleMetadata):
    def determine_metadata(self, request: Request, view: Any) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
