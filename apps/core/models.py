"""Shared model base classes."""

import uuid

from django.db import models
from django.utils import timezone


class PublicModel(models.Model):
    """A record addressed from outside by a random UUID.

    Sequential ids would let anyone count our patients and guess neighbouring records; a UUID also
    lets an offline client name a record before the server has seen it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        abstract = True
