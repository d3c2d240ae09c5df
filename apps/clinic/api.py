"""The clinician dashboard's endpoints.

Across patients (`/api/v1/clinic/…`): only the patients on whose care team the caller is an
active *clinician*; anyone else signed in gets an empty answer, never another person's patient.
One patient (`/api/v1/patients/{id}/…`): PatientScopedMixin decides and audits, as everywhere.

Clinical notes are read and written by clinicians only (access.py gives READ_CLINICAL_NOTES to
no other role, so an owner or caregiver gets 404); a clinician changes or deletes only their own.
"""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.audit.services import audit_records
from apps.careteam.access import Capability, ClinicianVerified, PatientScopedMixin
from apps.careteam.models import Patient, Role
from apps.core.pagination import PageNumberPagination
from apps.diary.models import AnaphylaxisEpisode, SymptomDomain
from apps.diary.selectors import PeriodParams
from apps.medications.models import CatalogueDrug, Medication

from . import exports, response, selectors, triage
from .flags import DEFAULT_NO_DATA_DAYS, FLAGS, compute_flags, local_days, urgency_score
from .models import ClinicalNote
from .serializers import (
    ClinicalNoteSerializer,
    ClinicPatientSerializer,
    FlagSerializer,
    PatientListParams,
)

_TAGS = ["clinic"]
_CATEGORIES = (
    "One of: "
    + ", ".join(c.value for c in (*response.CATEGORY_ORDER, response.Category.NOT_EVALUABLE))
    + "."
)
_REASONS = "One of: " + ", ".join(r.value for r in response.Reason) + "."


def _age(patient: Patient, today: dt.date) -> int | None:
    born = patient.date_of_birth
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def patient_rows(
    patients: list[Patient], *, now: dt.datetime, no_data_days: int
) -> list[dict[str, Any]]:
    """One list row per patient, its flags computed at `now` from the stored triage
    (`patient.triage`, apps.clinic.triage) by compute_flags, without adherence: no query."""
    urls = selectors.Evidence()
    rows = []
    for patient in patients:
        fact = triage.patient_facts(patient, patient.triage.facts, now)
        flags = compute_flags(fact, now=now, no_data_days=no_data_days, urls=urls)
        last_injection = triage.last_injection_at(fact)
        rows.append(
            {
                "id": patient.pk,
                "display_name": patient.display_name,
                "age_years": _age(patient, fact.today),
                "sm_subtype": patient.sm_subtype,
                "last_activity_at": fact.last_activity_at,
                "days_since_last_injection": local_days(last_injection, now, fact.zone)
                if last_injection
                else None,
                "adherence_30d": None,
                "urgency_score": urgency_score(flags),
                "flags": [flag.as_dict() for flag in flags],
                "_patient": patient,
            }
        )
    return rows


# --- the patient list -----------------------------------------------------------------------------


class PatientPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def _ordering(name: str) -> list[Any]:
    """The list's orders, in SQL over the stored triage: urgency (the score, then the longest
    since an injection — the earliest local day of the last one), name, last activity."""
    by_name = [Lower("display_name"), "pk"]
    if name == "urgency":
        return [
            F("urgency").desc(),
            F("triage__last_injection_day").asc(nulls_last=True),
            *by_name,
        ]
    if name == "last_activity":
        return [F("triage__last_activity_at").desc(nulls_last=True), *by_name]
    return by_name


