"""StreamField blocks of a column article, each with its own accessible template."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from portal.search import html_to_text

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=250,
        help_text=_("Describe what the image shows for people who cannot see it (required)."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)
    credit = blocks.CharBlock(label=_("credit"), required=False, max_length=120)

    class Meta:
        icon = "image"
        label = _("Image with caption")
        template = "cms/blocks/image.html"


class TableWithCaptionBlock(blocks.StructBlock):
    caption = blocks.CharBlock(
        label=_("caption"),
        max_length=200,
        help_text=_("What the table shows (read by screen readers)."),
    )
    table = TableBlock(
        label=_("table"),
        table_options={"startRows": 3, "startCols": 3, "colHeaders": False, "rowHeaders": False},
    )
    source = blocks.CharBlock(label=_("source"), required=False, max_length=200)

    class Meta:
        icon = "table"
        label = _("Table")
        template = "cms/blocks/table.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(
        label=_("link text"), required=False, help_text=_("Defaults to the document's title.")
    )

    class Meta:
        icon = "doc-full"
        label = _("Document attachment")
        template = "cms/blocks/document.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quotation"))
    attribution = blocks.CharBlock(label=_("attribution"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "cms/blocks/quote.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("info", _("Information")), ("notice", _("Notice")), ("warning", _("Warning"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("title"), max_length=120)
    text = blocks.RichTextBlock(label=_("text"), features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "help"
        label = _("Callout")
        template = "cms/blocks/callout.html"


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("value"), max_length=32, help_text=_("e.g. 96.3"))
    unit = blocks.CharBlock(label=_("unit"), max_length=16, required=False, help_text=_("e.g. %"))
    label = blocks.CharBlock(label=_("label"), max_length=80)
    note = blocks.CharBlock(label=_("note"), max_length=160, required=False)

    class Meta:
        icon = "pick"
        label = _("Key figure")


class KeyFiguresBlock(blocks.ListBlock):
    def __init__(self, **kwargs):
        super().__init__(KeyFigureBlock(), **kwargs)

    class Meta:
        icon = "pick"
        label = _("Key figures")
        template = "cms/blocks/key_figures.html"
        min_num = 1
        max_num = 6


class ArticleBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Section heading"), max_length=120, template="cms/blocks/heading.html", icon="title"
    )
    paragraph = blocks.RichTextBlock(label=_("Rich text"), features=RICH_TEXT_FEATURES)
    image = ImageWithCaptionBlock()
    table = TableWithCaptionBlock()
    document = DocumentBlock()
    quote = QuoteBlock()
    callout = CalloutBlock()
    key_figures = KeyFiguresBlock()

    class Meta:
        required = False


def stream_text(stream) -> str:
    """Plain text of an article body for the search index and snippets (no database queries
    beyond what the blocks already hold: documents and images contribute their typed text)."""
    parts: list[str] = []
    for child in stream or ():
        kind, value = child.block_type, child.value
        if kind == "heading":
            parts.append(str(value))
        elif kind == "paragraph":
            parts.append(html_to_text(value.source))
        elif kind == "image":
            parts.extend([value.get("caption") or "", value.get("alt_text") or ""])
        elif kind == "table":
            parts.append(value.get("caption") or "")
            for row in (value.get("table") or {}).get("data") or ():
                parts.extend(str(cell) for cell in row if cell)
        elif kind == "document":
            parts.append(value.get("title") or "")
        elif kind == "quote":
            parts.extend([value.get("text") or "", value.get("attribution") or ""])
        elif kind == "callout":
            parts.extend([value.get("title") or "", html_to_text(value["text"].source)])
        elif kind == "key_figures":
            for figure in value:
                parts.append(
                    f"{figure.get('label')} {figure.get('value')}{figure.get('unit') or ''} "
                    f"{figure.get('note') or ''}"
                )
    return " ".join(p.strip() for p in parts if p and p.strip())
