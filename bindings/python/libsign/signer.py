"""Signers: a key on a PKCS#11 token or HSM, in a PKCS#12 file or a PEM file; and signing."""
from __future__ import annotations

import os
from typing import Any, List, Optional

from ._ffi import Handle, ffi, lib
from ._io import Destination, Input, Output, Source
from .appearance import Appearance
from .context import Context, _choice
from .errors import InvalidArgumentError, check

_LEVELS = {"B-B": 1, "B-T": 2, "B-LT": 3, "B-LTA": 4}
_DIGESTS = {"sha256": 1, "sha384": 2, "sha512": 3}
_SCHEMES = {"auto": 0, "pkcs1": 1, "pss": 2, "ecdsa": 3}
_PROFILES = {"xades": 0, "edxml": 1, "einvoice": 2}
_PLACEMENTS = {"enveloped": 0, "enveloping": 1, "detached": 2}
_C14N = {None: 0, "exc": 1, "c14n": 2, "c14n11": 3}


class _PinCallback:
    """An lsign_pin_fn answering with a PIN or password held by Python (never in argv or env)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode("utf-8")

        @ffi.callback("int(const char *, unsigned int, char *, size_t, size_t *, void *)")
        def fn(what, flags, buf, size, length, userdata):
            if len(self._secret) > size:
                return 1
            ffi.memmove(buf, self._secret, len(self._secret))
            length[0] = len(self._secret)
            return 0

        self.fn = fn


def _common(opts, level: str, digest: str, scheme: str) -> None:
    """The options PDF and XML signing share."""
    opts.level = _choice("level", level.upper(), _LEVELS)
    opts.digest = _choice("digest", digest, _DIGESTS)
    opts.scheme = _choice("scheme", scheme, _SCHEMES)


def _cstr(keep: List[Any], value: Optional[str]):
    if value is None:
        return ffi.NULL
    keep.append(ffi.new("char[]", os.fsencode(value) if isinstance(value, os.PathLike)
                        else value.encode("utf-8")))
    return keep[-1]


class Signer(Handle):
    """An open key and its certificate chain; one login for all its signatures.

    Make one with Signer.pkcs11(), Signer.pkcs12() or Signer.pem(); use it as a context
    manager (or call close()). It may be used by several threads at once. Signing runs
    with the GIL released.
    """

    def __init__(self, key: str, *, context: Optional[Context] = None, module: Optional[str] = None,
                 cert: Optional[str] = None, chain: Optional[str] = None,
                 pin: Optional[str] = None, pin_source: Optional[str] = None,
                 allow_invalid_cert: bool = False) -> None:
        self.context = context if context is not None else Context()
        opts = ffi.new("lsign_signer_options *")
        check(lib.lsign_signer_options_init(opts, 1))
        keep: List[Any] = []
        opts.module = _cstr(keep, module)
        opts.cert_file = _cstr(keep, cert)
        opts.chain_file = _cstr(keep, chain)
        opts.pin_source = _cstr(keep, pin_source)
        opts.allow_invalid_cert = 1 if allow_invalid_cert else 0
        self._pin = _PinCallback(pin) if pin is not None else None
        if self._pin is not None:
            opts.pin_callback = self._pin.fn
        out = ffi.new("lsign_signer **")
        check(lib.lsign_signer_open(out, self.context.ptr, os.fsencode(key), opts))
        self._what = "signer"
        self._own(out[0], lib.lsign_signer_free)

    @classmethod
    def pkcs11(cls, uri: str, *, pin: Optional[str] = None, pin_source: Optional[str] = None,
               module: Optional[str] = None, context: Optional[Context] = None,
               cert: Optional[str] = None, chain: Optional[str] = None) -> "Signer":
        """A key on a token or HSM: a pkcs11: URI (see list_tokens()), the PIN given or from
        pin_source ("env:VAR", "file:PATH", "prompt")."""
        if not uri.startswith("pkcs11:"):
            raise InvalidArgumentError(f"not a pkcs11: URI: {uri!r}", -1)
        return cls(uri, context=context, module=module, cert=cert, chain=chain, pin=pin,
                   pin_source=pin_source)

    @classmethod
    def pkcs12(cls, path: "str | os.PathLike[str]", password: Optional[str] = None, *,
               context: Optional[Context] = None, password_source: Optional[str] = None) -> "Signer":
        """A key and its certificates in a PKCS#12 (.p12, .pfx) file."""
        return cls(os.fspath(path), context=context, pin=password, pin_source=password_source)

    @classmethod
    def pem(cls, key: "str | os.PathLike[str]", cert: Optional[str] = None,
            chain: Optional[str] = None, *, password: Optional[str] = None,
            context: Optional[Context] = None) -> "Signer":
        """A PEM or DER private key file, its certificate and its chain (PEM)."""
        return cls(os.fspath(key), context=context, cert=None if cert is None else os.fspath(cert),
                   chain=None if chain is None else os.fspath(chain), pin=password)

    @property
    def subject(self) -> str:
        """The signer certificate's subject, e.g. "CN=Nguyễn Văn Ánh, O=..."."""
        return ffi.string(lib.lsign_signer_subject(self.ptr)).decode("utf-8")

    @property
    def certificates(self) -> List[bytes]:
        """The DER certificates: the signer's first, then its chain."""
        certs = []
        for i in range(lib.lsign_signer_cert_count(self.ptr)):
            der = ffi.new("const unsigned char **")
            size = ffi.new("size_t *")
            check(lib.lsign_signer_cert_der(self.ptr, i, der, size))
            certs.append(bytes(ffi.buffer(der[0], size[0])))
        return certs

    def _use_tsa(self, tsa: Optional[str]) -> None:
        if tsa is not None:
            check(lib.lsign_ctx_set_tsa(self.context.ptr, tsa.encode(), ffi.NULL, ffi.NULL))

    def sign_pdf(self, src: Source, dst: Destination = None, *, level: str = "B-B",
                 reason: Optional[str] = None, location: Optional[str] = None,
                 contact: Optional[str] = None, name: Optional[str] = None,
                 field: Optional[str] = None, certify: Optional[int] = None,
                 digest: str = "sha256", scheme: str = "auto",
                 appearance: Optional[Appearance] = None,
                 tsa: Optional[str] = None) -> Optional[bytes]:
        """Sign a PDF (PAdES). dst None returns the signed bytes; a path is written atomically;
        a binary file object is written to. B-T and up use the context's TSA; `tsa` sets it
        (on the signer's context, for later calls too)."""
        self._use_tsa(tsa)
        opts = ffi.new("lsign_pdf_sign_options *")
        check(lib.lsign_pdf_sign_options_init(opts, 1))
        keep: List[Any] = []
        _common(opts, level, digest, scheme)
        opts.reason = _cstr(keep, reason)
        opts.location = _cstr(keep, location)
        opts.contact_info = _cstr(keep, contact)
        opts.name = _cstr(keep, name)
        opts.field_name = _cstr(keep, field)
        if certify is not None:
            if certify not in (1, 2, 3):
                raise InvalidArgumentError(f"certify: {certify!r} is not 1, 2 or 3", -1)
            opts.certify = certify
        if appearance is not None:
            opts.appearance = appearance.ptr
        with Input(src) as inp, Output(dst) as out:
            check(lib.lsign_pdf_sign(self.context.ptr, self.ptr, inp.ptr, out.ptr, opts))
            return out.finish()

    def sign_xml(self, src: Source, dst: Destination = None, *, profile: str = "xades",
                 placement: str = "enveloped", level: str = "B-B", c14n: Optional[str] = None,
                 parent_xpath: Optional[str] = None, reference_id: Optional[str] = None,
                 signer_role: Optional[str] = None, countersign_id: Optional[str] = None,
                 detached_uri: Optional[str] = None, digest: str = "sha256",
                 scheme: str = "auto", tsa: Optional[str] = None) -> Optional[bytes]:
        """Sign an XML document (XAdES by default, or the edxml / einvoice profiles).
        Detached: src is the data, the output a signature referencing it by detached_uri
        (default: src's base name)."""
        self._use_tsa(tsa)
        opts = ffi.new("lsign_xml_sign_options *")
        check(lib.lsign_xml_sign_options_init(opts, 1))
        keep: List[Any] = []
        opts.profile = _choice("profile", profile, _PROFILES)
        opts.placement = _choice("placement", placement, _PLACEMENTS)
        _common(opts, level, digest, scheme)
        opts.c14n = _choice("c14n", c14n, _C14N)
        opts.parent_xpath = _cstr(keep, parent_xpath)
        opts.reference_id = _cstr(keep, reference_id)
        opts.signer_role = _cstr(keep, signer_role)
        opts.countersign_id = _cstr(keep, countersign_id)
        if detached_uri is None and placement == "detached" and isinstance(src, (str, os.PathLike)):
            detached_uri = os.path.basename(os.fspath(src))
        opts.detached_uri = _cstr(keep, detached_uri)
        with Input(src) as inp, Output(dst) as out:
            check(lib.lsign_xml_sign(self.context.ptr, self.ptr, inp.ptr, out.ptr, opts))
            return out.finish()
