"""Import pages: upload a CRM export, map its columns, preview, import, follow the progress, the history.

Thin: every view asks accounts.permissions (through the selectors' visible imports), then calls a
service or selector and renders. A file that cannot be read is a form error naming why, never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.imports import selectors, services, tasks
from accounts.imports.forms import MappingForm, PresetForm, StartForm, UploadForm, field_label
from accounts.imports.models import ImportRun, ImportStatus
from accounts.sync import files
from kam.core import conflicts


def _may_import(user) -> None:
    if not permissions.can_import(user):
        raise PermissionDenied(_("Only the champion and key account managers import files."))


def _run(request, run_id: int, *, heavy: bool = False) -> ImportRun:
    _may_import(request.user)
    run = selectors.visible_run(user=request.user, run_id=run_id, heavy=heavy)
    if run is None:
        raise Http404(_("No such import."))
    return run


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _may_import(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = upload.read(files.MAX_FILE_BYTES + 1)
                run = services.import_upload(
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    file_name=upload.name,
                    data=data,
                    size=upload.size,
                )
            except ValidationError as error:
                conflicts.attach_errors(form, error)
            else:
                return redirect("accounts:import_mapping", run_id=run.pk)
        status = 422
    return render(request, "accounts/import_upload.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request, run_id: int):
    run = _run(request, run_id, heavy=True)
    if run.status != ImportStatus.MAPPING:
        return redirect("accounts:import_run", run_id=run.pk)
    saved = selectors.saved_mappings(kind=run.kind)
    form = MappingForm(request.POST if request.POST.get("action") == "map" else None, run=run)
    presets = PresetForm(request.POST if request.POST.get("action") == "preset" else None, saved=saved)
    status = 200
    if request.method == "POST":
        try:
            if presets.is_bound and presets.is_valid():
                mapping, date_format, name = services.mapping_named(
                    run=run, choice=presets.cleaned_data["preset"]
                )
                services.import_map(
                    run=run, by=request.user, mapping=mapping, date_format=date_format, name=name
                )
                return redirect("accounts:import_mapping", run_id=run.pk)
            if form.is_bound and form.is_valid():
                save_as = form.cleaned_data["save_as"]
                services.import_map(
                    run=run,
                    by=request.user,
                    mapping=form.mapping(),
                    date_format=form.cleaned_data["date_format"],
                    save_as=save_as,
                    name=save_as or (run.mapping_name if form.mapping() == run.mapping else ""),
                )
                if save_as:
                    messages.success(request, _("Mapping saved as “%(name)s”.") % {"name": save_as})
                return redirect("accounts:import_mapping", run_id=run.pk)
        except ValidationError as error:
            conflicts.attach_errors(form if form.is_bound else presets, error)
        status = 422
    preview = services.import_preview(run=run, by=request.user)
    mapped = [f for f in files.FIELDS[run.kind] if f in run.mapping.values()]
    return render(
        request,
        "accounts/import_mapping.html",
        {
            "run": run,
            "form": form,
            "presets": presets,
            "preview": preview,
            "columns": [field_label(run.kind, f) for f in mapped],
            "rows": [_preview_row(outcome, mapped) for outcome in preview.rows],
            "missing": [field_label(run.kind, f) for f in preview.missing],
            "start_form": StartForm(),
        },
        status=status,
    )


def _preview_row(outcome: services.RowOutcome, mapped: list[str]) -> dict:
    """A row of the preview: each mapped field's value as kam reads it and its problems; the rest beside."""
    others = [
        f"{name}: {message}" if name else message
        for name, messages_ in outcome.problems.items()
        if name not in mapped
        for message in messages_
    ]
    return {
        "line": outcome.line,
        "cells": [(outcome.record.get(f, ""), outcome.problems.get(f, [])) for f in mapped],
        "others": others,
        "refused": bool(outcome.problems),
    }


@login_required
@require_POST
def import_start(request, run_id: int):
    run = _run(request, run_id)
    form = StartForm(request.POST)
    form.is_valid()
    try:
        services.import_queue(run=run, by=request.user, strict=form.cleaned_data.get("strict", False))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("accounts:import_mapping", run_id=run.pk)
    # The task reads the run: it starts once the queued state is committed.
    transaction.on_commit(lambda: tasks.import_file_task.delay(run.pk))
    return redirect("accounts:import_run", run_id=run.pk)


@login_required
@require_GET
def import_run(request, run_id: int):
    run = _run(request, run_id)
    template = "accounts/import_run.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"run": run})


@login_required
@require_GET
def import_history(request):
    _may_import(request.user)
    return render(
        request, "accounts/import_history.html", {"runs": selectors.import_history(user=request.user)}
    )


@login_required
@require_GET
def import_rejected(request, run_id: int):
    run = _run(request, run_id, heavy=True)
    response = HttpResponse(services.rejected_rows_csv(run), content_type="text/csv; charset=utf-8")
    name = slugify(run.file_name.rsplit(".", 1)[0]) or "import"
    response["Content-Disposition"] = f'attachment; filename="{name}-rejected.csv"'
    return response
