from django.apps import AppConfig


class EpinephrineConfig(AppConfig):
    name = "apps.epinephrine"
    label = "epinephrine"
    verbose_name = "Epinephrine readiness: pens, carry checks, after a use"

    def ready(self) -> None:
        # Its expiry reminders and carry checks are a kind of the one alert pipeline (apps.alerts).
        from . import actions, alerts

        actions.register()
        alerts.register()
