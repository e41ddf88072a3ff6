#!/usr/bin/env python3
"""Runs every README quick start, as pasted, against a fresh commbox-mock.

The README marks what this runs with an HTML comment on the line before a fence:

    <!-- quickstart-env -->     the exports the README tells the user to run (bash);
                                its port 8080 is replaced by the mock's free port
    <!-- quickstart-setup -->   run (bash -e) in each quick start's directory first
    <!-- quickstart: LANG -->   a quick start: python, sh, c, cpp or rust

Each quick start runs in a fresh temporary directory with a minimal environment (PATH with
target/debug first, HOME, and for Rust the toolchain's variables) plus what the env block
exports. Prints one line per quick start and `N passed, M failed`; exits 1 on a failure.

    tests/readme/run_quickstarts.py [README.md]
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[2]
MOCK = REPO / "target" / "debug" / "commbox-mock"
BIN_DIR = REPO / "target" / "debug"
PREFIX = REPO / "build" / "prefix"
VENV_PY = REPO / ".venv" / "bin" / "python"
MARK = re.compile(r"^<!--\s*(quickstart(?:-env|-setup|:\s*([a-z+]+)))\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)\s*([A-Za-z0-9+_-]*)\s*$")
LANGS = ("python", "sh", "c", "cpp", "rust")
TIMEOUT = 600


@dataclass
class Block:
    kind: str  # "env", "setup" or "quickstart"
    lang: str
    line: int
    code: str
    section: str


def extract(readme: Path) -> List[Block]:
    lines = readme.read_text(encoding="utf-8").splitlines()
    blocks: List[Block] = []
    section = ""
    in_fence: Optional[str] = None
    i = 0
    while i < len(lines):
        fence_line = FENCE.match(lines[i])
        if in_fence is not None:
            if lines[i].strip() == in_fence:
                in_fence = None
            i += 1
            continue
        if fence_line:
            in_fence = fence_line.group(1)
            i += 1
            continue
        if lines[i].startswith("#"):
            section = lines[i].lstrip("#").strip()
        m = MARK.match(lines[i].strip())
        if not m:
            i += 1
            continue
        if i + 1 >= len(lines):
            raise SystemExit(f"{readme}:{i + 1}: marker without a fenced block after it")
        fence = FENCE.match(lines[i + 1])
        if not fence:
            raise SystemExit(f"{readme}:{i + 1}: marker not followed by a fence on the next line")
        start = i + 2
        end = start
        while end < len(lines) and lines[end].strip() != fence.group(1):
            end += 1
        if end >= len(lines):
            raise SystemExit(f"{readme}:{i + 2}: unterminated fence")
        code = "\n".join(lines[start:end]) + "\n"
        tag = m.group(1)
        if tag == "quickstart-env":
            blocks.append(Block("env", "sh", i + 2, code, section))
        elif tag == "quickstart-setup":
            blocks.append(Block("setup", "sh", i + 2, code, section))
        else:
            lang = m.group(2) or ""
            if lang not in LANGS:
                raise SystemExit(f"{readme}:{i + 1}: unknown quick start language {lang!r}")
            blocks.append(Block("quickstart", lang, i + 2, code, section))
        i = end + 1
    return blocks


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_mock(port: int) -> Tuple["subprocess.Popen[str]", str]:
    # No --api-key: the README must name the mock's default key.
    env = {k: v for k, v in os.environ.items() if k != "COMMBOX_MOCK_API_KEY"}
    proc = subprocess.Popen(
        [str(MOCK), "--port", str(port)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        raise SystemExit(f"commbox-mock did not start (printed {url!r})")
    return proc, url


def base_env() -> Dict[str, str]:
    env = {
        "PATH": f"{BIN_DIR}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
    }
    for name in ("RUSTUP_HOME", "CARGO_HOME", "TMPDIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def readme_env(env_block: Block, port: int) -> Dict[str, str]:
    """What the env block exports, run in bash with the mock's port."""
    script = env_block.code.replace("8080", str(port)) + "env -0\n"
    clean = base_env()
    out = subprocess.run(
        ["bash", "-e", "-c", script], env=clean, capture_output=True, check=True
    ).stdout.decode()
    after = dict(item.split("=", 1) for item in out.split("\0") if "=" in item)
    return {k: v for k, v in after.items() if clean.get(k) != v and k not in ("_", "SHLVL", "PWD", "OLDPWD")}


