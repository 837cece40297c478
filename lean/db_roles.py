"""Switch a connection to the table owner's role for schema work (migrations, test database setup)."""

from contextlib import contextmanager

import dj_database_url
from django.conf import settings
from django.db import connections

CREDENTIAL_KEYS = ("USER", "PASSWORD", "HOST", "PORT")


@contextmanager
def as_owner(alias: str = "default"):
    if not settings.DATABASE_OWNER_URL:
        yield
        return
    owner = dj_database_url.parse(settings.DATABASE_OWNER_URL)
    connection = connections[alias]
    saved = {key: connection.settings_dict[key] for key in CREDENTIAL_KEYS}
    connection.close()
    connection.settings_dict.update({key: owner[key] for key in CREDENTIAL_KEYS})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
