"""The C reference: include/commbox.h's doc comments as one HTML page of the site.

    python docs/tools/c_reference.py include/commbox.h build/site c/index.html

The header is cbindgen's output (`make header`): a file comment with the conventions, then
`/** ... */` before each macro group, type, enum value and function. Every declaration gets
an anchor named after it, its declaration as the header has it, and its comment rendered as
Markdown; names of other declarations in a comment link to them. A function without a doc
comment is an error (the header's own test requires one for every export).
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import markdown

sys.path.insert(0, str(Path(__file__).resolve().parent))
from site_page import blank_line_before_lists, write  # noqa: E402


@dataclass
class Decl:
    kind: str  # "macro", "type", "enum", "function"
    name: str
    code: str
    doc: str
    values: list[tuple[str, str]] = field(default_factory=list)  # an enum's (value, doc)


def comment_text(comment: str) -> str:
    """The text of a `/* ... */` or `/** ... */` comment, without its frame."""
    body = re.sub(r"^/\*\*?", "", comment)
    body = re.sub(r"\*/$", "", body)
    lines = [re.sub(r"^\s*\* ?", "", line) for line in body.splitlines()]
    return "\n".join(lines).strip("\n")


DOC = re.compile(r"/\*\*(?:(?!\*/).)*\*/", re.S)
FUNCTION_NAME = re.compile(r"(\w+)\s*\($")


def parse(header: str) -> tuple[str, list[Decl], list[str]]:
    """The file comment, the documented declarations, and the functions without a comment."""
    intro_match = re.match(r"\s*(/\*(?:(?!\*/).)*\*/)", header, re.S)
    intro = comment_text(intro_match.group(1)) if intro_match else ""
    decls: list[Decl] = []
    enum_end = 0  # the comments before this offset are an enum's values', read with it
    for doc in DOC.finditer(header):
        if doc.start() < enum_end:
            continue
        rest = header[doc.end():].lstrip()
        text = comment_text(doc.group(0))
        if rest.startswith("#define"):
            lines: list[str] = []
            for line in rest.splitlines():
                if not (line.startswith("#define") or (lines and lines[-1].endswith("\\"))):
                    break
                lines.append(line)
            names = [m.group(1) for m in (re.match(r"#define\s+(\w+)", ln) for ln in lines) if m]
            decls.append(Decl("macro", names[0], "\n".join(lines), text))
        elif rest.startswith("typedef enum"):
            end = rest.index("}")
            tail = re.match(r"}\s*(\w+)\s*;", rest[end:])
            assert tail, "typedef enum without a name"
            values = [(m.group(2), comment_text(m.group(1)))
                      for m in re.finditer(r"(/\*\*(?:(?!\*/).)*\*/)\s*(\w+\s*=\s*-?\d+)", rest[:end], re.S)]
            code = re.sub(r"\s*/\*\*(?:(?!\*/).)*\*/", "", rest[: end + tail.end()], flags=re.S)
            decls.append(Decl("enum", tail.group(1), code, text, values))
            enum_end = len(header) - len(rest) + end
        elif rest.startswith("typedef"):
            code = rest[: rest.index(";") + 1]
            decls.append(Decl("type", code.rstrip(";").split()[-1], code, text))
        elif re.match(r"[A-Za-z_]", rest) and "(" in rest.split(";", 1)[0]:
            code = rest[: rest.index(";") + 1]
            name = FUNCTION_NAME.search(code[: code.index("(") + 1])
            assert name, f"no function name in {code!r}"
            decls.append(Decl("function", name.group(1), code, text))
    documented = {d.name for d in decls}
    without = [m.group(1) for m in re.finditer(r"^[A-Za-z_][\w \t*]*?\b(commbox_\w+)\s*\(", header, re.M)
               if m.group(1) not in documented]
    return intro, decls, without


OTHER_FUNCTIONS = "CommBox calls and other functions"
GROUPS = [  # (prefix, heading), longest prefixes first
    ("commbox_client_config", "Client configuration"),
    ("commbox_inbox_message", "Chatwoot inbox messages"),
    ("commbox_conversation", "Conversations being built"),
    ("commbox_message", "Messages being built"),
    ("commbox_client", "Clients"),
    ("commbox_inbox", "Chatwoot inboxes"),
    ("commbox_error", "Errors"),
]


def group_of(name: str) -> str:
    for prefix, heading in GROUPS:
        if name == prefix or name.startswith(prefix + "_"):
            return heading
    return OTHER_FUNCTIONS


def render(intro: str, decls: list[Decl]) -> str:
    names = {d.name for d in decls} | {v.split("=")[0].strip() for d in decls for v, _ in d.values}
    md = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists"], output_format="html")

    def prose(text: str, own: str) -> str:
        out = md.reset().convert(blank_line_before_lists(text))

        def link(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in names and name != own:
                return f'<a href="#{name}"><code>{name}</code></a>'
            return m.group(0)

        return re.sub(r"<code>(commbox_\w+|COMMBOX_\w+)</code>", link, out)

    def block(d: Decl) -> str:
        parts = [f'<div class="decl"><h3 id="{d.name}"><code>{html.escape(d.name)}</code></h3>',
                 f'<pre><code class="language-c">{html.escape(d.code)}</code></pre>', prose(d.doc, d.name)]
        if d.values:
            parts.append("<table><tr><th>value</th><th>meaning</th></tr>")
            for value, doc in d.values:
                name = value.split("=")[0].strip()
                parts.append(f'<tr><td id="{name}"><code>{html.escape(value)}</code></td>'
                             f"<td>{prose(doc, name)}</td></tr>")
            parts.append("</table>")
        parts.append("</div>")
        return "\n".join(parts)

    order = ["Version macros", "Types", "Client configuration", "Clients", OTHER_FUNCTIONS,
             "Conversations being built", "Messages being built", "Chatwoot inboxes",
             "Chatwoot inbox messages", "Errors"]
    sections: dict[str, list[Decl]] = {heading: [] for heading in order}
    for d in decls:
        key = {"macro": "Version macros", "type": "Types", "enum": "Types"}.get(d.kind) or group_of(d.name)
        sections.setdefault(key, []).append(d)
    toc = ['<ul class="toc">']
    body = []
    for heading, items in sections.items():
        if not items:
            continue
        anchor = "section-" + re.sub(r"[^a-z]+", "-", heading.lower()).strip("-")
        toc.append(f'<li><a href="#{anchor}">{html.escape(heading)}</a></li>')
        body.append(f'<h2 id="{anchor}">{html.escape(heading)}</h2>')
        body.extend(block(d) for d in items)
    toc.append("</ul>")
    functions = sum(1 for d in decls if d.kind == "function")
    head = (f"<h1>C reference: <code>commbox.h</code></h1>\n"
            f"<p>{functions} functions, generated from the doc comments of "
            f"<code>include/commbox.h</code> (installed as <code>&lt;commbox.h&gt;</code>). "
            f"The C++17 wrapper <code>commbox.hpp</code> wraps these calls in RAII classes.</p>\n")
    return head + prose(intro, "") + "\n" + "\n".join(toc) + "\n" + "\n".join(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("header", type=Path)
    parser.add_argument("site", type=Path, help="the site's directory")
    parser.add_argument("page", type=PurePosixPath, help="the page's path in the site")
    args = parser.parse_args()
    intro, decls, without = parse(args.header.read_text(encoding="utf-8"))
    if without:
        print(f"functions without a doc comment in {args.header}: {', '.join(without)}", file=sys.stderr)
        return 1
    write(args.site, args.page, "C reference", render(intro, decls))
    kinds = {k: sum(1 for d in decls if d.kind == k) for k in ("function", "type", "enum", "macro")}
    print(f"{args.site / args.page}: {kinds['function']} functions, {kinds['type']} types, {kinds['enum']} enums, "
          f"{kinds['macro']} macro groups, from {args.header}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
