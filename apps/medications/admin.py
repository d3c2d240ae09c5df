from django.contrib import admin

from .models import CatalogueDrug, DoseLog, Medication, MedicationAlertFlag, ReminderStep


@admin.register(CatalogueDrug)
class CatalogueDrugAdmin(admin.ModelAdmin):
    list_display = ("name", "drug_class", "usual_route")
    list_filter = ("drug_class",)


@admin.register(Medication)
class MedicationAdmin(admin.ModelAdmin):
    list_display = ("name", "patient", "regimen_kind", "next_dose_due_at", "paused_at")
    list_filter = ("regimen_kind",)
    raw_id_fields = ("patient", "catalogue", "created_by")


@admin.register(DoseLog)
class DoseLogAdmin(admin.ModelAdmin):
    list_display = ("medication", "status", "taken_at", "location", "deleted_at")
    raw_id_fields = ("patient", "medication", "created_by")


@admin.register(ReminderStep)
class ReminderStepAdmin(admin.ModelAdmin):
    # Operators look here when someone asks "why did (not) I get this alert?".
    list_display = ("medication", "due_at", "name", "fire_at", "status", "recipients")
    list_filter = ("status", "kind")
    raw_id_fields = ("medication",)


@admin.register(MedicationAlertFlag)
class MedicationAlertFlagAdmin(admin.ModelAdmin):
    list_display = ("patient", "medication", "due_at", "raised_at", "cleared_at")
    raw_id_fields = ("patient", "medication")
