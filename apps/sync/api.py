"""Offline-safe writes for every synced record, and the per-patient change feed.

A viewset of synced records inherits `SyncedViewSetMixin` (after `PatientScopedMixin`'s access
rules, which it includes) and names its `sync_kind`. It then behaves like this for every client:

* **create** — the body may carry `id` (a UUID the phone made). Sending the same create twice
  stores it once: the second answer is 200 with the stored record. The same id with a different
  body is 409, and nothing changes.
* **update** — needs the version the client saw, as `If-Match: "<version>"` or a `version` field.
  A stale version answers 412 with the current record; no version answers 428.
* **delete** — leaves a tombstone; deleting again answers 204 as well.
* every answer carrying a record has `ETag: "<version>"`.
* any write may carry `Idempotency-Key: <random string>`; a repeat gets the first answer again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.careteam.access import Capability, PatientScopedMixin, capabilities_of
from apps.core.serializers import StrictModelSerializer

from . import registry, services
from .models import Change, IdempotentRequest

_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy(
        "The record changed since you read it. Fetch it again and reapply your change."
    )
    default_code = "stale_version"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = gettext_lazy(
        "Send the version you are changing, as If-Match or a `version` field."
    )
    default_code = "version_required"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("A different record already uses this id.")
    default_code = "conflict"


class _Replay(Exception):
    def __init__(self, record: IdempotentRequest) -> None:
        self.record = record


class SyncedModelSerializer(StrictModelSerializer):
    """Base for synced records: `id` may be set by the client on create; the bookkeeping fields
    are read-only. Subclasses list their own fields plus `SYNC_FIELDS`."""

    SYNC_FIELDS = ("id", "version", "created_at", "updated_at", "created_by")

    id = serializers.UUIDField(
        required=False, help_text="Set it on create to make the create safe to repeat."
    )
    version = serializers.IntegerField(read_only=True)
    created_by = serializers.UUIDField(source="created_by_id", read_only=True, allow_null=True)


class IdempotencyKeyMixin:
    """Replays the stored answer to a write repeated with the same `Idempotency-Key`."""

    _idempotency: tuple[str, str] | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        key = request.headers.get("Idempotency-Key")
        if not key or request.method not in _WRITE_METHODS or not request.user.is_authenticated:
            return
        if len(key) > 128:
            raise ValidationError({"Idempotency-Key": [gettext_lazy("At most 128 characters.")]})
        digest = services.canonical_digest([request.method, request.path, request.data])
        record = IdempotentRequest.objects.filter(user=request.user, key=key).first()
        if record is not None:
            if record.request_digest != digest:
                raise ValidationError(
                    {
                        "Idempotency-Key": [
                            gettext_lazy("This key was already used for another request.")
                        ]
                    }
                )
            raise _Replay(record)
        self._idempotency = (key, digest)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            return Response(
                exc.record.body,
                status=exc.record.status_code,
                headers={"Idempotent-Replayed": "true"},
            )
        return super().handle_exception(exc)  # type: ignore[misc]

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if self._idempotency is not None and 200 <= response.status_code < 300:
            key, digest = self._idempotency
            IdempotentRequest.objects.get_or_create(
                user=request.user,
                key=key,
                defaults={
                    "request_digest": digest,
                    "status_code": response.status_code,
                    "body": getattr(response, "data", None),
                },
            )
        return response


def _version_from(request: Request) -> int | None:
    header = request.headers.get("If-Match", "").strip()
    if header:
        raw = header.removeprefix("W/").strip('"')
        try:
            return int(raw)
        except ValueError:
            raise ValidationError(
                {"If-Match": [gettext_lazy('Send the version as If-Match: "<number>".')]}
            ) from None
    if isinstance(request.data, dict) and "version" in request.data:
        try:
            return int(request.data["version"])
        except (TypeError, ValueError):
            raise ValidationError({"version": [gettext_lazy("A whole number.")]}) from None
    return None


class SyncedViewSetMixin(IdempotencyKeyMixin, PatientScopedMixin):
    """Create / update / delete with the offline rules above. Combine with DRF's model mixins."""

    sync_kind: ClassVar[str]
    # A create sent again answers 200 with the stored record (`_replayed_create`); read by
    # apps.core.schema, which lists that 200 beside the 201.
    replays_create: ClassVar[bool] = True
    # The serializer's `create`/`update` are not used: writes go through these two hooks, which
    # subclasses override when a record has rules of its own (e.g. one check-in per local day).

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "sync_kind" in cls.__dict__:
            if cls.queryset is None or cls.serializer_class is None:
                raise ImproperlyConfigured(
                    f"{cls.__name__} needs a queryset and a serializer_class"
                )
            registry.register(
                registry.SyncKind(
                    name=cls.sync_kind,
                    model=cls.queryset.model,
                    serializer=cls.serializer_class,
                    read_capability=cls.read_capability,
                    queryset=cls.queryset,
                )
            )

    @property
    def synced_model(self) -> type[Any]:
        return registry.kinds()[self.sync_kind].model

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if getattr(self, "action", None) == "destroy":
            return queryset  # a repeated delete finds its tombstone and answers 204 again
        return queryset.filter(deleted_at__isnull=True)

    def create_fields(self, validated_data: dict[str, Any]) -> dict[str, Any]:
        return {**validated_data, "patient": self.patient, "created_by": self.request.user}

    def perform_synced_create(self, validated_data: dict[str, Any], digest: str) -> Any:
        return services.synced_create(
            kind=self.sync_kind,
            model=self.synced_model,
            fields=self.create_fields(validated_data),
            digest=digest,
        )

    def perform_synced_update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        return services.synced_update(kind=self.sync_kind, instance=instance, fields=validated_data)

    def _replayed_create(self, client_id: Any, digest: str) -> Response | None:
        model = self.synced_model
        existing = model._default_manager.filter(pk=client_id).first()
        if existing is None:
            return None
        if existing.patient_id != self.patient.pk:
            # Another patient's id: answer exactly as for an id nobody uses until the body is
            # valid (a 400 for a bad one), so a probe with a junk body learns nothing; a valid
            # body gets the same 409 as any other conflict.
            self.get_serializer(data=self.request.data).is_valid(raise_exception=True)
            raise Conflict()
        if existing.create_digest != digest:
            raise Conflict()
        return self._record_response(existing, status.HTTP_200_OK)

    def _record_response(self, instance: Any, code: int) -> Response:
        data = self.get_serializer(instance).data
        return Response(data, status=code, headers={"ETag": f'"{instance.version}"'})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        digest = services.canonical_digest(request.data)
        client_id = request.data.get("id") if isinstance(request.data, dict) else None
        if client_id is not None:
            id_field = serializers.UUIDField()
            try:
                client_id = id_field.to_internal_value(client_id)
            except ValidationError as exc:
                raise ValidationError({"id": exc.detail}) from None
            replay = self._replayed_create(client_id, digest)
            if replay is not None:
                return replay
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                instance = self.perform_synced_create(dict(serializer.validated_data), digest)
        except IntegrityError:
            # The same create arriving twice at once: the loser answers like a replay.
            replay = self._replayed_create(client_id, digest) if client_id else None
            if replay is None:
                raise
            return replay
        return self._record_response(instance, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._record_response(self.get_object(), status.HTTP_200_OK)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        seen = _version_from(request)
        if seen is None:
            raise PreconditionRequired()
        if seen != instance.version:
            exc = PreconditionFailed()
            response = self.handle_exception(exc)
            response.data["current"] = self.get_serializer(instance).data
            return response
        data = dict(request.data) if isinstance(request.data, dict) else request.data
        if isinstance(data, dict):
            data.pop("version", None)
            if "id" in data and str(data.pop("id")) != str(instance.pk):
                raise ValidationError({"id": [gettext_lazy("The id of a record cannot change.")]})
        partial = kwargs.pop("partial", False) or request.method == "PATCH"
        serializer = self.get_serializer(instance, data=data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_synced_update(instance, dict(serializer.validated_data))
        return self._record_response(instance, status.HTTP_200_OK)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        seen = _version_from(request)
        if seen is not None and instance.deleted_at is None and seen != instance.version:
            raise PreconditionFailed()
        services.synced_delete(kind=self.sync_kind, instance=instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


_ChangeSerializer = inline_serializer(
    "Change",
    many=True,
    fields={
        "seq": serializers.IntegerField(),
        "kind": serializers.CharField(help_text="Which kind of record, e.g. `symptom`."),
        "id": serializers.UUIDField(),
        "deleted": serializers.BooleanField(),
        "record": serializers.DictField(
            allow_null=True, help_text="The record as its own endpoint shows it; null once deleted."
        ),
    },
)


class ChangeFeedView(PatientScopedMixin):
    read_capability = Capability.VIEW_PATIENT
    audit_resource = "changes"
    MAX_LIMIT = 1000

    @extend_schema(
        tags=["sync"],
        summary="Everything that changed since a cursor",
        description=(
            "For a phone catching up after being offline: every record of this patient created, "
            "changed or deleted after `since`, each once, in the order of its latest change, with "
            "its current state (or `deleted: true`). Call again with the returned `cursor` while "
            "`has_more` is true. Start from `since=0`. Only kinds of record your role may read "
            "are included."
        ),
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.INT,
                description="The cursor from the last call (0 the first time).",
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"At most this many changes (default 500, max {MAX_LIMIT}).",
            ),
        ],
        responses=inline_serializer(
            "ChangeFeed",
            {
                "changes": _ChangeSerializer,
                "cursor": serializers.IntegerField(),
                "has_more": serializers.BooleanField(),
            },
        ),
    )
    def get(self, request: Request, patient_pk: str) -> Response:
        since = _int_param(request, "since", 0, minimum=0)
        limit = _int_param(request, "limit", 500, minimum=1, maximum=self.MAX_LIMIT)
        granted = capabilities_of(self.my_membership.role)
        readable = {
            name: kind for name, kind in registry.kinds().items() if kind.read_capability in granted
        }
        later = Change.objects.filter(
            patient_id=self.patient.pk,
            kind=OuterRef("kind"),
            object_id=OuterRef("object_id"),
            seq__gt=OuterRef("seq"),
        )
        # A record changed several times appears once, at its latest change: a phone that catches
        # up page by page sees each record exactly once.
        rows = list(
            Change.objects.filter(
                patient_id=self.patient.pk, seq__gt=since, kind__in=list(readable)
            )
            .filter(~Exists(later))
            .order_by("seq")[: limit + 1]
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        records: dict[tuple[str, Any], Any] = {}
        ids_by_kind: dict[str, list[Any]] = {}
        for row in rows:
            if not row.deleted:
                ids_by_kind.setdefault(row.kind, []).append(row.object_id)
        for name, ids in ids_by_kind.items():
            kind = readable[name]
            for obj in kind.queryset.filter(pk__in=ids, **{kind.patient_field: self.patient}):
                records[(name, obj.pk)] = obj
        changes = []
        for row in rows:
            obj = records.get((row.kind, row.object_id))
            deleted = row.deleted or obj is None or getattr(obj, "deleted_at", None) is not None
            record = (
                None
                if deleted
                else readable[row.kind].serializer(obj, context={"request": request}).data
            )
            changes.append(
                {
                    "seq": row.seq,
                    "kind": row.kind,
                    "id": row.object_id,
                    "deleted": deleted,
                    "record": record,
                }
            )
        cursor = rows[-1].seq if rows else since
        return Response({"changes": changes, "cursor": cursor, "has_more": has_more})


def _int_param(
    request: Request, name: str, default: int, *, minimum: int, maximum: int | None = None
) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [gettext_lazy("A whole number.")]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            message = gettext_lazy("Must be at least %(minimum)s.") % {"minimum": minimum}
        else:
            message = gettext_lazy("Must be between %(minimum)s and %(maximum)s.") % {
                "minimum": minimum,
                "maximum": maximum,
            }
        raise ValidationError({name: [message]})
    return value
