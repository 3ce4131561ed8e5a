"""Frozen releases: "publish release" and the reads of published results.

``release_publish`` runs :func:`surveys.analysis.analyse` and, only when it succeeds, stores in
one transaction a new version (v1, v2, …) with its files: the responses snapshot, the margins,
the settings, the weights, the results, the methodology and — when ``surveys.exports`` provides
``EXPORT_BUILDERS`` — the bureau's report and microdata files. The files live in the private
storage (``STORAGES["private"]``); each keeps the SHA-256 recorded when it was written.
Releases are immutable (``surveys.models._Frozen``): publishing again makes a new version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from portal.storage import delete_quietly, private_storage, sweep_orphans
from surveys.analysis import Analysis, AnalysisError, analyse
from surveys.models import ReleaseFile, Survey, SurveyEvent, SurveyRelease
from surveys.weighting import write_weights_csv

logger = logging.getLogger(__name__)

__all__ = [
    "ReleaseError",
    "build_release_files",
    "headline_rates",
    "latest_release",
    "release_files_sweep",
    "release_publish",
    "store_release_files",
]

#: Folder of the private storage that holds release files (one sub-folder per publish).
RELEASES_FOLDER = "surveys/releases"

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}


class ReleaseError(AnalysisError):
    """Publishing failed; nothing was stored."""


@dataclass(frozen=True)
class FileSpec:
    name: str
    content: bytes
    media_type: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def content_type(self) -> str:
        extension = self.name.rsplit(".", 1)[-1].lower()
        return self.media_type or CONTENT_TYPES.get(extension, "application/octet-stream")


def _json_bytes(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def _percent(rate: float | None) -> Decimal | None:
    if rate is None:
        return None
    return Decimal(str(100 * rate)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def methodology_text(analysis: Analysis) -> str:
    record = analysis.margins_record
    return render_to_string(
        "surveys/admin/release_methodology.txt",
        {
            "survey": analysis.survey,
            "settings": analysis.settings,
            "diagnostics": analysis.weighting.diagnostics,
            "rules": analysis.rules,
            "margins": record,
            "variables": analysis.margins.variables,
            "n": analysis.report.n,
            "overridden": analysis.settings.get("overridden"),
        },
    ).strip()


def build_release_files(analysis: Analysis, *, methodology: str) -> list[FileSpec]:
    """Every file of a release, built in memory (nothing is stored here)."""
    survey = analysis.survey
    frame = analysis.frame
    snapshot = frame.copy()
    snapshot.index.name = "response_id"
    responses = snapshot.to_csv(lineterminator="\n").encode("utf-8")
    weights = io.StringIO()
    write_weights_csv(
        weights,
        frame.index.tolist(),
        analysis.weights.to_numpy(),
        id_header="respondent_id",
    )
    record = analysis.margins_record
    margins_meta = {
        "label": record.label if record else "",
        "source_note": record.source_note if record else "",
        "illustrative": bool(record and record.illustrative),
        "uploaded_at": record.uploaded_at.isoformat() if record else None,
    }
    files = [
        FileSpec("responses.csv", responses),
        FileSpec("margins.csv", record.as_csv() if record else b""),
        FileSpec(
            "settings.json",
            _json_bytes({**analysis.settings, "margins": margins_meta}),
        ),
        FileSpec("weights.csv", weights.getvalue().encode("utf-8")),
        FileSpec("results.json", _json_bytes(analysis.as_dict())),
        FileSpec("methodology.md", (methodology + "\n").encode("utf-8")),
    ]
    try:
        from surveys import exports
    except ImportError:
        exports = None
    builders = getattr(exports, "EXPORT_BUILDERS", None) or {}
    taken = {f.name for f in files}
    for kind, builder in builders.items():
        try:
            name = str(builder.filename(survey))
            content = builder.build(analysis)
        except Exception as error:
            logger.exception("Release export %s failed for survey %s", kind, survey.pk)
            raise ReleaseError(
                _("The export “%(kind)s” could not be built, so no release was published.")
                % {"kind": kind}
            ) from error
        if isinstance(content, str):
            content = content.encode("utf-8")
        if name in taken:
            name = f"{kind}-{name}"
        taken.add(name)
        files.append(
            FileSpec(name, bytes(content), str(getattr(builder, "content_type", "") or ""))
        )
    return files


def headline_rates(analysis: Analysis) -> dict[str, Decimal | None]:
    values = {}
    for kind in ("satisfaction", "participation"):
        code = analysis.headline(kind)
        estimate = analysis.report.rates.get(code) if code else None
        values[kind] = _percent(estimate.rate) if estimate is not None else None
    return values


def store_release_files(survey: Survey, files: list[FileSpec]) -> list[str]:
    """Write ``files`` to the private storage in a new folder; returns their storage names."""
    folder = f"{RELEASES_FOLDER}/{survey.pk}/{secrets.token_hex(8)}"
    storage = private_storage()
    stored: list[str] = []
    try:
        for spec in files:
            name = f"{folder}/{get_valid_filename(spec.name)}"
            stored.append(storage.save(name, ContentFile(spec.content)))
    except BaseException:
        delete_quietly(storage, stored)
        raise
    return stored


def release_files_sweep(*, older_than: dt.timedelta, dry_run: bool = False) -> int:
    """Delete release files in the private storage that no release refers to (left by a
    publish that failed after writing them). Releases themselves are never deleted."""
    referenced = set(ReleaseFile.objects.values_list("file", flat=True))
    return sweep_orphans(
        private_storage(),
        folders=[RELEASES_FOLDER],
        referenced=referenced,
        older_than=older_than,
        dry_run=dry_run,
    )


def _next_version(survey: Survey) -> int:
    current = SurveyRelease.objects.filter(survey=survey).aggregate(v=Max("version"))["v"]
    return (current or 0) + 1


def release_publish(
    *,
    survey: Survey,
    actor,
    trim_cap: float | None = None,
    collapse: dict[str, dict[str, str]] | None = None,
    override_reason: str = "",
) -> SurveyRelease:
    """Analyse ``survey`` and freeze the result as its next release version.

    ``collapse`` merges small weighting categories into named neighbours; ``override_reason``
    publishes despite a category under the minimum and is stored in the release and printed in
    its methodology. The release records its presentation standard (NCHS 2017), which decides
    what the public page and exports show.

    Raises AnalysisError (or ReleaseError) and stores nothing when any step fails. Concurrent
    publishes are serialised by locking the survey row; the unique (survey, version) constraint
    backs this up on databases without row locks.
    """
    analysis = analyse(
        survey, trim_cap=trim_cap, collapse=collapse, override_reason=override_reason
    )
    methodology = methodology_text(analysis)
    files = build_release_files(analysis, methodology=methodology)
    headline = headline_rates(analysis)
    record = analysis.margins_record
    published_by = actor if actor is not None and actor.is_authenticated else None
    # The files are written before the transaction (no upload runs under the survey's row lock),
    # in a folder of their own; if the release is not stored they are deleted again (and the
    # daily ``survey_purge`` sweeps any a crashed process left).
    stored = store_release_files(survey, files)
    try:
        for attempt in range(3):
            try:
                with transaction.atomic():
                    Survey.objects.select_for_update().filter(pk=survey.pk).first()
                    release = SurveyRelease.objects.create(
                        survey=survey,
                        version=_next_version(survey),
                        published_by=published_by,
                        published_at=timezone.now(),
                        methodology=methodology,
                        settings=json.loads(_json_bytes(analysis.settings)),
                        results=json.loads(_json_bytes(analysis.as_dict())),
                        margins_label=record.label if record else "",
                        margins_illustrative=bool(record and record.illustrative),
                        satisfaction=headline["satisfaction"],
                        participation=headline["participation"],
                        presentation_standard=analysis.settings["presentation_standard"],
                        small_cell_override=analysis.settings["override_reason"],
                    )
                    ReleaseFile.objects.bulk_create(
                        [
                            ReleaseFile(
                                release=release,
                                name=spec.name,
                                content_type=spec.content_type,
                                file=name,
                                sha256=spec.sha256,
                                size=len(spec.content),
                            )
                            for spec, name in zip(files, stored, strict=True)
                        ]
                    )
                    SurveyEvent.objects.create(
                        survey=survey,
                        kind=SurveyEvent.Kind.RELEASED,
                        actor=published_by,
                        detail=f"release {release.label}",
                    )
                    return release
            except IntegrityError:
                if attempt == 2:
                    raise
    except BaseException:
        delete_quietly(private_storage(), stored)
        raise
    raise AssertionError("unreachable")  # pragma: no cover


def latest_release(survey: Survey) -> SurveyRelease | None:
    return SurveyRelease.objects.filter(survey=survey).order_by("-version").first()
