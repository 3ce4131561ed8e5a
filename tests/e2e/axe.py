"""Accessibility checks with the vendored axe-core (see vendor/README.md).

``assert_accessible(page)`` injects axe-core into the page, runs it over the document (or the
given context) and fails the test on every violation whose impact is serious or critical,
listing rule, impact, help text and the first few offending elements.
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = frozenset({"serious", "critical"})
MAX_TARGETS = 3

_RUN_AXE = """
async ([context, options]) => {
  const results = await window.axe.run(context === null ? document : context, options);
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map((t) => Array.isArray(t) ? t.join(" >>> ") : t).join(" "),
      html: n.html,
      summary: n.failureSummary || "",
    })),
  }));
}
"""


def run_axe(page, *, context=None, options=None) -> list[dict]:
    """Every axe violation on the page (all impacts), as plain dicts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's Content-Security-Policy (no inline
        # script) would block add_script_tag's inline <script>.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    return page.evaluate(_RUN_AXE, [context, options or {}])


def format_violations(violations: list[dict], url: str = "") -> str:
    lines = [f"{len(violations)} serious/critical accessibility violation(s) on {url}:"]
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']} "
            f"({len(nodes)} element(s); {violation['helpUrl']})"
        )
        for node in nodes[:MAX_TARGETS]:
            summary = " ".join(node["summary"].split())
            html = " ".join(node["html"].split())
            lines.append(f"    {node['target']}")
            lines.append(f"      html: {html[:200]}")
            if summary:
                lines.append(f"      why: {summary[:300]}")
        if len(nodes) > MAX_TARGETS:
            lines.append(f"    ... and {len(nodes) - MAX_TARGETS} more")
    return "\n".join(lines)


def assert_accessible(page, *, context=None, options=None) -> None:
    """Fail on any serious or critical axe-core violation.

    ``context`` is anything ``axe.run`` accepts as its context (a CSS selector, or a dict with
    ``include``/``exclude``); by default the whole document. ``options`` go to ``axe.run``
    unchanged (e.g. ``{"runOnly": ["wcag2a", "wcag2aa"]}``); by default axe's standard rule set.
    """
    violations = [
        v for v in run_axe(page, context=context, options=options) if v["impact"] in FAILING_IMPACTS
    ]
    assert not violations, format_violations(violations, page.url)
