"""The library context: trust anchors, limits, network, language; and verification."""
from __future__ import annotations

import json
import os
from typing import Iterable, Optional, Union

from ._ffi import Handle, ffi, lib
from ._io import Input, Source
from .errors import InvalidArgumentError, check
from .report import Report

_REVOCATION = {"offline": 0, "online": 1, "none": 2}
_LANGUAGE = {"en": 0, "vi": 1}

PathLike = Union[str, "os.PathLike[str]"]


def _choice(name: str, value: str, table: dict) -> int:
    try:
        return table[value]
    except KeyError:
        raise InvalidArgumentError(f"{name}: {value!r} is not one of {', '.join(table)}", -1) from None


class Context(Handle):
    """Trust anchors, limits against hostile input, network settings and the report language.

    A context may be shared by threads once configured. Use it as a context manager or
    call close(); it is also released when collected.
    """

    def __init__(self, trust: Iterable[PathLike] = (), intermediates: Iterable[PathLike] = (),
                 revocation: str = "offline", timeout: Optional[float] = None,
                 offline: bool = False, language: str = "vi", tsa: Optional[str] = None,
                 max_depth: Optional[int] = None, max_objects: Optional[int] = None,
                 max_bytes: Optional[int] = None) -> None:
        opts = ffi.new("lsign_ctx_options *")
        check(lib.lsign_ctx_options_init(opts, 1))
        opts.revocation = _choice("revocation", revocation, _REVOCATION)
        opts.offline = 1 if offline else 0
        if timeout is not None:
            opts.timeout_ms = max(1, int(timeout * 1000))
        if max_depth is not None:
            opts.max_depth = max_depth
        if max_objects is not None:
            opts.max_objects = max_objects
        if max_bytes is not None:
            opts.max_stream_bytes = max_bytes
        out = ffi.new("lsign_ctx **")
        check(lib.lsign_ctx_new(out, opts))
        self._what = "context"
        self._own(out[0], lib.lsign_ctx_free)
        check(lib.lsign_ctx_set_language(self._ptr, _choice("language", language, _LANGUAGE)))
        for path in trust:
            p = os.fsencode(path)
            check(lib.lsign_ctx_add_trust_dir(self._ptr, p) if os.path.isdir(path)
                  else lib.lsign_ctx_add_trust_file(self._ptr, p))
        for path in intermediates:
            check(lib.lsign_ctx_add_intermediates(self._ptr, os.fsencode(path)))
        if tsa is not None:
            check(lib.lsign_ctx_set_tsa(self._ptr, tsa.encode(), ffi.NULL, ffi.NULL))

    def verify(self, src: Source, name: Optional[str] = None, *,
               detached: Optional[PathLike] = None,
               allow_any_element_reference: bool = False) -> Report:
        """Verify every signature of a PDF or XML document (told apart by its content).

        `src` is a path, bytes, or a binary file (read through its descriptor when it
        has one, e.g. a pipe). The GIL is released while libsign reads and works.
        `detached` is the data of a detached XML signature (referenced by its base name).
        """
        with Input(src) as inp:
            shown = (name if name is not None else inp.name).encode()
            report = ffi.new("lsign_report **")
            if detached is None and not allow_any_element_reference:
                check(lib.lsign_verify(self.ptr, inp.ptr, shown, report))
            else:
                check(self._verify_xml(inp, shown, report, detached, allow_any_element_reference))
            return Report(report[0])

    def inspect(self, src: Source) -> dict:
        """What a PDF or XML document holds, without judging it (`libsign inspect --json`).

        For a PDF: revisions, form fields (signed or not, /SubFilter, /ByteRange, claimed
        time, the widget's page and rectangle), document timestamps and the /DSS; for
        XML: its signatures and their references. Nothing is checked cryptographically:
        use verify() for verdicts. The context's limits apply.
        """
        with Input(src) as inp:
            out = ffi.new("lsign_inspection **")
            check(lib.lsign_inspect(self.ptr, inp.ptr, out))
            try:
                return json.loads(ffi.string(lib.lsign_inspection_json(out[0])).decode("utf-8"))
            finally:
                lib.lsign_inspection_free(out[0])

    def _verify_xml(self, inp: Input, shown: bytes, report, detached, allow_any) -> int:
        opts = ffi.new("lsign_xml_verify_options *")
        check(lib.lsign_xml_verify_options_init(opts, 1))
        opts.allow_any_element_reference = 1 if allow_any else 0
        uri = ffi.NULL
        data = Input(detached) if detached is not None else None
        try:
            if data is not None:
                uri = ffi.new("char[]", os.path.basename(os.fspath(detached)).encode())
                opts.detached_uri = uri
                opts.detached_data = data.ptr
            return lib.lsign_xml_verify(self.ptr, inp.ptr, shown, opts, report)
        finally:
            if data is not None:
                data.close()
