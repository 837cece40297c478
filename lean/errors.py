"""The exception types of broken business rules: one for a rule, one for a refusal, one for a rejected batch.

- `ApplicationError(message, code, field_errors)`: a rule the user broke. A view shows it on its form
  (`lean.forms.apply_error`); the API answers 400 `{"code", "message", "field_errors"}`.
- `Forbidden(message)`: the actor may not do this. Also a Django `PermissionDenied`, so a page answers 403 with
  the message (templates/403.html) and the API 403 `{"code": "permission_denied", "message", "field_errors": {}}`
  (DRF's code for its own refusals, so every 403 of the API reads alike).
  Views refuse with `lean.permissions.require`, services raise it themselves.
- `BatchRejected(rows)`: a batch (a file's rows, a bulk API write, an HR sync) had bad rows, so nothing was
  stored; every bad row is listed. The API answers 400 with the rows in `field_errors` by place, pages show
  the problems table (templates/lean/_batch_problems.html).
"""

import dataclasses
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, gettext_lazy, ngettext


class ApplicationError(Exception):
    """A rule the user broke. Views show `message`; the API answers 400 with `code` and `message`."""

    def __init__(self, message, code: str = "invalid", field_errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field_errors = field_errors or {}


# The 403 page's own words when a refusal gives no reason (templates/403.html).
NO_REASON = gettext_lazy("Your role does not allow this. Ask your lean office if you need access.")


class Forbidden(ApplicationError, PermissionDenied):
    """The actor may not do this (their role, their unit, their own project). The message says why, when there
    is more to say than that the role does not allow it."""

    def __init__(self, message=None):
        super().__init__(message or NO_REASON, code="permission_denied")
        self.reason = message or ""  # the reason given, "" when the role alone says no

    def __str__(self):
        return str(self.message)


@dataclass
class BadRow:
    """One bad row of a batch, with every reason it was refused.

    `row` is where it is: the line in the file (Excel's row number) or the item's place in the request (3,
    "employees.12"); `field` the field the reasons are about, when one is named; `cells` what the row holds as
    the person typed it, shown next to the reasons (in the order of BatchRejected's `columns`).
    """

    row: int | str
    errors: list[str]
    field: str = ""
    cells: tuple = dataclasses.field(default_factory=tuple)

    @property
    def place(self) -> str:
        return f"{self.row}.{self.field}" if self.field else str(self.row)


class BatchRejected(ApplicationError):
    """Some rows of a batch are bad, so nothing was stored; `rows` lists every bad row (BadRow), in order.

    `field_errors` holds the same by place ({"3": [...]}, {"employees.12.unit_code": [...]}), which is what the
    API answers. `total` is the number of rows in the batch; `columns` heads the rows' cells on a page, each
    (label, numeric) where a numeric column is aligned right.
    """

    def __init__(
        self, rows: list[BadRow], *, total: int | None = None, columns=(), message=None, code: str = "invalid_rows"
    ):
        if message is None:
            count = len({row.row for row in rows})
            if total is None:
                message = gettext("Nothing was stored: %(count)s item(s) have errors.") % {"count": count}
            else:  # the rows of a file
                message = ngettext(
                    "Nothing was imported: %(count)s of %(total)s rows has problems.",
                    "Nothing was imported: %(count)s of %(total)s rows have problems.",
                    count,
                ) % {"count": count, "total": total}
        field_errors: dict[str, list[str]] = {}
        for row in rows:
            field_errors.setdefault(row.place, []).extend(row.errors)
        super().__init__(message, code=code, field_errors=field_errors)
        self.rows = rows
        self.total = total
        self.columns = list(columns)

    @property
    def table(self) -> list[dict]:
        """The rows as the problems table shows them: {"row", "cells": [{"text", "numeric"}], "errors"}."""
        numeric = [end for _label, end in self.columns]
        return [
            {
                "row": row.row,
                "cells": [{"text": text, "numeric": end} for text, end in zip(row.cells, numeric, strict=False)],
                "errors": row.errors,
            }
            for row in self.rows
        ]

    @property
    def problems(self) -> list[dict]:
        """Every problem on its own: [{"row": 3, "field": "value", "message": "..."}]."""
        return [{"row": r.row, "field": r.field, "message": m} for r in self.rows for m in r.errors]
