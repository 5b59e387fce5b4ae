"""Watching a page for script that should never run, and for markup that could run it."""

from __future__ import annotations

from html.parser import HTMLParser

# Before any page script: count CSP violations, so blocked attempts are seen too.
WATCH_SCRIPT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.sample || e.blockedURI || ""));
});
"""

# Everything in the DOM that could run script, wherever it sits on the page; and inside the
# text written by readers (comment bodies, author names), any element or attribute beyond
# the sanitizer's allow-list.
SCAN_DOM = """
(allowed) => {
  const found = [];
  const urlAttr = /^(href|src|action|formaction|background|poster|data|lowsrc|dynsrc|codebase|cite|xlink:href|srcset|ping)$/;
  const badScheme = /^(javascript|vbscript|livescript|data):/;
  const ownScript = s => /^\\/(theme\\/js\\/comments|moderate\\/static\\/moderate)\\.js$/.test(s.getAttribute("src") || "");
  const describe = el => "<" + el.localName + "> " + el.outerHTML.slice(0, 120);
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020\\u007f-\\u00a0\\u200b-\\u200f\\ufeff]+/g, "").toLowerCase();
      if (name.startsWith("on")) found.push("event handler " + name + ": " + describe(el));
      if (name === "srcdoc") found.push("srcdoc: " + describe(el));
      if ((urlAttr.test(name) || name.endsWith(":href")) && badScheme.test(value))
        found.push("script URL in " + name + ": " + describe(el));
    }
    const tag = el.localName;
    if (tag === "script" && !ownScript(el)) found.push("script element: " + describe(el));
    if (["iframe", "frame", "frameset", "object", "embed", "applet", "base"].includes(tag))
      found.push("active element: " + describe(el));
    if (tag === "meta" && el.hasAttribute("http-equiv")) found.push("meta http-equiv: " + describe(el));
  }
  for (const root of document.querySelectorAll(".comment-body, .comment-author, .kept-text, .queue .body")) {
    for (const el of root.querySelectorAll("*")) {
      if (!allowed.tags.includes(el.localName)) found.push("tag not allowed: " + describe(el));
      for (const attr of el.attributes)
        if (!(allowed.attributes[el.localName] || []).includes(attr.name))
          found.push("attribute not allowed: " + attr.name + " " + describe(el));
    }
  }
  return found;
}
"""


class Watch:
    """Dialogs, console markers and page errors seen by one page."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.console: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda message: self.console.append(message.text))
        page.add_init_script(WATCH_SCRIPT)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def problems(self, allowed: dict, settle_ms: int = 300) -> dict:
        """Anything that ran or could run; empty lists when the page is clean."""
        self.page.wait_for_timeout(settle_ms)  # let image errors, autofocus and animations fire
        return {
            "dialogs": self.dialogs,
            "marker": self.page.evaluate("() => window.__xss === undefined ? [] : [String(window.__xss)]"),
            "csp_violations": self.page.evaluate("() => window.__cspViolations || []"),
            "console_markers": [m for m in self.console if "xss" in m.lower()],
            "dom": self.page.evaluate(SCAN_DOM, allowed),
        }


def is_clean(problems: dict) -> bool:
    return not any(problems.values())


class MarkupScan(HTMLParser):
    """The same checks for HTML outside a browser (feed entries)."""

    def __init__(self, allowed: dict):
        super().__init__()
        self.allowed = allowed
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.allowed["tags"]:
            self.found.append(f"tag not allowed: {tag}")
        for name, value in attrs:
            if name not in self.allowed["attributes"].get(tag, []):
                self.found.append(f"attribute not allowed: {tag} {name}")
            cleaned = "".join(ch for ch in (value or "") if ch > " ").lower()
            if cleaned.startswith(("javascript:", "vbscript:", "data:", "livescript:")):
                self.found.append(f"script URL: {tag} {name}={value!r}")

    handle_startendtag = handle_starttag


def scan_markup(html: str, allowed: dict) -> list[str]:
    scanner = MarkupScan(allowed)
    scanner.feed(html)
    scanner.close()
    return scanner.found
