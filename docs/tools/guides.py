"""Renders the guides (Markdown files of the repository) into the documentation site, and
writes the site's index page.

    python docs/tools/guides.py --root . --site build/site README.md docs/json-forms.md ...

Each guide FILE.md becomes guides/FILE.html, keeping its place in the tree, so the links
between guides keep working: a relative link to another .md file is rewritten to its .html
(and that file is rendered too, even when it was not named), a link to any other file of the
repository copies that file into the site, and a link to a folder copies the folder's files
and lists them in an index.html. Anchors are GitHub's, so links written for GitHub resolve.
A link to something that does not exist is left as written: the link check then fails on it.
"""

from __future__ import annotations

import argparse
import html
import shutil
import sys
import xml.etree.ElementTree as etree
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from site_page import blank_line_before_lists, github_slug, write  # noqa: E402

GUIDES = PurePosixPath("guides")


class Site:
    """What has been rendered or copied, and what is still to do."""

    def __init__(self, root: Path, site: Path) -> None:
        self.root = root
        self.site = site
        self.pending: list[PurePosixPath] = []
        self.done: set[PurePosixPath] = set()
        self.titles: dict[PurePosixPath, str] = {}

    def want(self, path: PurePosixPath) -> None:
        if path not in self.done and path not in self.pending:
            self.pending.append(path)

    def link(self, source: PurePosixPath, href: str) -> str:
        """`href` as written in the guide at `source`, as the rendered page must have it."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("#", "/")) or not parts.path:
            return href
        target = PurePosixPath(*(source.parent / unquote(parts.path)).parts)
        resolved = (self.root / target).resolve()
        try:
            repo_path = PurePosixPath(resolved.relative_to(self.root.resolve()).as_posix())
        except ValueError:
            return href  # outside the repository: left for the link check to report
        if not resolved.exists():
            return href
        path = parts.path
        if resolved.is_dir():
            self.want(repo_path)
            path = path.rstrip("/") + "/index.html"
        elif resolved.suffix == ".md":
            self.want(repo_path)
            path = path[: -len(".md")] + ".html"
        else:
            self.want(repo_path)
        return path + (f"#{parts.fragment}" if parts.fragment else "")

    def run(self) -> None:
        while self.pending:
            path = self.pending.pop(0)
            self.done.add(path)
            full = self.root / path
            if full.is_dir():
                self.listing(path)
            elif path.suffix == ".md":
                self.render(path)
            else:
                out = self.site / GUIDES / path
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(full, out)

    def render(self, path: PurePosixPath) -> None:
        text = (self.root / path).read_text(encoding="utf-8")
        site = self

        class Links(Treeprocessor):
            def run(self, root: etree.Element) -> None:
                for el in root.iter():
                    for attr in ("href", "src"):
                        value = el.get(attr)
                        if value is not None and el.tag in ("a", "img"):
                            el.set(attr, site.link(path, value))

        class LinksExtension(Extension):
            def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (its API)
                md.treeprocessors.register(Links(md), "commbox_links", 0)

        md = markdown.Markdown(
            extensions=[
                "fenced_code",
                "tables",
                "sane_lists",
                TocExtension(slugify=github_slug, toc_depth="1-6"),
                LinksExtension(),
            ],
            output_format="html",
        )
        body = md.convert(blank_line_before_lists(text))
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), str(path))
        self.titles[path] = title
        write(self.site, GUIDES / path.with_suffix(".html"), title, body)

    def listing(self, path: PurePosixPath) -> None:
        items = []
        for child in sorted((self.root / path).iterdir()):
            if child.is_file():
                name = child.name
                if child.suffix == ".md":
                    self.want(path / name)
                    name = name[: -len(".md")] + ".html"
                else:
                    self.want(path / name)
                items.append(f'<li><a href="{html.escape(name)}">{html.escape(child.name)}</a></li>')
        body = f"<h1><code>{html.escape(str(path))}/</code></h1>\n<ul>\n" + "\n".join(items) + "\n</ul>"
        write(self.site, GUIDES / path / "index.html", f"{path}/", body)


INDEX_INTRO = """\
<h1>libcommbox documentation</h1>
<p>libcommbox is a client for the <a href="https://www.commbox.io">CommBox</a> API and the
Chatwoot public client API: one Rust core with a Rust crate, a C library (and a C++17
wrapper), a Python package and the <code>commbox</code> command.</p>
"""


def index(site: Site, guides: list[PurePosixPath], references: list[tuple[str, str, str]]) -> None:
    """The site's front page: the guides, then each API reference."""
    rows = []
    for guide in guides:
        href = (GUIDES / guide.with_suffix(".html")).as_posix()
        rows.append(f'<li><a href="{href}">{html.escape(site.titles.get(guide, str(guide)))}</a> '
                    f"<small>({html.escape(str(guide))})</small></li>")
    refs = [f'<li><a href="{html.escape(href)}">{html.escape(name)}</a>: {html.escape(what)}</li>'
            for name, href, what in references]
    body = (INDEX_INTRO + "<h2>Guides</h2>\n<ul>\n" + "\n".join(rows) + "\n</ul>\n"
            "<h2>API reference</h2>\n<ul>\n" + "\n".join(refs) + "\n</ul>\n")
    write(site.site, PurePosixPath("index.html"), "Documentation", body)


def section_index(site: Site, section: str, references: list[tuple[str, str, str]]) -> None:
    """SECTION/index.html listing the references below SECTION/ (rustdoc's pages link a
    `./index.html` of the crates, which cargo doc does not write)."""
    prefix = section.rstrip("/") + "/"
    refs = [f'<li><a href="{html.escape(href[len(prefix):])}">{html.escape(name)}</a>: {html.escape(what)}</li>'
            for name, href, what in references if href.startswith(prefix)]
    write(site.site, PurePosixPath(prefix + "index.html"), f"API reference: {section}",
          f"<h1>API reference: <code>{html.escape(prefix)}</code></h1>\n<ul>\n" + "\n".join(refs) + "\n</ul>\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path("."), help="the repository")
    parser.add_argument("--site", type=Path, required=True, help="the site's directory")
    parser.add_argument("--reference", nargs=3, action="append", default=[], metavar=("NAME", "HREF", "WHAT"),
                        help="an API reference for the index page (HREF relative to the site)")
    parser.add_argument("--section-index", action="append", default=[], metavar="DIR",
                        help="also write DIR/index.html, listing the references below DIR/")
    parser.add_argument("guides", nargs="+", type=PurePosixPath, help="Markdown files, relative to --root")
    args = parser.parse_args()
    site = Site(args.root, args.site)
    for guide in args.guides:
        if not (args.root / guide).is_file():
            print(f"no such guide: {guide}", file=sys.stderr)
            return 1
        site.want(guide)
    site.run()
    references = [(name, href, what) for name, href, what in args.reference]
    index(site, args.guides, references)
    for section in args.section_index:
        section_index(site, section, references)
    rendered = sum(1 for p in site.done if p.suffix == ".md")
    print(f"{rendered} guides rendered ({len(args.guides)} named, the rest linked from them), "
          f"{len(site.done) - rendered} linked files and folders copied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
