"""IndicatorReading and SurveyMargins are written only by their service functions.

The scan reads the project's own code (not tests, migrations or the virtualenv) and fails on a
direct writer anywhere else: constructing the model, ``objects.create``/``update_or_create``/
``get_or_create``/``bulk_create``/``bulk_update``, or a queryset ``.update(`` on the model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["portal", "disclosure", "surveys", "cms"]

WRITERS = {
    "IndicatorReading": "disclosure/services.py",
    "SurveyMargins": "surveys/services.py",
}


def _pattern(model: str) -> re.Pattern:
    return re.compile(
        rf"\b{model}\("
        rf"|\b{model}\.objects\b[^\n]*\.(create|update_or_create|get_or_create|bulk_create|bulk_update|update)\("
    )


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            yield path


@pytest.mark.parametrize(("model", "home"), list(WRITERS.items()))
def test_only_the_service_module_writes(model, home):
    pattern = _pattern(model)
    offenders = []
    for path in _sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative == home:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and not line.lstrip().startswith(("class ", "#")):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], f"write {model} through {home}"


@pytest.mark.parametrize(
    "line",
    [
        "IndicatorReading.objects.create(indicator=i)",
        "    IndicatorReading.objects.filter(pk=1).update(entered_by=u)",
        "reading = IndicatorReading(indicator=i)",
        "SurveyMargins.objects.bulk_create(rows)",
    ],
)
def test_the_scan_catches_a_direct_writer(line):
    model = line.strip().split(".")[0].split("(")[0].split()[-1]
    assert _pattern(model).search(line)
