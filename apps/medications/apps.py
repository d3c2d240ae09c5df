from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "apps.medications"
    label = "medications"
    verbose_name = "Medications, doses and reminders"

    def ready(self) -> None:
        # A patient's time zone change moves every dose and reminder: replan on save.
        from . import actions, signals  # noqa: F401

        actions.register()
