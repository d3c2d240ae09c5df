from django.contrib import admin

from .models import Delivery, DeliveryAttempt, Notification, PushSubscription


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "started_at", "finished_at", "outcome", "http_status", "error")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """For operators following a delivery that did not arrive; titles and bodies stay out."""

    list_display = ("id", "channel", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel")
    readonly_fields = ("notification", "subscription", "idempotency_key", "created_at")
    inlines = [DeliveryAttemptInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "category", "urgency", "created_at", "acknowledged_at", "resolved_at")
    list_filter = ("category", "urgency")
    exclude = ("title", "body")  # health details: not for an operator's screen
    readonly_fields = ("recipient", "patient")


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "label", "created_at", "last_success_at")
    readonly_fields = ("user",)
