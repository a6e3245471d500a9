"""WCAG 2.1 A and AA checks of the page a browser test is on, by axe-core (shipped inside the
axe-playwright-python package, so nothing is downloaded)."""

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}

_axe = Axe()


def violations_on(page) -> list[str]:
    """One line per rule broken: its id, impact and the first few elements that break it."""
    results = _axe.run(page, options=WCAG_21_AA)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(" ".join(map(str, node["target"])) + " — " + " ".join(node.get("failureSummary", "").split())
                    for node in violation["nodes"][:3])
        for violation in results.response["violations"]
    ]


def assert_accessible(page) -> None:
    found = violations_on(page)
    assert not found, f"WCAG 2.1 AA violations on {page.url}:\n" + "\n".join(found)
