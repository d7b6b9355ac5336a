"""axe-core (npm, package.json) run over a page: no serious or critical violation may remain.

The Content-Security-Policy refuses inline scripts, and Playwright's add_script_tag(path=...) adds
axe's source as an inline <script>; page.evaluate runs it through the DevTools protocol instead, which
the policy does not govern (and the page keeps its policy for everything else).
"""

from functools import cache
from pathlib import Path

from django.conf import settings

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

_RUN = """async (impacts) => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + (n.failureSummary || "")),
    }));
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def serious_violations(page) -> list[dict]:
    """axe's serious and critical violations on what `page` shows now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(_RUN, list(BLOCKING))


def assert_accessible(page, where: str) -> None:
    violations = serious_violations(page)
    assert not violations, f"{where} ({page.url}): " + "\n".join(
        f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations
    )
