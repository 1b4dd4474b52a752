"""Attack PDFs of the published classes (pdf-insecurity.org), built on documents we sign.

Every attack starts from a one-page decision ("Amount: 500,000 VND") signed with keys of the
caller's CA; the attacker then changes what the page shows. ``caught_by`` records which part
of our validator reports it today:

* ``pyhanko`` — pyHanko's own verdict (digest, modification analysis, DocMDP);
* ``visual`` — pyHanko accepts the update (form filling, an annotation under P=3, a later
  signature) and only the picture comparison (``signing.visual``) sees the change;
* ``trailing`` — bytes after the signed file's end that are not an incremental update.

``pictures`` says whether the picture comparison sees it as well (all but the byte-range
manipulation, whose rendered pages do not change): the two checks back each other up.

The classes (Mainka, Mladenov, Rohlmann, Schwenk et al.): shadow attacks *hide*, *replace*
and *hide-and-replace*; incremental saving attacks (ISA); signature wrapping (SWA);
certification attacks: the evil annotation attack (EAA, P=3) and the sneaky signature attack
(SSA, P=2); and form-field attacks on our masking of placeholders (an empty field over content
or with a look of its own, a value changed under a kept appearance, an untrusted signer's
stamp on a blank spot). The recipes live in ``attacks_shadow`` and ``attacks_structure``,
their building blocks in ``attacks_build``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import attacks_shadow as shadow
from . import attacks_structure as structure
from .attacks_build import (
    AMOUNT,
    FIELD_BOX,
    MARGIN_BOX,
    Field,
    Keys,
    appearance,
    decision,
    drawn_over,
    keys_of,
    sign,
)

__all__ = [
    "AMOUNT",
    "FORM",
    "FIELD_BOX",
    "MARGIN_BOX",
    "RECIPES",
    "Attack",
    "Field",
    "Keys",
    "Recipe",
    "appearance",
    "corpus",
    "decision",
    "drawn_over",
    "keys_of",
    "sign",
]


@dataclass(frozen=True)
class Attack:
    """One attack file: its name, class, which check catches it, and the bytes."""

    name: str
    family: str
    caught_by: str
    data: bytes


@dataclass(frozen=True)
class Recipe:
    """How to build one attack, and what it is."""

    name: str
    family: str
    caught_by: str
    build: Callable[[Keys], bytes]
    pictures: bool = True

    @property
    def test_id(self) -> str:
        """Return "<name>-by-<check>", the id its tests run under."""
        return f"{self.name}-by-{self.caught_by}"

    def make(self, keys: Keys) -> Attack:
        """Build the attack with ``keys``."""
        return Attack(self.name, self.family, self.caught_by, self.build(keys))


def corpus(keys: Keys) -> list[Attack]:
    """Return every attack, each built from a freshly signed decision."""
    return [recipe.make(keys) for recipe in RECIPES]


FORM = "form field placeholder"
RECIPES: list[Recipe] = [
    Recipe("shadow_hide", "shadow: hide", "pyhanko", shadow.shadow_hide),
    Recipe("shadow_hide_form_field", "shadow: hide", "visual", shadow.shadow_hide_form_field),
    Recipe("shadow_replace", "shadow: replace (form field)", "visual", shadow.shadow_replace),
    Recipe(
        "shadow_replace_font", "shadow: replace (overwrite)", "pyhanko", shadow.shadow_replace_font
    ),
    Recipe(
        "shadow_hide_and_replace",
        "shadow: hide-and-replace",
        "pyhanko",
        shadow.shadow_hide_and_replace,
    ),
    Recipe("isa_new_contents", "incremental saving", "pyhanko", structure.incremental_update),
    Recipe(
        "isa_appended_no_xref", "incremental saving", "trailing", structure.incremental_appended
    ),
    Recipe(
        "byterange_over_injected_bytes",
        "byte-range manipulation",
        "pyhanko",
        structure.byterange_over_injected_bytes,
        pictures=False,
    ),
    Recipe(
        "eaa_free_text_p3", "certification: evil annotation", "pyhanko", structure.evil_annotation
    ),
    Recipe(
        "ssa_stamp_over_content_p2",
        "certification: sneaky signature",
        "pyhanko",
        structure.sneaky_signature,
    ),
    Recipe(
        "ssa_stamp_over_content_approval",
        "certification: sneaky signature",
        "visual",
        structure.sneaky_approval,
    ),
    Recipe("empty_field_over_content", FORM, "visual", shadow.empty_field_over_content),
    Recipe("empty_field_with_look", FORM, "visual", shadow.empty_field_with_look),
    Recipe("value_changed_look_kept", FORM, "visual", shadow.value_changed_look_kept),
    Recipe("untrusted_stamp_on_blank", FORM, "visual", structure.outsider_note_on_blank),
]
