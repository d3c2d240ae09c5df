from django.apps import AppConfig


class GlossaryConfig(AppConfig):
    name = "apps.glossary"
    verbose_name = "Clinical terms in each language"
