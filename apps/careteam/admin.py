from django.contrib import admin

from .models import Invitation, Membership, Patient


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "patient"
    extra = 0
    fields = ("user", "role", "created_at", "revoked_at")
    readonly_fields = ("created_at",)


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("display_name", "sm_subtype", "time_zone", "created_at")
    search_fields = ("display_name",)
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "patient",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    readonly_fields = ("code_hash",)
