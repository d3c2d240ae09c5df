"""An audit event in words ("Looked at the clinic overview"), for the trail people read."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEvent

# What each audited endpoint is, as a reader would name it.
RESOURCES = {
    "alert": gettext_lazy("an alert"),
    "anaphylaxis_episode": gettext_lazy("the anaphylaxis episodes"),
    "audit": gettext_lazy("the list of who saw the record"),
    "calendar_feed": gettext_lazy("the calendar feed"),
    "carry-check": gettext_lazy("the pen carry check"),
    "carry-check-settings": gettext_lazy("the pen carry-check settings"),
    "changes": gettext_lazy("the changes for offline use"),
    "check_in": gettext_lazy("the daily check-ins"),
    "clinic-overview": gettext_lazy("the clinic overview"),
    "clinic-response": gettext_lazy("the treatment-response report"),
    "clinical-note": gettext_lazy("the clinical notes"),
    "dose": gettext_lazy("the doses"),
    "emergency-card": gettext_lazy("the emergency card"),
    "emergency-card-link": gettext_lazy("the emergency card link"),
    "export": gettext_lazy("an export of the record"),
    "insights": gettext_lazy("the symptom insights"),
    "invitation": gettext_lazy("the invitations"),
    "lab_result": gettext_lazy("the lab results"),
    "medication": gettext_lazy("the medications"),
    "membership": gettext_lazy("the care team"),
    "patient": gettext_lazy("the patient's details"),
    "pen": gettext_lazy("the epinephrine pens"),
    "symptom_catalogue": gettext_lazy("the symptom list"),
    "symptom_entry": gettext_lazy("the symptom diary"),
    "timeline": gettext_lazy("the diary timeline"),
    "trigger_catalogue": gettext_lazy("the trigger list"),
    "trigger_exposure": gettext_lazy("the trigger exposures"),
}


def summary(event: AuditEvent) -> str:
    """One sentence per event, in the active language."""
    thing = RESOURCES.get(event.resource) or event.resource.replace("-", " ").replace("_", " ")
    if event.action == "view_card":
        return _("Opened the emergency card")
    templates = {
        "read": _("Looked at %(thing)s"),
        "create": _("Added to %(thing)s"),
        "update": _("Changed %(thing)s"),
        "delete": _("Deleted from %(thing)s"),
        "acknowledge": _("Acknowledged %(thing)s"),
        "remind_later": _("Asked to be reminded again of %(thing)s"),
    }
    template = templates.get(event.action, _("Used %(thing)s"))
    return template % {"thing": thing}
