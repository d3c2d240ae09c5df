"""Installs the Django admin with MastlineAdminSite (apps.accounts.admin_site). A module of its
own: INSTALLED_APPS imports it before the models are ready."""

from django.contrib.admin.apps import AdminConfig


class MastlineAdminConfig(AdminConfig):
    default_site = "apps.accounts.admin_site.MastlineAdminSite"
