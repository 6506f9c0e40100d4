"""libsign's status codes as exceptions; each carries the C status and error text."""
from __future__ import annotations

from ._ffi import ffi, lib


class LibsignError(Exception):
    """A libsign call failed. `code` is the C status (LSIGN_E_*), `message` its error text."""

    code = 0

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidArgumentError(LibsignError, ValueError):
    """A bad argument or option (LSIGN_E_INVALID_ARG)."""
    code = -1


class LibsignIOError(LibsignError, OSError):
    """A file or stream could not be read or written (LSIGN_E_IO)."""
    code = -2


class ParseError(LibsignError):
    """The input is malformed: PDF, XML, DER, URI... (LSIGN_E_PARSE)."""
    code = -3


class UnsupportedError(LibsignError):
    """Valid input using a feature libsign lacks (LSIGN_E_UNSUPPORTED)."""
    code = -4


class KeyUnusableError(LibsignError):
    """A key or certificate is unusable or was not found (LSIGN_E_KEY)."""
    code = -5


class TokenError(LibsignError):
    """The PKCS#11 module or token failed (LSIGN_E_TOKEN)."""
    code = -6


class PinError(LibsignError):
    """A PIN or password is wrong or missing, or the token is locked (LSIGN_E_PIN)."""
    code = -7


class CryptoError(LibsignError):
    """A cryptographic operation failed (LSIGN_E_CRYPTO)."""
    code = -8


class NetworkError(LibsignError):
    """A TSA, OCSP, CRL or HTTP request failed (LSIGN_E_NETWORK)."""
    code = -9


class PolicyError(LibsignError):
    """Refused by policy: a certification forbids it, a revoked signer... (LSIGN_E_POLICY)."""
    code = -10


class OutOfMemoryError(LibsignError, MemoryError):
    """Out of memory (LSIGN_E_NOMEM)."""
    code = -11


class LimitError(LibsignError):
    """A limit against hostile input was reached (LSIGN_E_LIMIT)."""
    code = -12


_BY_CODE = {cls.code: cls for cls in (
    InvalidArgumentError, LibsignIOError, ParseError, UnsupportedError, KeyUnusableError,
    TokenError, PinError, CryptoError, NetworkError, PolicyError, OutOfMemoryError, LimitError)}


def error_for_code(code: int) -> type[LibsignError]:
    """The exception class of a C status code (LibsignError for an unknown one)."""
    return _BY_CODE.get(code, LibsignError)


def check(status: int) -> None:
    """Raises the exception of a failed call, with the thread's libsign error text."""
    if status == 0:
        return
    text = ffi.string(lib.lsign_last_error()).decode("utf-8", "replace")
    if not text:
        text = ffi.string(lib.lsign_strerror(status)).decode("utf-8", "replace")
    raise error_for_code(status)(text, status)
