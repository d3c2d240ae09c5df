from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "action", "resource", "patient", "ip_address")
    list_filter = ("action", "resource")

    def has_change_permission(self, request, obj=None):
        return False
