"""Published versions of disclosure items: canonical text, SHA-256 fingerprints and diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from portal.search import html_to_text
from portal.uploads import canonical_sha256, file_sha256


def document_sha256(document) -> str:
    with document.file.open("rb") as fh:
        return file_sha256(fh)


def item_text(item) -> str:
    """The text a version fingerprints: metadata table, title, summary and body, line by line."""
    lines = [
        f"标题：{item.title}",
        f"索引号：{item.index_number or ''}",
        f"发布机构：{item.department.name}",
        f"主题分类：{item.category.name}",
        f"文种：{item.doc_type}",
        f"文号：{item.document_number}",
        f"成文日期：{item.written_date:%Y-%m-%d}",
        f"发布日期：{item.publication_date:%Y-%m-%d}",
        f"有效性：{item.get_validity_display()}",
        "",
    ]
    if item.summary:
        lines += [item.summary, ""]
    body = html_to_text(
        (item.body or "").replace("</p>", "</p>\n").replace("<br/>", "\n").replace("<br>", "\n")
    )
    lines += [line.strip() for line in body.replace("。", "。\n").splitlines() if line.strip()]
    return "\n".join(lines)


def item_attachments(item) -> list[dict]:
    rows = []
    for attachment in item.attachments.select_related("document").order_by("sort_order", "pk"):
        document = attachment.document
        rows.append(
            {
                "title": attachment.label or document.title,
                "filename": document.filename,
                "sha256": document_sha256(document),
                "document_id": document.pk,
            }
        )
    return rows


def fingerprint(text: str, attachments: list[dict]) -> str:
    """SHA-256 over the text and each attachment's name and content hash (canonical JSON)."""
    return canonical_sha256(
        {"text": text, "attachments": [[a["filename"], a["sha256"]] for a in attachments]}
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def diff_versions(old_text: str, new_text: str) -> list[DiffLine]:
    lines = []
    for line in difflib.ndiff(old_text.splitlines(), new_text.splitlines()):
        code, text = line[:2], line[2:]
        if code == "  ":
            lines.append(DiffLine("same", text))
        elif code == "- ":
            lines.append(DiffLine("removed", text))
        elif code == "+ ":
            lines.append(DiffLine("added", text))
    return lines


def diff_attachments(old: list[dict], new: list[dict]) -> list[DiffLine]:
    def label(a):
        return f"{a['title']} ({a['filename']}) sha256:{a['sha256'][:12]}…"

    old_set = {label(a) for a in old}
    new_set = {label(a) for a in new}
    out = [DiffLine("removed", x) for x in sorted(old_set - new_set)]
    out += [DiffLine("added", x) for x in sorted(new_set - old_set)]
    out += [DiffLine("same", x) for x in sorted(old_set & new_set)]
    return out
