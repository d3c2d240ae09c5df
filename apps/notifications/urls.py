"""Routes of the signed-in person's inbox, push devices and preferences (under /api/v1/)."""

from django.urls import path

from . import api

_notifications = api.NotificationViewSet
_subscriptions = api.PushSubscriptionViewSet

urlpatterns = [
    path("notifications/", _notifications.as_view({"get": "list"}), name="notification-list"),
    path(
        "notifications/unread-count",
        api.UnreadCountView.as_view(),
        name="notification-unread-count",
    ),
    path(
        "notifications/<uuid:pk>/",
        _notifications.as_view({"get": "retrieve"}),
        name="notification-detail",
    ),
    path(
        "notifications/<uuid:pk>/read",
        _notifications.as_view({"post": "read"}),
        name="notification-read",
    ),
    path(
        "notifications/<uuid:pk>/acknowledge",
        _notifications.as_view({"post": "acknowledge"}),
        name="notification-acknowledge",
    ),
    path(
        "notifications/<uuid:pk>/actions/<slug:action>",
        api.NotificationActionView.as_view(),
        name="notification-action",
    ),
    path(
        "notification-preferences",
        api.NotificationPreferenceView.as_view(),
        name="notification-preferences",
    ),
    path("push/vapid-public-key", api.VapidPublicKeyView.as_view(), name="push-vapid-public-key"),
    path(
        "push/subscriptions",
        _subscriptions.as_view({"get": "list", "post": "create"}),
        name="push-subscription-list",
    ),
    path(
        "push/subscriptions/<uuid:pk>/",
        _subscriptions.as_view({"delete": "destroy"}),
        name="push-subscription-detail",
    ),
]
