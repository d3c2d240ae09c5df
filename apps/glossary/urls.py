from django.urls import path

from . import api

urlpatterns = [path("glossary", api.TermsView.as_view(), name="glossary")]
