"""The catalogues are complete: every string in the code is translated, none is fuzzy."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))


def load(path):
    with path.open("rb") as fh:
        return read_po(fh)


def test_both_languages_have_catalogues():
    languages = {path.parts[-3] for path in CATALOGUES}
    assert {"zh_Hans", "en"} <= languages


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_catalogue_has_no_untranslated_or_fuzzy_entries(path):
    catalog = load(path)
    untranslated = [
        m.id for m in catalog if m.id and not (all(m.string) if m.pluralizable else m.string)
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated in {path}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy[:10]}"


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext not installed (CI installs it)"
)
def test_catalogues_cover_every_string_in_the_source(tmp_path):
    """Re-extract the messages in a scratch copy of the project and compare the msgid sets.

    makemessages writes into every locale/ directory above the files it reads, so it runs in a
    copy: run in the checkout it would rewrite the committed catalogues."""
    project = tmp_path / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "tests", "node_modules", "__pycache__", "*.mo", "bench", "docs"
        ),
    )
    scratch = project / "locale"
    for domain in ("django", "djangojs"):
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "zh_Hans",
                "-d",
                domain,
                "--no-location",
                "--ignore",
                ".venv/*",
                "--ignore",
                "var/*",
                "--ignore",
                "tests/*",
                "--ignore",
                "static/vendor/*",
            ],
            cwd=project,
            check=True,
            capture_output=True,
            env={
                "PATH": "/usr/bin:/bin",
                "DJANGO_DEBUG": "true",
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "PORTAL_LOCALE_DIR": str(scratch),
                "PORTAL_VAR_DIR": str(tmp_path / "var"),
                "PYTHONPATH": str(project),
            },
        )
    for domain in ("django", "djangojs"):
        fresh_path = scratch / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        if not fresh_path.exists():
            continue
        fresh = {m.id for m in load(fresh_path) if m.id}
        committed = {
            m.id for m in load(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po") if m.id
        }
        missing = fresh - committed
        assert not missing, (
            f"run `make messages`: {domain} strings missing from the catalogue: {sorted(missing)[:10]}"
        )
