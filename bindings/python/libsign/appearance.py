"""Visible signatures: a template, its texts and images, and where it goes."""
from __future__ import annotations

import os
from typing import Dict, Optional, Tuple

from ._ffi import Handle, ffi, lib
from .errors import InvalidArgumentError, check

# lsign_unit (appearance.h): LSIGN_UNIT_PT = 0, LSIGN_UNIT_MM = 1.
_UNITS = {"pt": 0, "mm": 1}


class Appearance(Handle):
    """A visible signature in one of the Vietnamese layouts (person, agency, copy, attachment, text).

    Place it with `rect=(x, y, w, h)` on `page` (1 first, -1 last), a `preset`
    ("first-page-top-right", "last-page-bottom-right", with `size`), or under an
    `anchor` text. `images` maps "signature" and "seal" to PNG/JPEG paths; `text`
    maps fields (title, name, organization, time, ...) to values.
    """

    def __init__(self, template: str = "person", *, page: Optional[int] = None,
                 rect: Optional[Tuple[float, float, float, float]] = None,
                 preset: Optional[str] = None, anchor: Optional[str] = None,
                 size: Tuple[float, float] = (0.0, 0.0),
                 images: Optional[Dict[str, "os.PathLike[str] | str"]] = None,
                 font: Optional[str] = None, text: Optional[Dict[str, str]] = None,
                 units: str = "mm") -> None:
        if units not in _UNITS:
            raise InvalidArgumentError(f"units: {units!r} is not mm or pt", -1)
        if sum(x is not None for x in (rect, preset, anchor)) > 1:
            raise InvalidArgumentError("give one of rect, preset and anchor", -1)
        unit = _UNITS[units]
        out = ffi.new("lsign_appearance **")
        check(lib.lsign_appearance_new(out, template.encode()))
        self._what = "appearance"
        self._own(out[0], lib.lsign_appearance_free)
        for field, value in (text or {}).items():
            check(lib.lsign_appearance_set_text(self._ptr, field.encode(), value.encode()))
        for slot, path in (images or {}).items():
            check(lib.lsign_appearance_set_image(self._ptr, slot.encode(), os.fsencode(path)))
        if font is not None:
            check(lib.lsign_appearance_set_font(self._ptr, os.fsencode(font)))
        if rect is not None:
            check(lib.lsign_appearance_place(self._ptr, page or 1, *map(float, rect), unit))
        elif preset is not None:
            check(lib.lsign_appearance_place_preset(self._ptr, preset.encode(), size[0], size[1],
                                                    0.0, unit))
        elif anchor is not None:
            check(lib.lsign_appearance_place_at_text(self._ptr, page or 0, anchor.encode(), 0.0,
                                                     0.0, size[0], size[1], unit))
