from django.db import models


class Heartbeat(models.Model):
    """The last sign of life of a background process, read by /api/health.

    `worker:<hostname>` rows are written by each Celery worker every WORKER_HEARTBEAT_SECONDS
    (apps.ops.heartbeat.WorkerHeartbeatStep); the `beat` row by the beat scheduler as it ticks
    (apps.ops.beat.HeartbeatScheduler).
    """

    name = models.CharField(max_length=200, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at.isoformat()}"
