"""The documentation site's page frame and Markdown rendering, shared by its generators.

Every page written by docs/tools (the index, the guides, the C reference) is one HTML file
that links the site's stylesheet and its index by relative paths, so the site works from any
directory and over file://.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path, PurePath

STYLE = """\
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 0 1rem 3rem; color: #1b1b1b; }
nav.site { border-bottom: 1px solid #ddd; padding: .6rem 0; margin-bottom: 1rem; font-size: .9rem; }
nav.site a { margin-right: 1rem; }
pre { background: #f6f8fa; padding: .7rem; overflow-x: auto; font-size: .85rem; line-height: 1.35; }
code { font-size: .9em; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; vertical-align: top; }
h1, h2, h3 { line-height: 1.25; }
h3 code { font-size: 1em; }
.decl { margin: 1.5rem 0; padding-top: .5rem; border-top: 1px solid #eee; }
.toc { columns: 2; font-size: .85rem; }
"""

STYLE_FILE = "style.css"


def relative(from_page: PurePath, to: PurePath) -> str:
    """The URL of `to` from the page `from_page`, both relative to the site's root."""
    return Path(os.path.relpath(to, from_page.parent)).as_posix()


def page(site_path: PurePath, title: str, body: str) -> str:
    """A whole HTML page at `site_path` (relative to the site's root)."""
    index = relative(site_path, PurePath("index.html"))
    style = relative(site_path, PurePath(STYLE_FILE))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)} - libcommbox</title>\n"
        f'<link rel="stylesheet" href="{style}">\n</head>\n<body>\n'
        f'<nav class="site"><a href="{index}">libcommbox documentation</a></nav>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def write(site: Path, site_path: PurePath, title: str, body: str) -> None:
    """Writes a page, and the stylesheet when the site has none yet."""
    out = site / site_path
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page(site_path, title, body), encoding="utf-8")
    style = site / STYLE_FILE
    if not style.exists():
        style.write_text(STYLE, encoding="utf-8")


def github_slug(value: str, separator: str = "-") -> str:
    """A heading's anchor as GitHub makes it, so links written for GitHub work here too:
    lower case, punctuation other than `-` and `_` dropped, each space a hyphen."""
    value = re.sub(r"[^\w\- ]", "", value.strip().lower())
    return value.replace(" ", separator)


_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+\.)\s")


def blank_line_before_lists(text: str) -> str:
    """Python-Markdown starts a list only after a blank line; GitHub also after a paragraph."""
    out: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if (
            not in_fence
            and _LIST_ITEM.match(line)
            and out
            and out[-1].strip()
            and not _LIST_ITEM.match(out[-1])
            and not out[-1].startswith((" ", "\t"))
        ):
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"
