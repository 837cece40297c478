"""Importing readings from a file: upload (every row checked at once), preview, confirm or cancel; the template."""

from collections import Counter

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from lean import exports
from lean.errors import ApplicationError, BatchRejected
from lean.forms import StyledForm
from lean.imports import MAX_ROWS
from lean.permissions import require

from .. import import_files, imports, selectors
from ..models import ReadingImport


class ImportForm(StyledForm):
    # Empty files pass the field so that read_upload says what is wrong, in the same words as for the others.
    file = forms.FileField(
        label=gettext_lazy("Readings file"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file, at most 5 MB."),
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def import_upload_view(request, tenant_slug):
    require(request, "readings.enter")
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    rows_error = None
    if request.method == "POST" and form.is_valid():
        try:
            reading_import, skipped = imports.reading_import_create(
                actor=request.membership, upload=form.cleaned_data["file"]
            )
        except BatchRejected as error:
            rows_error = error
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            if skipped:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s row without a value was skipped (line %(lines)s).",
                        "%(count)s rows without a value were skipped (lines %(lines)s).",
                        len(skipped),
                    )
                    % {"count": len(skipped), "lines": _line_list(skipped)},
                )
            return redirect("targets-import-preview", tenant_slug=tenant_slug, reading_import_id=reading_import.pk)
    tree = selectors.tree_for()
    context = {
        "form": form,
        "rows_error": rows_error,
        "headers": import_files.HEADERS,
        "tree": tree,
        "max_rows": MAX_ROWS,
    }
    return render(request, "targets/import_upload.html", context, status=400 if request.method == "POST" else 200)


def _line_list(lines: list[int], shown: int = 20) -> str:
    text = ", ".join(str(line) for line in lines[:shown])
    return text + (" …" if len(lines) > shown else "")


def import_template_view(request, tenant_slug, file_format):
    require(request, "readings.enter")
    if file_format not in exports.FORMATS:
        raise Http404
    year, rows = imports.template_rows(actor=request.membership)
    return import_files.READINGS.template_response(
        fmt=file_format,
        language=get_language() or "",
        filename=f"readings-{year}" if year else "readings",
        title=_("Readings"),
        rows=rows,
    )


def import_preview_view(request, tenant_slug, reading_import_id):
    require(request, "readings.enter")
    reading_import = imports.reading_import_get(reading_import_id=reading_import_id)
    if not imports.may_decide(request.membership, reading_import):
        raise Http404  # someone else's upload: its rows may be for units this member does not manage
    error, rows_error = None, None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                count = imports.reading_import_confirm(actor=request.membership, reading_import=reading_import)
                messages.success(
                    request,
                    ngettext("%(count)s reading imported.", "%(count)s readings imported.", count) % {"count": count},
                )
                return redirect("targets-readings", tenant_slug=tenant_slug)
            if action == "cancel":
                imports.reading_import_cancel(actor=request.membership, reading_import=reading_import)
                messages.info(request, _("The import was cancelled; nothing was stored."))
                return redirect("targets-import", tenant_slug=tenant_slug)
            error = _("Choose Confirm or Cancel.")
        except BatchRejected as failure:
            rows_error = failure
        except ApplicationError as failure:
            error = failure.message
    rows = imports.reading_import_preview(reading_import=reading_import)
    context = {
        "reading_import": reading_import,
        "rows": rows,
        "counts": Counter(row.state for row in rows),
        "pending": reading_import.status == ReadingImport.Status.PREVIEW,
        "may_decide": imports.may_decide(request.membership, reading_import),
        "error": error,
        "rows_error": rows_error,
    }
    return render(request, "targets/import_preview.html", context, status=400 if request.method == "POST" else 200)
