"""Files to attach: paths, bytes with a name, or binary file objects.

What each form costs:

- a path (``str`` or :class:`os.PathLike`) is streamed from disk while the request is sent,
  by Rust with the GIL released: memory use does not grow with the file's size;
- a binary file object backed by a regular file on disk and positioned at its start (what
  ``open(path, "rb")`` gives) is streamed from its path in the same way;
- any other file object (``io.BytesIO``, a pipe, a socket, or a file already partly read) is
  read into memory from its current position when the request is built;
- bytes are sent from memory, and need a name: ``("invoice.pdf", data)`` or
  ``Attachment(data, name="invoice.pdf")``.

The MIME type is guessed from the name unless ``content_type`` is given.

Each form crosses to the core as the core's JSON form of an attachment: a path string, or
``{"path", "name", "content_type"}``, or ``{"name", "content_base64", "content_type"}`` for
bytes; the core checks it (a name, a readable regular file) before anything is sent.
"""

from __future__ import annotations

import base64
import io
import os
import stat
from typing import IO, Any, Dict, Optional, Sequence, Tuple, Union

__all__ = ["Attachment", "AttachmentLike"]

_BytesLike = Union[bytes, bytearray, memoryview]


class Attachment:
    """A file to attach to a conversation or a message.

    ``source`` is a path, bytes (then ``name`` is required) or a binary file object; ``name``
    overrides the file name sent to the server and ``content_type`` the MIME type guessed
    from it. See the module documentation for which forms are streamed.

    >>> Attachment("invoice.pdf")
    Attachment('invoice.pdf')
    >>> Attachment(b"total: 10", name="invoice.txt", content_type="text/plain")
    Attachment(<9 bytes>, name='invoice.txt', content_type='text/plain')
    """

    __slots__ = ("source", "name", "content_type")

    source: Union[str, "os.PathLike[str]", _BytesLike, IO[bytes]]
    name: Optional[str]
    content_type: Optional[str]

    def __init__(
        self,
        source: Union[str, "os.PathLike[str]", _BytesLike, IO[bytes]],
        *,
        name: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> None:
        if isinstance(source, io.TextIOBase):
            raise TypeError("attachment file objects must be opened in binary mode ('rb')")
        self.source = source
        self.name = name
        self.content_type = content_type

    def __repr__(self) -> str:
        if isinstance(self.source, (bytes, bytearray, memoryview)):
            what = f"<{len(self.source)} bytes>"
        elif isinstance(self.source, (str, os.PathLike)):
            what = repr(os.fspath(self.source))
        else:
            what = f"<{type(self.source).__name__}>"
        extra = "".join(
            f", {k}={v!r}" for k, v in (("name", self.name), ("content_type", self.content_type)) if v is not None
        )
        return f"Attachment({what}{extra})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Attachment):
            return NotImplemented
        return (self.source, self.name, self.content_type) == (other.source, other.name, other.content_type)

    __hash__ = None  # type: ignore[assignment]

    def _form(self) -> Dict[str, Any]:
        """The core's JSON form: ``{"path": ...}`` or ``{"content_base64": ...}``,
        with the name and type given."""
        source = self.source
        if isinstance(source, (bytes, bytearray, memoryview)):
            form = _bytes_form(source)
        elif isinstance(source, (str, os.PathLike)):
            form = {"path": os.fspath(source)}
        else:
            form = _file_object_form(source)
        if self.name is not None:
            form["name"] = self.name
        if self.content_type is not None:
            form["content_type"] = self.content_type
        return form


AttachmentLike = Union[Attachment, str, "os.PathLike[str]", Tuple[str, _BytesLike], IO[bytes]]
"""What ``attachments=[...]`` accepts: an :class:`Attachment`, a path, a ``(name, bytes)``
tuple or a binary file object."""


def _attachment_forms(items: Any) -> Any:
    """``attachments=[...]`` in the core's JSON form. Anything but a list is passed as it is,
    for the core to refuse by name (a lone path string is not a list of them)."""
    if not _is_list(items):
        return items
    return [_attachment_form(item) for item in items]


def _is_list(value: Any) -> bool:
    """Whether ``value`` is a sequence that JSON holds as an array: not a str or bytes, which
    would otherwise be taken one character at a time."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _attachment_form(item: AttachmentLike) -> Union[str, Dict[str, Any]]:
    """The core's JSON form of one item of ``attachments=[...]``."""
    if isinstance(item, Attachment):
        return item._form()
    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item)
    if isinstance(item, tuple):
        if len(item) != 2 or not isinstance(item[0], str):
            raise TypeError("an attachment tuple is (name, bytes)")
        name, data = item
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"attachment {name!r}: expected bytes, got {type(data).__name__}")
        return Attachment(data, name=name)._form()
    if isinstance(item, (bytes, bytearray, memoryview)):
        return _bytes_form(item)
    if hasattr(item, "read"):
        return Attachment(item)._form()
    raise TypeError(
        f"cannot attach a {type(item).__name__}: use a path, (name, bytes), "
        "a binary file object or commbox.Attachment"
    )


def _bytes_form(data: _BytesLike) -> Dict[str, Any]:
    return {"content_base64": base64.b64encode(data).decode("ascii")}


def _file_object_form(f: IO[bytes]) -> Dict[str, Any]:
    """A file object as a path to stream when it is a whole file on disk, else its bytes."""
    if isinstance(f, io.TextIOBase):
        raise TypeError("attachment file objects must be opened in binary mode ('rb')")
    path = _disk_path(f)
    if path is not None:
        return {"path": path}
    data = f.read()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("attachment file objects must be opened in binary mode ('rb')")
    form = _bytes_form(data)
    name = getattr(f, "name", None)
    if isinstance(name, str) and name:
        form["name"] = os.path.basename(name)
    return form


def _disk_path(f: IO[bytes]) -> Optional[str]:
    """The path of the regular file `f` reads, if `f` is positioned at its start."""
    name = getattr(f, "name", None)
    if not isinstance(name, str):
        return None
    try:
        opened = os.fstat(f.fileno())
        if not stat.S_ISREG(opened.st_mode) or f.tell() != 0:
            return None
        named = os.stat(name)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    # The name must still lead to the same file (not renamed or replaced since it was opened).
    if (named.st_dev, named.st_ino) != (opened.st_dev, opened.st_ino):
        return None
    return name
