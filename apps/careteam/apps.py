from django.apps import AppConfig


class CareteamConfig(AppConfig):
    name = "apps.careteam"
    label = "careteam"
    verbose_name = "Patients and care teams"
