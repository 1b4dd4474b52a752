"""Vietnamese alphabetical order, for every list of people, rooms and units we show.

A byte or code-point sort puts "Đỗ" after "Vũ" (Đ is U+0110) and "Ánh" after "Yến"; the
Vietnamese alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, and the tone
marks only break ties, in dictionary order: none, huyền, hỏi, ngã, sắc, nặng. Names are
ordered as written (family name first), which is how our lists have always read.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

#: The letters in order; f, j, w and z (in foreign names) where the Latin alphabet has them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
#: Spaces first ("An" before "An Bình" before "Anh"), then other signs, digits, our letters,
#: and last the letters of other scripts.
_SPACE, _SIGN, _DIGIT, _LETTER, _OTHER = 0, 1 << 21, 2 << 21, 3 << 21, 4 << 21
#: Marks that make a letter of its own (ă â ê ô ơ ư) rather than a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
#: Tone marks, in dictionary order after the unmarked syllable.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


@functools.lru_cache(maxsize=8192)
def vietnamese_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """Return a sort key: letters first, then tone marks, then case (lower before upper).

    Kept per text (~30 µs each): the board and the pickers sort the same names on every read.
    """
    letters: list[int] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFC", text):
        base, marks = _split(char)
        letter = unicodedata.normalize("NFC", base.lower() + "".join(marks & _LETTER_MARKS))
        letter = "đ" if letter == "ð" else letter  # Ð (eth), often typed for Đ
        letters.append(_letter_rank(letter))
        tones.append(max((_TONES.get(mark, 0) for mark in marks), default=0))
    return tuple(letters), tuple(tones), text.swapcase()


def seat_key(seat: str) -> tuple[tuple[int, int, Any], ...]:
    """Return a sort key for a seat label in natural order: "2" < "10" < "A2" < "A10"; no seat
    last. The one seat order of the board, the minutes and the tablet list."""
    parts = re.findall(r"[0-9]+|[^0-9]+", seat.strip())
    if not parts:
        return ((2, 0, ()),)
    return tuple(
        (0, int(p), ()) if p[0] in "0123456789" else (1, 0, vietnamese_key(p)) for p in parts
    )


def sorted_by(items: Iterable[T], *attributes: str) -> list[T]:
    """Return ``items`` in Vietnamese order of the (dotted) ``attributes``, the first first."""
    getters = [_getter(attribute) for attribute in attributes]
    return sorted(items, key=lambda item: tuple(vietnamese_key(g(item) or "") for g in getters))


def _letter_rank(letter: str) -> int:
    if letter in _RANK:
        return _LETTER + _RANK[letter]
    if letter.isspace():
        return _SPACE
    if letter.isdigit():
        return _DIGIT + ord(letter)
    return (_OTHER if letter.isalpha() else _SIGN) + ord(letter)


def _split(char: str) -> tuple[str, set[str]]:
    decomposed = unicodedata.normalize("NFD", char)
    if char in "đĐ":
        return char, set()
    return decomposed[0], set(decomposed[1:])


def _getter(attribute: str) -> Callable[[Any], str]:
    def get(item: Any) -> str:
        for name in attribute.split("."):
            item = getattr(item, name)
        return str(item)

    return get
