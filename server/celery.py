"""The Celery app. Configuration is read from Django settings (the CELERY_ prefix)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings.base")

app = Celery("mastline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _install_worker_heartbeat() -> None:
    # Imported late: the step touches Django models, which need the app registry.
    from apps.ops.heartbeat import WorkerHeartbeatStep

    app.steps["worker"].add(WorkerHeartbeatStep)


_install_worker_heartbeat()
