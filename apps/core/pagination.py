from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request


class CursorPagination(pagination.CursorPagination):
    """DRF's cursor pagination, but a cursor the server did not write is a bad parameter (400
    naming `cursor`), not a missing page (DRF's 404). Every cursor-paged list uses this."""

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers, with the same rule: a page that is not a number, or past the last, is
    a bad parameter (400 naming `page`), not a missing record (DRF's 404)."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise ValidationError({self.page_query_param: [self.invalid_page_message]}) from None


class CreatedCursorPagination(CursorPagination):
    """Newest first, stable under inserts: a page never repeats or skips a row while a phone
    scrolls and new entries arrive."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
