"""Checks that the PyPI description in built Python distributions has no relative links.

    python docs/tools/check_long_description.py dist/commbox-*.whl dist/commbox-*.tar.gz

PyPI shows the long description (the body of a wheel's METADATA or an sdist's PKG-INFO)
away from the repository, so a relative link (`docs/x.md`, `#anchor`, `LICENSE-MIT`) leads
nowhere there. Every link must be absolute: http(s) or mailto. Markdown links and images,
reference definitions, autolinks and HTML href/src are read; code is not.
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

LINKS = [
    re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)"),  # [text](url), ![alt](url)
    re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M),  # [label]: url
    re.compile(r"<((?:[a-z][a-z0-9+.-]*:)[^>\s]+)>", re.I),  # <scheme:...>
    re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", re.I),  # HTML
]
ABSOLUTE = re.compile(r"^(https?://[^/\s]+|mailto:)", re.I)


def metadata(path: Path) -> str:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as z:
            name = next(n for n in z.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
            return z.read(name).decode("utf-8")
    with tarfile.open(path) as t:
        member = next(m for m in t.getmembers() if re.fullmatch(r"[^/]+/PKG-INFO", m.name))
        f = t.extractfile(member)
        assert f is not None
        return f.read().decode("utf-8")


def links(markdown: str) -> list[str]:
    text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", markdown, flags=re.S | re.M)  # fenced code
    text = re.sub(r"(`+)(?:(?!\1).)+?\1", "", text, flags=re.S)  # code spans
    return [m.group(1) for pattern in LINKS for m in pattern.finditer(text)]


def check(path: Path) -> list[str]:
    """The problems of one distribution's long description (none: it is fit for PyPI)."""
    raw = metadata(path)
    headers = HeaderParser().parsestr(raw)
    body = headers.get_payload()
    description = body if isinstance(body, str) and body.strip() else headers.get("Description", "")
    if not description.strip():
        return ["no long description"]
    problems = []
    if headers.get("Description-Content-Type", "").split(";")[0].strip() != "text/markdown":
        problems.append(f"Description-Content-Type is {headers.get('Description-Content-Type')!r}, not text/markdown")
    found = links(description)
    problems += [f"relative link: {url}" for url in found if not ABSOLUTE.match(url)]
    if not problems:
        print(f"ok {path.name}: long description ({len(description.splitlines())} lines) has "
              f"{len(found)} links, all absolute")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dists", nargs="+", type=Path, help="wheels (.whl) and sdists (.tar.gz)")
    args = parser.parse_args()
    failed = 0
    for path in args.dists:
        problems = check(path)
        for problem in problems:
            print(f"FAILED {path.name}: {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
