"""The segmentation and highlighting rules of cms.search, without a database."""

from cms.search import MAX_QUERY_LENGTH, SearchQuery, highlight, snippet
from portal.search import segment, tokens


def test_chinese_runs_become_overlapping_bigrams():
    assert tokens("生态文明建设") == ["生态", "态文", "文明", "明建", "建设"]


def test_a_two_character_query_is_one_of_the_indexed_bigrams():
    assert set(tokens("生态")) <= set(tokens("东区推进生态文明建设"))


def test_latin_words_and_numbers_are_lowercased_without_inner_punctuation():
    assert tokens("PM2.5浓度") == ["pm25", "浓度"]
    assert tokens("ＰＭ２．５") == ["pm25"]  # full-width input is normalised (NFKC)
    assert tokens("攀钢SO2排放") == ["攀钢", "so2", "排放"]


def test_a_lone_chinese_character_is_kept_as_a_token():
    assert tokens("水 质") == ["水", "质"]


def test_segment_deduplicates_tokens():
    assert segment("垃圾分类，垃圾分类") == "垃圾 圾分 分类"


def test_punctuation_and_markup_do_not_become_tokens():
    assert tokens("<script>alert('x')</script>") == ["script", "alert", "x"]
    assert "<" not in segment("<b>生态</b>")


def test_an_empty_or_blank_query_is_empty():
    assert SearchQuery.parse("").is_empty
    assert SearchQuery.parse("   ").is_empty
    assert SearchQuery.parse("，。！").is_empty
    assert SearchQuery.parse(None).is_empty


def test_a_very_long_query_is_cut_and_flagged():
    query = SearchQuery.parse("生态" * 5000)
    assert query.truncated
    assert len(query.text) == MAX_QUERY_LENGTH
    assert len(query.match_tokens) <= 32


def test_a_single_character_query_falls_back_to_titles():
    assert SearchQuery.parse("蚁").needs_title_fallback
    assert not SearchQuery.parse("蚁 红火").needs_title_fallback


def test_highlight_escapes_html_and_marks_the_query():
    query = SearchQuery.parse("生态")
    html = highlight("<b>生态</b>文明", query)
    assert html == "&lt;b&gt;<mark>生态</mark>&lt;/b&gt;文明"


def test_highlight_is_case_and_width_insensitive_but_keeps_the_original_text():
    assert highlight("PM2.5浓度下降", SearchQuery.parse("pm2.5")) == "<mark>PM2.5</mark>浓度下降"


def test_snippet_is_centred_on_the_first_match_and_elided():
    text = "前言。" * 40 + "东华街道推进垃圾分类示范片区建设。" + "结语。" * 40
    html = snippet(text, SearchQuery.parse("垃圾分类"))
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>垃圾分类</mark>" in html
    assert len(html) < 260


def test_snippet_escapes_markup_in_the_text():
    html = snippet("<script>alert(1)</script> 生态", SearchQuery.parse("生态"))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_character_references_in_rich_text_are_decoded_once_for_the_index():
    from portal.search import html_to_text

    text = html_to_text("<p>&ldquo;两山&rdquo;理念&nbsp;写作&amp;lt;b&amp;gt;</p><p>下一段</p>")
    assert text == "“两山”理念 写作&lt;b&gt; 下一段"
    assert "ldquo" not in segment(text) and "rdquo" not in segment(text)
    assert "两山" in segment(text).split()


def test_block_boundaries_and_table_cells_stay_apart():
    from portal.search import html_to_text

    assert html_to_text("<p>生态</p><p>文明</p>") == "生态 文明"
    assert html_to_text("<table><tr><td>水质</td><td>优良</td></tr></table>") == "水质 优良"
    assert html_to_text("甲<br>乙<br/>丙") == "甲 乙 丙"
