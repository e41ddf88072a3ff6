"""One version for every artifact: the one in [workspace.package] of the root Cargo.toml.

    python3 tests/packaging/check_versions.py --wheel-dir D --sdist-dir D --sdk-dir D

Reads the version back from every crate, the Python wheel and sdist, the C header's macros,
the shared library (commbox_version() and its SONAME), pkg-config, the CMake config,
`commbox --version`, the .debs and the tarball's name, and prints one `ok` or `FAILED` line
per check and `N passed, M failed`. The artifacts are the ones `make test` built
(mk/versions.mk builds any that are missing).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from typing import Callable, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*cmd: str, **kw: object) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout.strip()  # type: ignore[call-overload, no-any-return]


def soversion(version: str) -> str:
    """The ABI series of packaging/README.md: 0.MINOR before 1.0, MAJOR from 1.0 on."""
    major, minor = version.split(".")[:2]
    return f"0.{minor}" if major == "0" else major


def one(pattern: str) -> str:
    found = sorted(glob.glob(pattern))
    if len(found) != 1:
        raise AssertionError(f"expected one file for {pattern}, found {found}")
    return found[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wheel-dir", required=True)
    parser.add_argument("--sdist-dir", required=True)
    parser.add_argument("--sdk-dir", required=True)
    args = parser.parse_args()

    with open(os.path.join(ROOT, "Cargo.toml"), "rb") as f:
        version = tomllib.load(f)["workspace"]["package"]["version"]
    major, minor, patch = (int(re.match(r"\d+", p).group()) for p in version.split(".")[:3])  # type: ignore[union-attr]
    abi = soversion(version)
    print(f"the version: {version} (Cargo.toml [workspace.package]); ABI series {abi}")

    results: List[bool] = []

    def check(name: str, fn: Callable[[], Optional[str]]) -> None:
        try:
            detail = fn()
            print(f"ok {name}" + (f": {detail}" if detail else ""))
            results.append(True)
        except Exception as e:  # noqa: BLE001  (every check reports; the next one runs)
            print(f"FAILED {name}: {type(e).__name__}: {e}")
            results.append(False)

    def expect(what: str, got: object, want: object) -> None:
        if got != want:
            raise AssertionError(f"{what} is {got!r}, not {want!r}")

    # -- Rust --------------------------------------------------------------------------------
    def crates() -> str:
        meta = json.loads(run("cargo", "metadata", "--no-deps", "--offline", "--format-version", "1", cwd=ROOT))
        names = []
        for pkg in meta["packages"]:
            expect(f"{pkg['name']}'s version", pkg["version"], version)
            with open(pkg["manifest_path"], "rb") as f:
                own = tomllib.load(f)["package"]["version"]
            expect(f"{pkg['name']}'s Cargo.toml version", own, {"workspace": True})
            # A dependency on another workspace crate asks for exactly this release series.
            for dep in pkg["dependencies"]:
                if dep.get("path") and dep["kind"] != "dev":
                    expect(f"{pkg['name']} -> {dep['name']} requirement", dep["req"], f"^{version}")
            names.append(pkg["name"])
        return ", ".join(sorted(names))

    check("crates: every version is the workspace's", crates)

    # -- Python ------------------------------------------------------------------------------
    def pyproject() -> None:
        with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
            project = tomllib.load(f)["project"]
        expect("pyproject.toml's own version", project.get("version"), None)
        if "version" not in project.get("dynamic", []):
            raise AssertionError("pyproject.toml does not take the version from Cargo (dynamic)")

    check("pyproject.toml: the version is dynamic (from Cargo)", pyproject)

    def wheel() -> str:
        path = one(os.path.join(args.wheel_dir, "commbox-*.whl"))
        expect("the wheel's file name version", os.path.basename(path).split("-")[1], version)
        with zipfile.ZipFile(path) as z:
            metadata = z.read(f"commbox-{version}.dist-info/METADATA").decode()
        expect("the wheel's METADATA Version", re.search(r"^Version: (.*)$", metadata, re.M).group(1), version)  # type: ignore[union-attr]
        return os.path.basename(path)

    check("Python wheel", wheel)

    def sdist() -> str:
        path = one(os.path.join(args.sdist_dir, "commbox-*.tar.gz"))
        expect("the sdist's file name", os.path.basename(path), f"commbox-{version}.tar.gz")
        with tarfile.open(path) as t:
            member = t.extractfile(f"commbox-{version}/PKG-INFO")
            assert member is not None
            pkg_info = member.read().decode()
        expect("the sdist's PKG-INFO Version", re.search(r"^Version: (.*)$", pkg_info, re.M).group(1), version)  # type: ignore[union-attr]
        return os.path.basename(path)

    check("Python sdist", sdist)

    # -- C: header, library, pkg-config, CMake, CLI (from the tarball) ----------------------
    def header() -> None:
        with open(os.path.join(ROOT, "include", "commbox.h")) as f:
            text = f.read()
        macros = dict(re.findall(r"^#define (COMMBOX_VERSION_\w+) (.+)$", text, re.M))
        expect("COMMBOX_VERSION_MAJOR", macros.get("COMMBOX_VERSION_MAJOR"), str(major))
        expect("COMMBOX_VERSION_MINOR", macros.get("COMMBOX_VERSION_MINOR"), str(minor))
        expect("COMMBOX_VERSION_PATCH", macros.get("COMMBOX_VERSION_PATCH"), str(patch))
        expect("COMMBOX_VERSION_STRING", macros.get("COMMBOX_VERSION_STRING"), f'"{version}"')

    check("include/commbox.h: COMMBOX_VERSION_* macros", header)

    tarball = ""
    tree = ""
    work = tempfile.mkdtemp()

    def sdk_tarball() -> str:
        nonlocal tarball, tree
        tarball = one(os.path.join(args.sdk_dir, "commbox-*.tar.gz"))
        triple = run("rustc", "-vV").split("host: ")[1].split()[0]
        expect("the tarball's name", os.path.basename(tarball), f"commbox-{version}-{triple}.tar.gz")
        with tarfile.open(tarball) as t:
            tops = {m.name.split("/")[0] for m in t.getmembers()}
            expect("the tarball's top directory", tops, {f"commbox-{version}-{triple}"})
            t.extractall(work, filter="tar")
        tree = os.path.join(work, f"commbox-{version}-{triple}")
        return os.path.basename(tarball)

    check("C SDK tarball: name", sdk_tarball)

    def library() -> str:
        lib = os.path.join(tree, "lib")
        so = os.path.join(lib, f"libcommbox.so.{version}")
        dynamic = run("readelf", "-d", so)
        expect("the SONAME", re.search(r"Library soname: \[(.*)\]", dynamic).group(1), f"libcommbox.so.{abi}")  # type: ignore[union-attr]
        src = os.path.join(work, "v.c")
        with open(src, "w") as f:
            f.write(
                '#include <stdio.h>\n#include <string.h>\n#include "commbox.h"\n'
                "int main(void) { printf(\"%s %s\\n\", commbox_version(), COMMBOX_VERSION_STRING);"
                " return strcmp(commbox_version(), COMMBOX_VERSION_STRING) != 0; }\n"
            )
        exe = os.path.join(work, "v")
        run("cc", "-o", exe, src, f"-I{tree}/include", f"-L{lib}", "-lcommbox", f"-Wl,-rpath,{lib}")
        expect("commbox_version() and COMMBOX_VERSION_STRING", run(exe), f"{version} {version}")
        return f"libcommbox.so.{abi}"

    check("C library: commbox_version(), the SONAME", library)

    def pkgconfig() -> None:
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(tree, "lib", "pkgconfig"))
        expect("pkg-config --modversion", run("pkg-config", "--modversion", "commbox", env=env), version)

    check("pkg-config", pkgconfig)

    def cmake() -> None:
        script = os.path.join(work, "v.cmake")
        config = os.path.join(tree, "lib", "cmake", "commbox")
        with open(script, "w") as f:
            f.write(
                f'set(PACKAGE_FIND_VERSION "{version}")\nset(PACKAGE_FIND_VERSION_MAJOR "{major}")\n'
                f'set(PACKAGE_FIND_VERSION_MINOR "{minor}")\nset(PACKAGE_FIND_VERSION_COUNT 3)\n'
                f'set(CMAKE_SIZEOF_VOID_P 8)\ninclude("{config}/commboxConfigVersion.cmake")\n'
                'message("${PACKAGE_VERSION} ${PACKAGE_VERSION_EXACT}")\n'
            )
        # message() writes to stderr.
        out = subprocess.run(["cmake", "-P", script], check=True, capture_output=True, text=True).stderr.strip()
        expect("the CMake config version", out, f"{version} TRUE")

    check("CMake config version (exact match)", cmake)

    def cli() -> None:
        expect("commbox --version", run(os.path.join(tree, "bin", "commbox"), "--version"), f"commbox {version}")

    check("commbox --version", cli)

    def debs() -> str:
        arch = run("dpkg", "--print-architecture")
        names = [f"libcommbox{abi}", "libcommbox-dev", "commbox"]
        for name in names:
            deb = os.path.join(args.sdk_dir, f"{name}_{version}_{arch}.deb")
            expect(f"{name}'s Version", run("dpkg-deb", "-f", deb, "Version"), version)
        return ", ".join(names)

    check(".debs: names and Version fields", debs)

    subprocess.run(["rm", "-rf", work], check=False)
    passed, failed = results.count(True), results.count(False)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
