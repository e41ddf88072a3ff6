"""The build backend of the `commbox` Python package: maturin's, plus a read-only source tree.

pyproject.toml names this module (``backend-path``); every hook is maturin's. The one
addition: cargo writes its build into ``target/`` of the source tree, so ``pip install .``
from a tree the user cannot write (a read-only mount, a system-wide checkout, a package
manager's unpacked source) would fail. When the tree is not writable and the user chose no
``CARGO_TARGET_DIR``, the build goes to a temporary directory, removed afterwards; a
writable tree builds in ``target/`` as before, reusing what cargo built there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import Any, Iterator, Mapping, Optional

import maturin
from maturin import (  # noqa: F401  (re-exported: the hooks that need no target directory)
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
)

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]


def target_dir_needed(source_dir: str = ".") -> bool:
    """True when cargo could not write its target directory in ``source_dir``."""
    if os.environ.get("CARGO_TARGET_DIR") or os.environ.get("CARGO_BUILD_TARGET_DIR"):
        return False
    target = os.path.join(source_dir, "target")
    if os.path.isdir(target):
        return not os.access(target, os.W_OK | os.X_OK)
    return not os.access(source_dir, os.W_OK | os.X_OK)


@contextlib.contextmanager
def _target_dir() -> Iterator[None]:
    if not target_dir_needed():
        yield
        return
    path = tempfile.mkdtemp(prefix="commbox-build-")
    print(f"commbox: the source tree is not writable; building in {path}", flush=True)
    os.environ["CARGO_TARGET_DIR"] = path
    try:
        yield
    finally:
        del os.environ["CARGO_TARGET_DIR"]
        shutil.rmtree(path, ignore_errors=True)


def build_wheel(
    wheel_directory: str,
    config_settings: Optional[Mapping[str, Any]] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    with _target_dir():
        return maturin.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(
    wheel_directory: str,
    config_settings: Optional[Mapping[str, Any]] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    # An editable install points into the tree: it needs a writable one, as with maturin.
    return maturin.build_editable(wheel_directory, config_settings, metadata_directory)


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: Optional[Mapping[str, Any]] = None
) -> str:
    with _target_dir():
        return maturin.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
