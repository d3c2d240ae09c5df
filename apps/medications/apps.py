from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "apps.medications"
    label = "medications"
    verbose_name = "Medications, doses and reminders"

    def ready(self) -> None:
        # Its missed-dose steps are a kind of the one alert pipeline (apps.alerts).
        from . import actions, alerts

        actions.register()
        alerts.register()
