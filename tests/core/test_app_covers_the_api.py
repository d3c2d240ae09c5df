"""Every patient-side operation of the API is reachable in the app: a screen (or the service
worker) calls it, or it is in ALLOWED_WITHOUT_A_SCREEN with the reason why not.

The front end is read as text: an operation counts as called when its path appears in a source
file the way the app writes paths (`medications/${m.id}/pause/`, with the `patients/${id}/` prefix
usually added by patientPath) inside a call that sends its method: `method: 'PATCH'` in the call,
or the call's default (GET for api(), POST for submitSynced() and enqueue(); a link's href is a
GET). A path built from a table of resources (History's `${ENDPOINTS[kind]}/${id}/`) counts for
each resource the sources name in quotes."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from drf_spectacular.generators import SchemaGenerator

SOURCES = Path(__file__).resolve().parents[2] / "frontend" / "src"

# operationId → why no screen calls it. Keep it short; a new entry needs a reason a reviewer accepts.
ALLOWED_WITHOUT_A_SCREEN = {
    "auth_tokens_list": "personal API tokens are for other clients (scripts, integrations)",
    "auth_tokens_create": "personal API tokens are for other clients (scripts, integrations)",
    "auth_tokens_destroy": "personal API tokens are for other clients (scripts, integrations)",
    "patients_changes_retrieve": "the change feed is for clients that keep a whole offline copy; "
    "the app reloads what a screen shows and caches that",
    "patients_doses_update": "the app corrects a dose with PATCH; PUT is the same for other clients",
    "patients_symptom_entries_list": "History reads every kind at once from the timeline",
    "patients_trigger_exposures_list": "History reads every kind at once from the timeline",
    "patients_anaphylaxis_episodes_list": "History reads every kind at once from the timeline",
    "patients_lab_results_list": "History reads every kind at once from the timeline",
    "patients_catalogue_symptoms_retrieve": "the app reads the whole catalogue (cached offline)",
    "patients_catalogue_triggers_retrieve": "the app reads the whole catalogue (cached offline)",
    "patients_pens_retrieve": "a pen is shown from the cached list, so it opens offline",
}

# The clinician's own screens (h14-clinic's) are not the patient side.
CLINIC_SIDE = re.compile(r"/clinic/|/clinical-notes/")
PARAM = r"\$\{[^}]*\}"


def _operations() -> list[tuple[str, str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, methods in schema["paths"].items():
        if CLINIC_SIDE.search(path) or not path.startswith("/api/"):
            continue
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append((operation["operationId"], method.upper(), path))
    return found


def _sources() -> dict[str, str]:
    return {
        path.relative_to(SOURCES).as_posix(): path.read_text(encoding="utf-8")
        for path in SOURCES.rglob("*")
        if path.suffix in {".js", ".jsx"} and "locales" not in path.parts
    }


def _patterns(path: str) -> tuple[re.Pattern[str], re.Pattern[str], str]:
    """The path as the app writes it; the same with its leading static part written as one
    `${TABLE[…]}` (a table of resources: History's `${ENDPOINTS[kind]}/${id}/`); and that part,
    which the table must hold (see _calls)."""
    tail = path.removeprefix("/api/v1/").removeprefix("/api/")
    tail = re.sub(r"^patients/\{patient_pk\}/", "", tail) or "patients/{id}/"
    prefix = re.match(r"[^{]*?(?=/?(\{|$))", tail).group(0)  # type: ignore[union-attr]
    rest = tail[len(prefix) :]
    rest = "".join(
        PARAM if p.startswith("{") else re.escape(p) for p in re.split(r"(\{[^}]+\})", rest)
    )
    # A path literal ends at a quote or a query string; one that does not end in "/" may go on
    # as a template (`timeline${range}`). One built from a table starts the literal.
    end = r"(?=[`'\"?])" if tail.endswith("/") else r"(?=[`'\"?]|\$\{)"
    written = re.compile(rf"(?<=[`'\"/}}]){re.escape(prefix)}{rest}{end}")
    from_table = re.compile(rf"(?<=[`'\"])\$\{{(?P<table>\w+)\[[^\]]*\]\}}{rest}{end}")
    return written, from_table, prefix


# Where a call starts, and the method it sends when it names none.
CALL = re.compile(
    r"\b(api|apiCall|clinicApi|patientApi|submitSynced|useSyncedForm|enqueue|fetch)\(|\bhref="
)
DEFAULT_METHOD = {"submitSynced": "POST", "useSyncedForm": "POST", "enqueue": "POST"}
METHOD = re.compile(r"method: '([A-Z]+)'")


def _methods_at(text: str, position: int) -> set[str]:
    """The methods of the call around `position`: from the nearest call before it to the next."""
    starts = list(CALL.finditer(text, max(0, position - 300), position))
    if not starts:
        return set()
    call = starts[-1]
    following = CALL.search(text, position)
    window = text[position : following.start() if following else position + 400]
    named = set(METHOD.findall(window[:400]))
    if named:
        return named
    return {DEFAULT_METHOD.get(call.group(1) or "", "GET")}


def _imports(name: str, text: str) -> list[str]:
    here = posixpath.dirname(name)
    return [
        posixpath.normpath(posixpath.join(here, found))
        for found in re.findall(r"from '(\.{1,2}/[\w./-]+)'", text)
    ]


def _table_holds(known: str, table: str, prefix: str) -> bool:
    """Whether `TABLE = { … }` in these sources holds `'prefix'`."""
    definition = re.search(rf"\b{table} = \{{([^}}]*)\}}", known)
    return bool(definition and f"'{prefix}'" in definition.group(1))


def _calls(method: str, path: str, sources: dict[str, str]) -> list[str]:
    written, from_table, prefix = _patterns(path)
    files = []
    for name, text in sources.items():
        # A table of resources is defined in the file itself or in one it imports.
        known = "".join([text] + [sources.get(other, "") for other in _imports(name, text)])
        found = list(written.finditer(text)) + [
            match
            for match in from_table.finditer(text)
            if _table_holds(known, match.group("table"), prefix)
        ]
        if any(method in _methods_at(text, match.start()) for match in found):
            files.append(name)
    return files


def test_every_patient_side_operation_has_a_screen_or_a_reason() -> None:
    sources = _sources()
    operations = _operations()
    assert len(operations) > 80, "the schema lost its operations: is the generator reading it?"
    missing = [
        f"{method} {path} ({operation_id})"
        for operation_id, method, path in operations
        if operation_id not in ALLOWED_WITHOUT_A_SCREEN and not _calls(method, path, sources)
    ]
    assert missing == [], "no screen calls:\n" + "\n".join(missing)


def test_the_allow_list_names_only_operations_that_exist_and_no_screen_calls() -> None:
    sources = _sources()
    by_id = {operation_id: (method, path) for operation_id, method, path in _operations()}
    assert set(ALLOWED_WITHOUT_A_SCREEN) <= set(by_id), set(ALLOWED_WITHOUT_A_SCREEN) - set(by_id)
    called = {op for op in ALLOWED_WITHOUT_A_SCREEN if _calls(*by_id[op], sources)}
    assert called == set(), f"now called by a screen, drop them from the allow-list: {called}"


def test_the_detector_sees_a_call_and_misses_an_absent_one() -> None:
    sources = {
        "a.jsx": "api(patientPath(p.id, `medications/${m.id}/pause/`), { method: 'POST' })",
        "b.jsx": "const X = { pen: 'pens' }; api(`${X[k]}/${id}/`); api(`${y}/${id}/`)",
        "c.jsx": "submitSynced({ url: patientPath(p, 'check-ins/'), body })",
    }
    path = "/api/v1/patients/{patient_pk}/medications/{id}/pause/"
    assert _calls("POST", path, sources) == ["a.jsx"]
    assert _calls("DELETE", path, sources) == []
    assert _calls("GET", "/api/v1/patients/{patient_pk}/pens/{id}/", sources) == ["b.jsx"]
    assert _calls("GET", "/api/v1/patients/{patient_pk}/medications/schedule/", sources) == []
    assert _calls("POST", "/api/v1/patients/{patient_pk}/check-ins/", sources) == ["c.jsx"]
    assert _calls("GET", "/api/v1/patients/{patient_pk}/check-ins/", sources) == []
