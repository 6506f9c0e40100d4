"""PKCS#11 tokens, keys and certificates with the pkcs11: URIs Signer.pkcs11() takes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from ._ffi import ffi, lib
from .errors import check
from .signer import _PinCallback

_KINDS = {1: "token", 2: "private-key", 3: "certificate"}


@dataclass(frozen=True)
class TokenItem:
    kind: str
    label: str
    uri: str
    details: str


def list_tokens(module: Optional[str] = None, *, token: Optional[str] = None,
                pin_source: Optional[str] = None, pin: Optional[str] = None) -> List[TokenItem]:
    """The module's tokens, each followed by its private keys (when logged in) and certificates."""
    opts = ffi.new("lsign_token_list_options *")
    check(lib.lsign_token_list_options_init(opts, 1))
    keep = []
    if module is not None:
        keep.append(ffi.new("char[]", module.encode()))
        opts.module = keep[-1]
    if token is not None:
        keep.append(ffi.new("char[]", token.encode()))
        opts.token = keep[-1]
    if pin_source is not None:
        keep.append(ffi.new("char[]", pin_source.encode()))
        opts.pin_source = keep[-1]
    callback = _PinCallback(pin) if pin is not None else None
    if callback is not None:
        opts.pin_callback = callback.fn
    out = ffi.new("lsign_token_list **")
    check(lib.lsign_token_list_new(out, ffi.NULL, opts))
    try:
        items = []
        for i in range(lib.lsign_token_list_count(out[0])):
            items.append(TokenItem(
                _KINDS.get(lib.lsign_token_list_kind(out[0], i), "unknown"),
                ffi.string(lib.lsign_token_list_label(out[0], i)).decode("utf-8", "replace"),
                ffi.string(lib.lsign_token_list_uri(out[0], i)).decode("utf-8", "replace"),
                ffi.string(lib.lsign_token_list_details(out[0], i)).decode("utf-8", "replace")))
        return items
    finally:
        lib.lsign_token_list_free(out[0])
