from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "apps.emergency"
    label = "emergency"
    verbose_name = "Emergency card and its share links"
