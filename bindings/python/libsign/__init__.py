"""libsign: sign and verify PDF (PAdES) and XML (XAdES) documents with tokens, HSMs and key files.

    import libsign
    ctx = libsign.Context(trust=["/etc/libsign/root-ca.pem"], language="en")
    report = ctx.verify("khai-sinh.pdf")
    print(report.status, report.signatures[0].signer.subject)

    with libsign.Signer.pkcs12("me.p12", password) as signer:
        signer.sign_pdf("in.pdf", "out.pdf", reason="Phê duyệt")

A thin, typed layer over the stable C ABI of libsign.so.1 (cffi, ABI mode). Failures raise
LibsignError subclasses carrying the C error text; the GIL is released inside libsign.
"""
from ._ffi import ffi, lib
from .appearance import Appearance
from .context import Context
from .errors import (CryptoError, InvalidArgumentError, KeyUnusableError, LibsignError,
                     LibsignIOError, LimitError, NetworkError, OutOfMemoryError, ParseError,
                     PinError, PolicyError, TokenError, UnsupportedError, error_for_code)
from .report import (CertificateInfo, Covered, Modifications, Report, Revocation,
                     SignatureResult, TimestampInfo)
from .signer import Signer
from .tokens import TokenItem, list_tokens



def library_version() -> str:
    """The version of the libsign.so.1 that is loaded."""
    return ffi.string(lib.lsign_version()).decode()


# The package is a layer over the library and is released with it: one version for both.
__version__ = library_version()


__all__ = [
    "Appearance", "CertificateInfo", "Context", "Covered", "CryptoError", "InvalidArgumentError",
    "KeyUnusableError", "LibsignError", "LibsignIOError", "LimitError", "Modifications",
    "NetworkError", "OutOfMemoryError", "ParseError", "PinError", "PolicyError", "Report",
    "Revocation", "SignatureResult", "Signer", "TimestampInfo", "TokenError", "TokenItem",
    "UnsupportedError", "error_for_code", "library_version", "list_tokens",
]