def run(cmd: List[str], cwd: Path, env: Dict[str, str]) -> Tuple[bool, str]:
    try:
        p = subprocess.run(
            cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=TIMEOUT, text=True,
        )
    except subprocess.TimeoutExpired:
        return False, f"{' '.join(cmd)}: timed out after {TIMEOUT} s"
    return p.returncode == 0, p.stdout if p.returncode == 0 else f"{' '.join(cmd)}: exit {p.returncode}\n{p.stdout}"


def pkg_config(env: Dict[str, str]) -> List[str]:
    pc_env = dict(env, PKG_CONFIG_PATH=str(PREFIX / "lib" / "pkgconfig"))
    flags = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "commbox"], env=pc_env, capture_output=True,
        text=True, check=True,
    ).stdout.split()
    return flags + [f"-Wl,-rpath,{PREFIX / 'lib'}"]


def run_quickstart(block: Block, cwd: Path, env: Dict[str, str]) -> Tuple[bool, str]:
    if block.lang == "python":
        (cwd / "quickstart.py").write_text(block.code)
        return run([str(VENV_PY), "quickstart.py"], cwd, env)
    if block.lang == "sh":
        (cwd / "quickstart.sh").write_text(block.code)
        return run(["bash", "-e", "quickstart.sh"], cwd, env)
    if block.lang in ("c", "cpp"):
        src = cwd / ("app.c" if block.lang == "c" else "app.cpp")
        src.write_text(block.code)
        compiler = ["cc", "-std=c11"] if block.lang == "c" else ["c++", "-std=c++17"]
        ok, out = run(
            compiler + ["-Wall", "-Wextra", "-Werror", src.name, "-o", "app"] + pkg_config(env), cwd, env
        )
        if not ok:
            return ok, out
        return run(["./app"], cwd, env)
    # rust: a throwaway crate on the checkout's commbox, sharing one target directory.
    (cwd / "src").mkdir()
    (cwd / "src" / "main.rs").write_text(block.code)
    (cwd / "Cargo.toml").write_text(
        '[package]\nname = "quickstart"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\ncommbox = {{ path = "{REPO / "crates" / "commbox"}" }}\n\n[workspace]\n'
    )
    cargo_env = dict(env, CARGO_TARGET_DIR=str(REPO / "target" / "quickstart"))
    lock = REPO / "Cargo.lock"
    if lock.exists():  # the checkout's pinned versions, so the build works offline
        shutil.copy(lock, cwd / "Cargo.lock")
    return run(["cargo", "run", "-q", "--offline"], cwd, cargo_env)


def main(argv: List[str]) -> int:
    readme = Path(argv[1]) if len(argv) > 1 else REPO / "README.md"
    blocks = extract(readme)
    envs = [b for b in blocks if b.kind == "env"]
    setups = [b for b in blocks if b.kind == "setup"]
    quickstarts = [b for b in blocks if b.kind == "quickstart"]
    if len(envs) != 1 or not quickstarts:
        print(f"{readme}: need one quickstart-env block and at least one quick start", file=sys.stderr)
        return 1
    port = free_port()
    mock, url = start_mock(port)
    passed = failed = 0
    try:
        env = dict(base_env(), **readme_env(envs[0], port))
        if env.get("COMMBOX_BASE_URL") != url:
            print(f"{readme}:{envs[0].line}: COMMBOX_BASE_URL is not the mock's URL {url}", file=sys.stderr)
            return 1
        for block in quickstarts:
            name = f"{block.section}: {block.lang} ({readme.name}:{block.line})"
            started = time.monotonic()
            with tempfile.TemporaryDirectory(prefix="quickstart-") as tmp:
                cwd = Path(tmp)
                ok, out = True, ""
                for setup in setups:
                    ok, out = run(["bash", "-e", "-c", setup.code], cwd, env)
                    if not ok:
                        break
                if ok:
                    ok, out = run_quickstart(block, cwd, env)
            took = time.monotonic() - started
            if ok:
                passed += 1
                print(f"ok    {name} ({took:.1f} s)", flush=True)
            else:
                failed += 1
                print(f"FAIL  {name} ({took:.1f} s)", flush=True)
                for text in out.splitlines():
                    print(f"    {text}", flush=True)
    finally:
        mock.terminate()
        mock.wait(timeout=10)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
