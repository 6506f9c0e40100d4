"""Python sources and destinations as libsign inputs and outputs."""
from __future__ import annotations

import os
from typing import IO, Any, Optional, Union

from ._ffi import Handle, ffi, lib
from .errors import check

Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]
Destination = Union[None, str, "os.PathLike[str]", IO[bytes]]


def _descriptor(f: Any) -> Optional[int]:
    """The file object's descriptor, or None (BytesIO and the like have none)."""
    try:
        return f.fileno() if hasattr(f, "fileno") else None
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None


class Input(Handle):
    """An lsign_input over a path, a descriptor or bytes (kept alive with it)."""

    def __init__(self, src: Source) -> None:
        self._keep: Any = None
        self.name = ""
        out = ffi.new("lsign_input **")
        if isinstance(src, (str, os.PathLike)):
            self.name = os.fspath(src)
            check(lib.lsign_input_from_path(out, os.fsencode(src)))
        elif isinstance(src, (bytes, bytearray, memoryview)):
            self._keep = ffi.from_buffer(bytes(src) if isinstance(src, memoryview) else src)
            check(lib.lsign_input_from_memory(out, self._keep, len(self._keep)))
        elif _descriptor(src) is not None:
            name = getattr(src, "name", "")
            self.name = name if isinstance(name, str) else ""
            check(lib.lsign_input_from_fd(out, _descriptor(src)))
        elif hasattr(src, "read"):
            self._keep = ffi.from_buffer(src.read())
            check(lib.lsign_input_from_memory(out, self._keep, len(self._keep)))
        else:
            raise TypeError(f"not a path, bytes or binary file: {type(src).__name__}")
        self._own(out[0], lib.lsign_input_free)


class Output(Handle):
    """An lsign_output to a path (written atomically), or memory for bytes and file objects."""

    def __init__(self, dst: Destination) -> None:
        self.dst = dst
        out = ffi.new("lsign_output **")
        if isinstance(dst, (str, os.PathLike)):
            check(lib.lsign_output_to_path(out, os.fsencode(dst)))
        else:
            check(lib.lsign_output_to_memory(out))
        self._own(out[0], lib.lsign_output_free)

    def finish(self) -> Optional[bytes]:
        """The signed bytes for dst None; written to a file object; None otherwise."""
        if isinstance(self.dst, (str, os.PathLike)):
            return None
        data = ffi.new("const unsigned char **")
        size = ffi.new("size_t *")
        check(lib.lsign_output_memory(self.ptr, data, size))
        result = bytes(ffi.buffer(data[0], size[0]))
        if self.dst is None:
            return result
        self.dst.write(result)
        return None
