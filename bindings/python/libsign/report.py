"""Verification reports: the C report's JSON as typed Python objects."""
from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from ._ffi import ffi, lib
from .errors import check


def _time(text: Optional[str]) -> Optional[datetime]:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    serial: str
    sha256: str


@dataclass(frozen=True)
class TimestampInfo:
    time: Optional[datetime]
    tsa: str
    status: str


@dataclass(frozen=True)
class Modifications:
    verdict: str
    details: List[str]


@dataclass(frozen=True)
class Covered:
    uri: str
    kind: str
    path: Optional[str]
    length: int


@dataclass(frozen=True)
class Revocation:
    status: str
    source: Optional[str]


@dataclass
class SignatureResult:
    """One signature of a report (ETSI EN 319 102-1 status and its evidence)."""

    index: int
    field: Optional[str]
    status: str
    subindication: Optional[str]
    level: Optional[str]
    signer: CertificateInfo
    signing_time: Optional[datetime]
    timestamp: Optional[TimestampInfo]
    digest_algorithm: str
    byte_range: Optional[Tuple[int, int, int, int]]
    covers_whole_document: bool
    modifications: Modifications
    chain: List[Tuple[str, str]]
    covered: List[Covered]
    revocation: Revocation
    errors: List[str]
    warnings: List[str]
    _report: "Report" = dc_field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    @property
    def passed(self) -> bool:
        return self.status == "TOTAL-PASSED"

    def covered_content(self, k: int) -> bytes:
        """The bytes reference k's digest was computed over: read signed XML content here."""
        return self._report._covered_content(self.index, k)


def _signature(d: Dict[str, Any], report: "Report") -> SignatureResult:
    ts = d.get("timestamp")
    return SignatureResult(
        index=d["index"], field=d["field"], status=d["status"], subindication=d["subindication"],
        level=d["level"], signer=CertificateInfo(**d["signer"]),
        signing_time=_time(d["signing_time"]),
        timestamp=TimestampInfo(_time(ts["time"]), ts["tsa"], ts["status"]) if ts else None,
        digest_algorithm=d["digest_algorithm"],
        byte_range=tuple(d["byte_range"]) if d["byte_range"] else None,  # type: ignore[arg-type]
        covers_whole_document=d["covers_whole_document"],
        modifications=Modifications(d["modifications"]["verdict"], d["modifications"]["details"]),
        chain=[(c["subject"], c["sha256"]) for c in d["chain"]],
        covered=[Covered(c["uri"], c["kind"], c["path"], c["length"]) for c in d.get("covered", [])],
        revocation=Revocation(d["revocation"]["status"], d["revocation"]["source"]),
        errors=list(d["errors"]), warnings=list(d["warnings"]), _report=report)


def _text(p: Any) -> Optional[str]:
    return ffi.string(p).decode("utf-8") if p != ffi.NULL else None


class Report:
    """The verdict on one file. `to_dict()` is exactly the C API's JSON (`libsign verify --json`).

    The status is read from the C report directly; the signatures are built from its JSON
    the first time they are asked for.
    """

    def __init__(self, ptr: Any) -> None:
        self._ptr = ffi.gc(ptr, lib.lsign_report_free)
        self._dict: Optional[Dict[str, Any]] = None
        self._signatures: Optional[List[SignatureResult]] = None
        self.file: str = _text(lib.lsign_report_file(self._ptr)) or ""
        self.format: str = _text(lib.lsign_report_format(self._ptr)) or ""
        self.status: str = _text(lib.lsign_report_status(self._ptr)) or ""
        self.subindication: Optional[str] = _text(lib.lsign_report_subindication(self._ptr))

    def _json(self) -> Dict[str, Any]:
        if self._dict is None:
            text = ffi.new("char **")
            size = ffi.new("size_t *")
            check(lib.lsign_report_json(self._ptr, text, size))
            try:
                self._dict = json.loads(ffi.string(text[0], size[0]).decode("utf-8"))
            finally:
                lib.lsign_free_string(text[0])
        return self._dict

    @property
    def signatures(self) -> List[SignatureResult]:
        """Every signature (and document timestamp), in document order."""
        if self._signatures is None:
            self._signatures = [_signature(s, self) for s in self._json()["signatures"]]
        return self._signatures

    @property
    def passed(self) -> bool:
        """True when the file is TOTAL-PASSED."""
        return self.status == "TOTAL-PASSED"

    @property
    def text(self) -> str:
        """The human summary, in the context's language."""
        return ffi.string(lib.lsign_report_text(self._ptr)).decode("utf-8")

    def to_dict(self) -> Dict[str, Any]:
        """The report as the C API's JSON, parsed (a fresh copy)."""
        return json.loads(json.dumps(self._json()))

    def _covered_content(self, i: int, k: int) -> bytes:
        data = ffi.new("const unsigned char **")
        size = ffi.new("size_t *")
        check(lib.lsign_report_sig_covered_content(self._ptr, i, k, data, size))
        return bytes(ffi.buffer(data[0], size[0]))

    def __repr__(self) -> str:
        return f"<Report {self.file!r} {self.status}>"
