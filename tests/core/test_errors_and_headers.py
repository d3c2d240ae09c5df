"""Bad input gets a clear 4xx in one shape; every response carries the security headers."""

from __future__ import annotations

import pytest
from django.test import override_settings

from apps.careteam.models import Patient
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_malformed_json_is_a_400_with_the_error_shape(world: World, client_for) -> None:
    response = client_for(world.owner).generic(
        "PATCH",
        f"/api/v1/patients/{world.patient.pk}/",
        "{not json",
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error" and body["detail"] and body["fields"] == {}
    world.patient.refresh_from_db()
    assert world.patient.display_name == "Sam"


def test_a_json_list_instead_of_an_object_is_a_400(world: World, client_for) -> None:
    response = client_for(world.owner).post("/api/v1/patients/", [1, 2], format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()["fields"]


def test_unknown_fields_and_read_only_fields_are_refused_not_ignored(
    world: World, client_for
) -> None:
    client = client_for(world.owner)
    url = f"/api/v1/patients/{world.patient.pk}/"
    unknown = client.patch(url, {"display_nmae": "Typo"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["fields"] == {
        "display_nmae": ["Unknown field."]
    }
    read_only = client.patch(url, {"created_at": "2020-01-01T00:00:00Z"}, format="json")
    assert read_only.status_code == 400 and "created_at" in read_only.json()["fields"]


def test_wrong_types_name_the_field(world: World, client_for) -> None:
    response = client_for(world.owner).patch(
        f"/api/v1/patients/{world.patient.pk}/",
        {"date_of_birth": 12, "emergency_contacts": "mum"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"date_of_birth", "emergency_contacts"}


def test_an_oversize_body_is_refused_with_413_before_anything_is_stored(
    world: World, client_for
) -> None:
    with override_settings(MAX_REQUEST_BODY_BYTES=1024):
        response = client_for(world.owner).post(
            "/api/v1/patients/", {"display_name": "x" * 2000, "time_zone": "UTC"}, format="json"
        )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not Patient.objects.filter(display_name__startswith="xxx").exists()


def test_a_malformed_record_id_is_a_plain_404(world: World, client_for) -> None:
    response = client_for(world.owner).get("/api/v1/patients/not-a-uuid/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_api_path_is_a_json_404(client_for, world: World) -> None:
    response = client_for(world.owner).get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_method_not_allowed_is_405_in_the_error_shape(world: World, client_for) -> None:
    response = client_for(world.owner).put(
        f"/api/v1/patients/{world.patient.pk}/", {}, format="json"
    )
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


def test_api_responses_with_health_data_are_never_cached(world: World, client_for) -> None:
    response = client_for(world.owner).get(f"/api/v1/patients/{world.patient.pk}/")
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_schema_is_cacheable_and_the_docs_are_served_locally(client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and "no-store" not in schema.get("Cache-Control", "")
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "cdn." not in page and "unpkg" not in page  # nothing fetched from outside


# --- issue 13: what used to answer 500 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("symptom-entries/?to=9999-12-31", "to"),
        ("check-ins/?to=9999-12-31", "to"),
        ("timeline?to=9999-12-31", "to"),
        ("insights?to=9999-12-31", "to"),
        ("symptom-entries/?to=2026-02-30", "to"),
        ("timeline?to=2026-02-30", "to"),
        ("symptom-entries/?from=0001-01-01", "from"),
        ("check-ins/?from=0001-01-01", "from"),
        ("timeline?from=0001-01-01", "from"),
        ("insights?from=0001-01-01", "from"),
        ("clinic/overview?to=9999-12-30", "to"),
        ("medications/schedule/?start=9999-12-25", "start"),
        ("medications/schedule/?start=0001-01-01", "start"),
        ("symptom-entries/?cursor=garbage", "cursor"),
        ("doses/?cursor=garbage", "cursor"),
    ],
)
def test_an_out_of_range_query_parameter_is_a_400_naming_it(
    world: World, client_for, query: str, field: str
) -> None:
    Patient.objects.filter(pk=world.patient.pk).update(time_zone="Asia/Tokyo")  # east of UTC
    client = client_for(world.clinician if query.startswith("clinic/") else world.owner)
    client.raise_request_exception = False
    response = client.get(f"/api/v1/patients/{world.patient.pk}/{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


@pytest.mark.parametrize("page", ["-1614711", "0", "two", "99"])
def test_a_page_that_is_not_there_is_a_400_naming_page(world: World, client_for, page) -> None:
    """Found by schemathesis (tests/contract): DRF's page numbers answered 404, a status the
    list does not list, to what is a bad query parameter."""
    response = client_for(world.clinician).get("/api/v1/clinic/patients/", {"page": page})
    assert response.status_code == 400, response.content
    assert "page" in response.json()["fields"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ('{"a":' * 5000 + "1" + "}" * 5000, "nested too deeply"),
        ('{"a":' * 40 + "1" + "}" * 40, "nested too deeply"),
        ('{"\\ud800": 1}', "not valid Unicode"),
        (
            '{"symptom": "skin.\\ud800", "severity": 1, "occurred_at": "2025-01-01T00:00:00Z"}',
            "not valid Unicode",
        ),
    ],
)
def test_a_body_nested_too_deeply_or_not_unicode_is_a_400(
    world: World, client_for, body: str, detail: str
) -> None:
    client = client_for(world.owner)
    client.raise_request_exception = False
    response = client.post(
        f"/api/v1/patients/{world.patient.pk}/symptom-entries/",
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and detail in response.json()["detail"]


@pytest.mark.parametrize(
    "path", ["medications/calendar-feed", "carry-checks/answer", "carry-checks/settings", ""]
)
def test_options_answers_every_route(world: World, client_for, path: str) -> None:
    client = client_for(world.owner)
    client.raise_request_exception = False
    response = client.options(f"/api/v1/patients/{world.patient.pk}/{path}")
    assert response.status_code == 200
    assert response.json()["renders"] == ["application/json"]


def test_a_chunked_body_is_refused_with_411_saying_why(world: World, client_for) -> None:
    """Django reads a body only as far as its Content-Length: a chunked one arrived empty and
    was judged a 400 for missing fields. It is refused, with the reason."""
    client = client_for(world.owner)
    response = client.post(
        f"/api/v1/patients/{world.patient.pk}/symptom-entries/",
        data=b'{"symptom": "skin.flushing", "severity": 3}',
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    assert response.status_code == 411
    assert response.json()["code"] == "length_required"
    assert "Content-Length" in response.json()["detail"]
