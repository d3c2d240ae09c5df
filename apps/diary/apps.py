from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "apps.diary"
    label = "diary"
    verbose_name = "Symptom, trigger and lab diary"

    def ready(self) -> None:
        from . import signals

        signals.connect()
