"""The Celery app. Configuration is read from Django settings (the CELERY_ prefix)."""

import os

from celery import Celery
from celery.fixups.django import (  # type: ignore[attr-defined]  # celery-types omits the worker part
    DjangoFixup,
    DjangoWorkerFixup,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings.base")

app = Celery("mastline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class KeepDatabaseConnections(DjangoWorkerFixup):
    """Celery's Django fixup closes every database connection before and after each task, so a
    worker opened a new PostgreSQL connection per task (a fifth of a delivery's time) and
    CONN_MAX_AGE did nothing. A task is treated like Django treats a request instead: the
    connection is kept, and dropped only when it broke or outlived CONN_MAX_AGE; the health check
    (CONN_HEALTH_CHECKS) runs before its first use in the next task. A forked pool process still
    drops the connections it inherited (`on_worker_process_init`, unchanged)."""

    def close_database(self, **kwargs: object) -> None:
        for connection in self._db.connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()


def _keep_database_connections() -> None:
    # Celery keeps the fixup instances it installed in `_fixups`; the worker part is created on
    # the worker's start unless one is set before, which is what this does.
    for fixup in getattr(app, "_fixups", None) or ():
        if isinstance(fixup, DjangoFixup):
            # celery-types declares it read-only; Celery's own class has the setter.
            fixup.worker_fixup = KeepDatabaseConnections(app)  # type: ignore[misc]


def _install_worker_heartbeat() -> None:
    # Imported late: the step touches Django models, which need the app registry.
    from apps.ops.heartbeat import WorkerHeartbeatStep

    app.steps["worker"].add(WorkerHeartbeatStep)


_keep_database_connections()
_install_worker_heartbeat()
