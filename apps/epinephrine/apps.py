from django.apps import AppConfig


class EpinephrineConfig(AppConfig):
    name = "apps.epinephrine"
    label = "epinephrine"
    verbose_name = "Epinephrine readiness: pens, carry checks, after a use"

    def ready(self) -> None:
        # A patient's time zone change moves every local reminder time: replan on save.
        from . import actions, signals  # noqa: F401

        actions.register()
