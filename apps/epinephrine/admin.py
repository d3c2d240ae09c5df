from django.contrib import admin

from .models import AutoInjector, CarryCheck, Reminder


@admin.register(AutoInjector)
class AutoInjectorAdmin(admin.ModelAdmin):
    list_display = ("patient", "brand", "dose_mg", "expires_on", "state")
    list_filter = ("state",)
    raw_id_fields = ("patient", "created_by")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("patient", "kind", "local_date", "fire_at", "status")
    list_filter = ("status", "kind")
    raw_id_fields = ("patient", "pen")


@admin.register(CarryCheck)
class CarryCheckAdmin(admin.ModelAdmin):
    list_display = ("patient", "local_date", "pens_with_me")
    raw_id_fields = ("patient", "answered_by")
