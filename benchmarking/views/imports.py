"""Importing outside peers' values from a file (the lean office): upload, every row checked at once, a preview
on the same page with a signed token of the checked rows, confirm; and the template."""

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

from .. import imports


class ValueImportForm(StyledForm):
    # Empty files pass the field so that the file rules say what is wrong, in the same words as for the others.
    file = forms.FileField(
        label=gettext_lazy("Values file"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file, at most 5 MB."),
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _line_list(lines: list[int], shown: int = 20) -> str:
    text = ", ".join(str(line) for line in lines[:shown])
    return text + (" …" if len(lines) > shown else "")


def value_import_view(request, tenant_slug):
    """GET: the upload form. POST a file: checked; any bad row → 400 listing them all, otherwise the preview with
    a Confirm button. POST the preview's token: checked again and stored, all or nothing."""
    require(request, "benchmarking.manage")
    actor = request.membership
    context = {"rows_error": None, "error": None, "preview": None, "token": ""}
    if request.method == "POST" and "token" in request.POST:
        form = ValueImportForm()
        try:
            count = imports.value_import_confirm(actor=actor, token=request.POST["token"])
        except BatchRejected as failure:
            context["rows_error"] = failure
        except ApplicationError as failure:
            context["error"] = failure.message
        else:
            messages.success(
                request,
                ngettext("%(count)s value imported.", "%(count)s values imported.", count) % {"count": count},
            )
            return redirect("benchmarking-peers", tenant_slug=tenant_slug)
    else:
        form = ValueImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                items, skipped = imports.value_import_check(actor=actor, upload=form.cleaned_data["file"])
            except BatchRejected as failure:
                context["rows_error"] = failure
            except ApplicationError as failure:
                form.add_error("file", failure.message)
            else:
                rows = imports.preview(items=items)
                context.update(
                    preview=rows,
                    counts=Counter(row.state for row in rows),
                    token=imports.rows_token(actor=actor, items=items),
                    file_name=form.cleaned_data["file"].name,
                    skipped=_line_list(skipped) if skipped else "",
                    skipped_count=len(skipped),
                )
    context.update(form=form, headers=imports.HEADERS, max_rows=MAX_ROWS)
    failed = request.method == "POST" and context["preview"] is None
    return render(request, "benchmarking/import.html", context, status=400 if failed else 200)


def value_template_view(request, tenant_slug, file_format):
    require(request, "benchmarking.manage")
    if file_format not in exports.FORMATS:
        raise Http404
    return imports.VALUES.template_response(
        fmt=file_format,
        language=get_language() or "",
        filename="peer-values",
        title=_("Peer values"),
        rows=imports.template_rows(),
    )
