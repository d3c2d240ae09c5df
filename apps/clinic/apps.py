from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "apps.clinic"
    label = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from . import signals

        signals.connect()