class ClinicPatientListView(GenericAPIView):
    # Signed in, and past the second factor if a clinician anywhere (access.py).
    permission_classes = [IsAuthenticated, ClinicianVerified]
    pagination_class = PatientPagination
    serializer_class = ClinicPatientSerializer

    @extend_schema(
        tags=_TAGS,
        summary="My patients, most urgent first",
        description=(
            "Every patient whose care team you are on as an active clinician (anyone else gets "
            "an empty list), with flags: "
            + ", ".join(
                f"`{code}` ({label.lower()}, {sev})" for code, (label, sev) in FLAGS.items()
            )
            + ". Each flag has a `detail` and the API URL of the records behind it. The "
            "definitions are in apps/clinic/flags.py.\n\n"
            "* `flag`: only patients with at least one of these flags (repeat it, or a comma "
            "list; an unknown code is a 400).\n"
            "* `ordering`: `urgency` (default: the sum of 100 per urgent, 10 per warning and 1 "
            "per info flag, then the longest since an injection), `name`, or `last_activity` "
            "(most recent first).\n"
            "* `search`: part of the name. `no_data_days`: the `no_data` threshold (default 7).\n\n"
            "A page costs a fixed number of queries whatever the patients have logged."
        ),
        parameters=[
            OpenApiParameter("flag", OpenApiTypes.STR, many=True, enum=list(FLAGS)),
            OpenApiParameter(
                "ordering", OpenApiTypes.STR, enum=["urgency", "name", "last_activity"]
            ),
            OpenApiParameter("search", OpenApiTypes.STR),
            OpenApiParameter("no_data_days", OpenApiTypes.INT),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="At most 100."),
        ],
        responses=ClinicPatientSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        raw: dict[str, Any] = {key: request.query_params.get(key) for key in request.query_params}
        raw["flag"] = request.query_params.getlist("flag")
        params = PatientListParams(data=raw)
        params.is_valid(raise_exception=True)
        wanted = set(params.validated_data["flag"])
        now = timezone.now()
        no_data_days = params.validated_data["no_data_days"]
        queryset = selectors.clinician_patients(request.user)
        if params.validated_data.get("search"):
            queryset = queryset.filter(display_name__icontains=params.validated_data["search"])
        # Rows a change of time alone made stale (normally none): refreshed before reading.
        triage.refresh_stale(queryset, now)
        if wanted:
            conditions = triage.flag_conditions(now, no_data_days)
            queryset = queryset.filter(reduce(operator.or_, (conditions[c] for c in wanted)))
        ordering = params.validated_data["ordering"]
        if ordering == "urgency":
            queryset = queryset.annotate(urgency=triage.urgency_expression(now, no_data_days))
        queryset = queryset.select_related("triage").order_by(*_ordering(ordering))
        patients: list[Patient] = self.paginate_queryset(queryset) or []
        page = patient_rows(patients, now=now, no_data_days=no_data_days)
        adherence = selectors.adherence([row["_patient"] for row in page], now=now)
        for row in page:
            row["adherence_30d"] = adherence.get(row["id"])
        audit_records(  # each patient shown is a read of their record (issue 13)
            request=request,
            patients_and_roles=[(row["id"], Role.CLINICIAN) for row in page],
            action="read",
            resource="clinic-patient-list",
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- one patient ----------------------------------------------------------------------------------

_FROM = OpenApiParameter("from", OpenApiTypes.STR, description="A date or a time with offset.")
_TO = OpenApiParameter("to", OpenApiTypes.STR, description="A date or a time with offset.")

_Series = serializers.ListField(child=serializers.FloatField(allow_null=True))
_LabPoint = inline_serializer(
    "ClinicLabPoint",
    many=True,
    fields={"sampled_at": serializers.DateTimeField(), "value": serializers.DecimalField(10, 3)},
)


class ClinicOverviewView(PatientScopedMixin):
    read_capability = Capability.READ_DIARY
    audit_resource = "clinic-overview"
    MAX_DAYS = 3 * 366 + 1

    @extend_schema(
        tags=_TAGS,
        summary="A patient at a glance, for the visit",
        description=(
            "For the period (by default the last 180 days, at most three years): the daily "
            "symptom burden per domain (the day's highest severity; null: nothing logged), the "
            "QoL VAS of each check-in, doses taken/missed/skipped per day and medication, "
            "anaphylaxis episodes, tryptase / KIT D816V / total IgE results, the patient's flags "
            "as on the patient list, and their medications. Enough for the printable visit "
            "summary."
        ),
        parameters=[_FROM, _TO],
        responses=inline_serializer(
            "ClinicOverview",
            {
                "from": serializers.DateTimeField(),
                "to": serializers.DateTimeField(),
                "patient": serializers.DictField(),
                "burden": inline_serializer(
                    "ClinicBurden",
                    {
                        "dates": serializers.ListField(child=serializers.DateField()),
                        "domains": serializers.DictField(child=_Series),
                    },
                ),
                "qol": inline_serializer(
                    "ClinicQol",
                    {
                        "dates": serializers.ListField(child=serializers.DateField()),
                        "values": serializers.ListField(child=serializers.IntegerField()),
                    },
                ),
                "doses": inline_serializer(
                    "ClinicDoseDay",
                    many=True,
                    fields={
                        "date": serializers.DateField(),
                        "medication_id": serializers.UUIDField(),
                        "medication": serializers.CharField(),
                        "taken": serializers.IntegerField(),
                        "missed": serializers.IntegerField(),
                        "skipped": serializers.IntegerField(),
                    },
                ),
                "episodes": inline_serializer(
                    "ClinicEpisode",
                    many=True,
                    fields={
                        "id": serializers.UUIDField(),
                        "onset": serializers.DateTimeField(),
                        "grade": serializers.IntegerField(allow_null=True),
                        "epinephrine_doses": serializers.IntegerField(),
                    },
                ),
                "labs": inline_serializer(
                    "ClinicLabs",
                    {"tryptase": _LabPoint, "kit_d816v": _LabPoint, "total_ige": _LabPoint},
                ),
                "flags": FlagSerializer(many=True),
                "medications": inline_serializer(
                    "ClinicMedication",
                    many=True,
                    fields={
                        "id": serializers.UUIDField(),
                        "name": serializers.CharField(),
                        "drug_class": serializers.CharField(),
                        "regimen": serializers.CharField(),
                        "start_date": serializers.DateField(),
                        "end_date": serializers.DateField(allow_null=True),
                    },
                ),
            },
        ),
    )
    def get(self, request: Request, patient_pk: str) -> Response:
        patient = self.patient
        params = PeriodParams(
            data=request.query_params,
            context={"patient": patient},
            max_days=self.MAX_DAYS,
            default_days=180,
        )
        params.is_valid(raise_exception=True)
        period = params.validated_data["period"]
        now = timezone.now()
        zone = patient.zone
        days = selectors.days_of(period.start, period.end, zone)
        dates, burden, qol = selectors.burden_and_qol(patient, days[0], days[-1])
        triage.refresh_stale(Patient.objects.filter(pk=patient.pk), now)
        stored = Patient.objects.select_related("triage").get(pk=patient.pk)
        row = patient_rows([stored], now=now, no_data_days=DEFAULT_NO_DATA_DAYS)[0]
        episodes = AnaphylaxisEpisode.objects.filter(
            patient=patient,
            deleted_at__isnull=True,
            onset_at__gte=period.start,
            onset_at__lt=period.end,
        ).order_by("onset_at")
        return Response(
            {
                "from": period.start,
                "to": period.end,
                "patient": {
                    "id": patient.pk,
                    "display_name": patient.display_name,
                    "date_of_birth": patient.date_of_birth,
                    "age_years": row["age_years"],
                    "sm_subtype": patient.sm_subtype,
                    "kit_d816v_status": patient.kit_d816v_status,
                    "time_zone": patient.time_zone,
                    "last_activity_at": row["last_activity_at"],
                    "days_since_last_injection": row["days_since_last_injection"],
                },
                "burden": {"dates": dates, "domains": burden},
                "qol": {"dates": sorted(qol), "values": [qol[d] for d in sorted(qol)]},
                "doses": selectors.dose_timeline(patient, period.start, period.end, now),
                "episodes": [
                    {
                        "id": e.pk,
                        "onset": e.onset_at,
                        "grade": e.grade,
                        "epinephrine_doses": e.epinephrine_doses,
                    }
                    for e in episodes
                ],
                "labs": selectors.labs(patient, period.start, period.end),
                "flags": row["flags"],
                "medications": [
                    {
                        "id": m.pk,
                        "name": m.name,
                        "drug_class": m.drug_class,
                        "regimen": selectors.regimen_summary(m),
                        "start_date": m.start_date,
                        "end_date": m.end_date,
                    }
                    for m in Medication.objects.filter(patient=patient).order_by("start_date")
                ],
            }
        )


# --- clinical notes -------------------------------------------------------------------------------


@extend_schema(tags=_TAGS)
@extend_schema_view(
    list=extend_schema(
        summary="Clinical notes",
        description="The clinicians' notes about this patient, newest first. Clinicians only: "
        "owners and caregivers do not see them (access.py).",
    ),
    create=extend_schema(summary="Write a clinical note", description="Clinicians only."),
    retrieve=extend_schema(summary="A clinical note"),
    partial_update=extend_schema(
        summary="Change a clinical note", description="Only its author (403 for anyone else)."
    ),
    destroy=extend_schema(
        summary="Delete a clinical note", description="Only its author (403 for anyone else)."
    ),
)
class ClinicalNoteViewSet(
    PatientScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ClinicalNoteSerializer
    queryset = ClinicalNote.objects.all()
    read_capability = Capability.READ_CLINICAL_NOTES
    write_capability = Capability.WRITE_CLINICAL_NOTES
    audit_resource = "clinical-note"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_object(self) -> Any:
        note = super().get_object()
        if self.request.method in ("PATCH", "DELETE") and note.author_id != self.request.user.pk:
            raise PermissionDenied(_("Only the author of a note may change or delete it."))
        return note

    def perform_create(self, serializer: Any) -> None:
        user = self.request.user
        serializer.save(
            patient=self.patient,
            author=user,
            author_label=getattr(user, "display_name", "") or getattr(user, "email", ""),
        )


# --- treatment response ---------------------------------------------------------------------------

_WINDOW = serializers.DictField(
    help_text="from, to, overall, domains, qol (+ per month: "
    "classification, domain_classification, qol_change)."
)


class ResponseParams(serializers.Serializer):
    medication = serializers.UUIDField()


class ClinicResponseView(PatientScopedMixin):
    read_capability = Capability.READ_DIARY
    audit_resource = "clinic-response"

    @extend_schema(
        tags=_TAGS,
        summary="Response to one medication: baseline against months 3 and 6",
        description=(
            "Symptom burden per domain and overall (mean daily peak severity), QoL VAS and "
            "labs in the 4 weeks before the medication's start against days 77–104 (month 3) "
            "and 168–195 (month 6), each classified as complete control (≤ 0.5 or ≥ 90 % "
            "less), major (≥ 60 %), partial (≥ 30 %) or no response; or `stopped` (ended before "
            "day 104, or no dose within two dose intervals after the first while there was time "
            "for one); or `not_evaluable` (excluded, no dose yet, too early, no baseline, too "
            "little data). `classification` is the overall category, `reason` why, and "
            "`evidence` the doses, days and burdens it rests on. `thresholds` states every "
            "definition (apps/clinic/response.py, docs/clinic.md). `medication` is required."
        ),
        parameters=[OpenApiParameter("medication", OpenApiTypes.UUID, required=True)],
        responses=inline_serializer(
            "ClinicResponse",
            {
                "medication": serializers.DictField(),
                "start_date": serializers.DateField(),
                "end_date": serializers.DateField(allow_null=True),
                "baseline": _WINDOW,
                "months": serializers.DictField(child=_WINDOW),
                "classification": serializers.CharField(help_text=_CATEGORIES),
                "reason": serializers.CharField(help_text=_REASONS),
                "evidence": serializers.DictField(
                    help_text="doses_taken, first_dose, last_dose, interval_days, "
                    "days_on_treatment, days_since_last_dose, burden_baseline, burden_month_3, "
                    "burden_month_6."
                ),
                "stopped": serializers.BooleanField(),
                "excluded": serializers.CharField(allow_null=True),
                "doses_taken": serializers.IntegerField(),
                "labs": serializers.DictField(child=serializers.DictField()),
                "thresholds": serializers.DictField(),
            },
        ),
    )
    def get(self, request: Request, patient_pk: str) -> Response:
        params = ResponseParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        medication = (
            Medication.objects.filter(patient=self.patient, pk=params.validated_data["medication"])
            .select_related("patient")
            .first()
        )
        if medication is None:
            raise ValidationError({"medication": [_("No such medication for this patient.")]})
        data = selectors.response_data([medication])[medication.pk]
        return Response(selectors.evaluate_response(medication, data))


class CohortParams(serializers.Serializer):
    drug = serializers.CharField(max_length=120)


class ClinicResponseCohortView(GenericAPIView):
    # Signed in, and past the second factor if a clinician anywhere (access.py).
    permission_classes = [IsAuthenticated, ClinicianVerified]

    @extend_schema(
        tags=_TAGS,
        summary="Response to a drug across my patients",
        description=(
            "Over the patients on whose care team you are a clinician and who take `drug` (a "
            "catalogue drug id, or a name, case-insensitive): each patient's overall "
            "classification (see the single-patient report) and the table of categories with "
            "their share of the evaluable patients (one decimal); `not_evaluable` of `total` "
            "patients count in no row (excluded for concomitant cytoreductive therapy as in the "
            "omalizumab cohort this table mirrors, no dose yet, too early, no baseline, too "
            "little data). Anyone who is no one's clinician gets an empty table."
        ),
        parameters=[OpenApiParameter("drug", OpenApiTypes.STR, required=True)],
        responses=inline_serializer(
            "ClinicResponseCohort",
            {
                "drug": serializers.CharField(),
                "evaluable": serializers.IntegerField(),
                "not_evaluable": serializers.IntegerField(),
                "total": serializers.IntegerField(),
                "rows": inline_serializer(
                    "ClinicCohortRow",
                    many=True,
                    fields={
                        "category": serializers.CharField(help_text=_CATEGORIES),
                        "count": serializers.IntegerField(),
                        "percent": serializers.FloatField(),
                    },
                ),
                "patients": inline_serializer(
                    "ClinicCohortPatient",
                    many=True,
                    fields={
                        "id": serializers.UUIDField(),
                        "display_name": serializers.CharField(),
                        "medication_id": serializers.UUIDField(),
                        "start_date": serializers.DateField(),
                        "classification": serializers.CharField(help_text=_CATEGORIES),
                        "reason": serializers.CharField(help_text=_REASONS),
                        "evidence": serializers.DictField(),
                        "excluded": serializers.CharField(allow_null=True),
                        "domains": serializers.DictField(),
                    },
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        params = CohortParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        drug = params.validated_data["drug"].strip()
        catalogue = CatalogueDrug.objects.filter(
            Q(name__iexact=drug) | Q(pk=drug) if _is_uuid(drug) else Q(name__iexact=drug)
        ).first()
        match = Q(catalogue=catalogue) if catalogue is not None else Q(pk__in=[])
        match |= Q(name__iexact=catalogue.name if catalogue else drug)
        medications = list(
            Medication.objects.filter(match, patient__in=selectors.clinician_patients(request.user))
            .select_related("patient")
            .order_by("patient__display_name", "start_date")
        )
        data = selectors.response_data(medications)
        patients = []
        seen: set[Any] = set()
        for medication in medications:
            if medication.patient_id in seen:
                continue  # a patient counts once: their first course of the drug
            seen.add(medication.patient_id)
            report = selectors.evaluate_response(medication, data[medication.pk])
            latest = next(
                (m for m in ("6", "3") if report["months"][m]["classification"] is not None),
                None,
            )
            patients.append(
                {
                    "id": medication.patient_id,
                    "display_name": medication.patient.display_name,
                    "medication_id": medication.pk,
                    "start_date": medication.start_date,
                    "classification": report["classification"],
                    "reason": report["reason"],
                    "evidence": report["evidence"],
                    "excluded": report["excluded"],
                    "domains": report["months"][latest]["domain_classification"]
                    if latest
                    else dict.fromkeys(SymptomDomain.values),
                }
            )
        evaluable, rows = response.cohort_rows(p["classification"] for p in patients)
        audit_records(  # each patient in the cohort is a read of their record (issue 13)
            request=request,
            patients_and_roles=[(p["id"], Role.CLINICIAN) for p in patients],
            action="read",
            resource="clinic-response-cohort",
        )
        return Response(
            {
                "drug": catalogue.name if catalogue else drug,
                "evaluable": evaluable,
                "not_evaluable": len(patients) - evaluable,
                "total": len(patients),
                "rows": [
                    {"category": row.category, "count": row.count, "percent": row.percent}
                    for row in rows
                ],
                "patients": patients,
            }
        )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- exports --------------------------------------------------------------------------------------


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data if isinstance(data, str | bytes) else str(data)


class FHIRJSONRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"


class _ExportView(PatientScopedMixin):
    read_capability = Capability.READ_DIARY
    audit_resource = "export"

    def _audited_object_id(self, response: Any) -> str:
        return str(self.kwargs.get("kind", "fhir"))


class ClinicExportCSVView(_ExportView):
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        tags=_TAGS,
        summary="Download one kind of record as CSV",
        description=(
            "`kind`: " + ", ".join(exports.CSV_KINDS) + ". One header row; times in the "
            "patient's time zone with their offset; a cell that a spreadsheet would run as a "
            "formula (starting with = + - @) is prefixed with a quote. Recorded in the audit "
            "log."
        ),
        parameters=[
            OpenApiParameter(
                "kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(exports.CSV_KINDS)
            )
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, patient_pk: str, kind: str) -> HttpResponse:
        if kind not in exports.CSV_KINDS:
            raise Http404
        body = exports.csv_text(self.patient, kind)
        answer = HttpResponse(body, content_type="text/csv; charset=utf-8")
        answer["Content-Disposition"] = (
            f'attachment; filename="mastline-{self.patient.pk}-{kind}.csv"'
        )
        return answer


class ClinicExportFHIRView(_ExportView):
    renderer_classes = [FHIRJSONRenderer, JSONRenderer]

    @extend_schema(
        tags=_TAGS,
        summary="Download the record as a FHIR R4 Bundle",
        description=(
            "A `collection` Bundle (application/fhir+json): Patient; Condition (the "
            "mastocytosis subtype, ICD-10-CM/ICD-10 coded where a code exists); Observation per "
            "symptom entry (severity as valueInteger), check-in (QoL VAS), lab result (UCUM "
            "units, LOINC where one exists) and anaphylaxis episode (the grade); "
            "MedicationStatement per medication (ATC where known; dose as a plain decimal); "
            "MedicationAdministration per dose (`completed`, or `not-done` with the reason); "
            "AllergyIntolerance per trigger suspected in an anaphylaxis episode, with the "
            "episodes as reactions (severity from the grade). docs/fhir.md names every code "
            "and its source. Recorded in the audit log."
        ),
        # The same Bundle as plain JSON to a client that asks for it (Accept or ?format=json).
        responses={
            (200, "application/fhir+json"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request: Request, patient_pk: str) -> Response:
        bundle = exports.fhir_bundle(self.patient, now=timezone.now())
        answer = Response(bundle)
        answer["Content-Disposition"] = (
            f'attachment; filename="mastline-{self.patient.pk}.fhir.json"'
        )
        return answer
