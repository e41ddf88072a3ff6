"""Checks every link of a static site: fails on any relative link to a missing file and any
link to an anchor (`#id`) its page does not have. External links are not fetched: they are
counted and written to a list.

    python docs/tools/check_links.py build/site [--external-list FILE]

Every `href`/`src` of every HTML page is read (a, link, script, img, iframe, source, area).
A link to a folder must have an index.html there; an absolute path (`/x`) is broken, since the
site must work from wherever it is copied. Anchors are any element's `id` (or an `<a name>`).
rustdoc's source pages link line ranges (`#12-30`), which their script resolves: the range's
first line must exist.

One exception, reported but not failing: rustdoc copies the docs of blanket implementations
(`impl<T> Instrument for T`, ...) from the crates that define them into every type's page,
with links written for those crates' own trees (`dispatcher#...`, unresolved `crate::Span`).
Broken links inside rustdoc's `blanket-implementations-list` are not ours to fix: they are
counted and listed, with the crates' text they came from. Every other link must resolve.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRS = {"a": "href", "link": "href", "area": "href", "script": "src", "img": "src",
              "iframe": "src", "source": "src"}
SKIPPED_SCHEMES = {"mailto", "javascript", "data", "tel"}
EXTERNAL_SCHEMES = {"http", "https", "ftp"}
FOREIGN_SECTION = "blanket-implementations-list"  # rustdoc: docs written by other crates


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str, bool]] = []  # (line, href, in a foreign section)
        self.foreign_depth = 0  # open <div>s since the foreign section started, 0: outside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            value = values.get(key)
            if value:
                self.ids.add(value)
        if tag == "div" and (self.foreign_depth or values.get("id") == FOREIGN_SECTION):
            self.foreign_depth += 1
        attr = LINK_ATTRS.get(tag)
        value = values.get(attr) if attr else None
        if value is not None:
            self.links.append((self.getpos()[0], value.strip(), self.foreign_depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.foreign_depth:
            self.foreign_depth -= 1


class Checker:
    def __init__(self, site: Path) -> None:
        self.site = site.resolve()
        self.pages: dict[Path, Page] = {}
        self.broken: list[str] = []
        self.foreign: list[str] = []
        self.external: Counter[str] = Counter()
        self.checked = 0

    def page(self, path: Path) -> Page:
        if path not in self.pages:
            parser = Page()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            parser.close()
            self.pages[path] = parser
        return self.pages[path]

    def has_anchor(self, path: Path, fragment: str) -> bool:
        """As a browser finds it: the fragment as written, then percent-decoded."""
        ids = self.page(path).ids
        if fragment in ids or unquote(fragment) in ids:
            return True
        first = fragment.split("-", 1)[0]
        return fragment[:1].isdigit() and first.isdigit() and first in ids

    def problem(self, page: Path, href: str) -> str | None:
        """What is wrong with a link of `page`, or None (also for one not checked here)."""
        parts = urlsplit(href)
        if parts.scheme in SKIPPED_SCHEMES or href in ("", "#"):
            return None
        if parts.scheme in EXTERNAL_SCHEMES or parts.netloc:
            self.external[href] += 1
            return None
        self.checked += 1
        if parts.scheme:
            return f"unknown scheme {parts.scheme}: (an unresolved reference?)"
        if href.startswith("/"):
            return "an absolute path (the site must be relocatable)"
        target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.site):
            return "outside the site"
        if not target.is_file():
            return "no such file"
        if parts.fragment and target.suffix == ".html" and not self.has_anchor(target, parts.fragment):
            return f"no anchor #{unquote(parts.fragment)} in {target.relative_to(self.site)}"
        return None

    def run(self) -> None:
        for path in sorted(self.site.rglob("*.html")):
            for line, href, foreign in self.page(path).links:
                problem = self.problem(path, href)
                if problem:
                    found = f"{path.relative_to(self.site)}:{line}: {href}: {problem}"
                    (self.foreign if foreign else self.broken).append(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--external-list", type=Path, help="write the external links here, one a line with its count")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: no index.html", file=sys.stderr)
        return 1
    checker = Checker(args.site)
    checker.run()
    for line in checker.broken:
        print(f"broken link: {line}")
    if checker.foreign:
        kinds = Counter(line.split(": ", 1)[1] for line in checker.foreign)
        print(f"not ours: {len(checker.foreign)} broken links in the docs of other crates' blanket "
              f"implementations (rustdoc copies them into each type's page):")
        for what, n in kinds.most_common():
            print(f"    {n} x {what}")
    if args.external_list:
        args.external_list.write_text("".join(f"{n}\t{url}\n" for url, n in sorted(checker.external.items())))
    hosts = Counter(urlsplit(u).netloc for u in checker.external)
    print(f"{len(checker.pages)} pages, {checker.checked} relative links checked, "
          f"{len(checker.broken)} broken, {len(checker.foreign)} not ours; {len(checker.external)} external links not fetched "
          f"({', '.join(f'{h} {n}' for h, n in hosts.most_common())})"
          + (f", listed in {args.external_list}" if args.external_list else ""))
    return 1 if checker.broken else 0


if __name__ == "__main__":
    sys.exit(main())
