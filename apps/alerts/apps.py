from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "apps.alerts"
    label = "alerts"
    verbose_name = "Alerts: the one pipeline that fires every planned alert"

    def ready(self) -> None:
        # A patient's time zone change moves every planned alert of every kind: replan on save.
        from . import signals  # noqa: F401
