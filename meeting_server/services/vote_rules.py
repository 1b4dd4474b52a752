"""When a vote carries its question: the rules, how they read, and the verdict's arithmetic.

The rules and their arithmetic are explained in docs/decisions.md ("Vote verdicts").
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ..models import VoteRule
from .errors import ServiceError

#: How each rule reads on the screens (the minutes say it in Vietnamese, pdf/minutes.py).
RULE_LABELS = {
    VoteRule.MAJORITY_CAST: _l("more than half of the ballots cast (abstentions count)"),
    VoteRule.MAJORITY_PRESENT: _l("more than half of the voting members present"),
    VoteRule.MAJORITY_MEMBERS: _l("more than half of all voting members"),
    VoteRule.TWO_THIRDS_MEMBERS: _l("at least two thirds of all voting members"),
}


def choose_rule(rule: str | None, default: VoteRule | None) -> str | None:
    """Return the rule chosen (``None``: the default; ``""``: no verdict)."""
    if rule is None:
        return default
    if rule == "":
        return None
    try:
        return VoteRule(rule)
    except ValueError:
        raise ServiceError(_l("Choose how the question is carried."), field="rule") from None


def verdict_of(rule: str, yes: int, cast: int, present: int, members: int) -> dict[str, Any]:
    """Return whether the first option carried the question under ``rule``, with the sums.

    ``cast``: ballots cast (abstentions included); ``present``: voting members present when it
    closed; ``members``: all members with a vote. ``needed`` is the smallest number of approvals
    that carries it; nothing is carried with no one to count.
    """
    rule = VoteRule(rule)
    base = {
        VoteRule.MAJORITY_CAST: cast,
        VoteRule.MAJORITY_PRESENT: present,
        VoteRule.MAJORITY_MEMBERS: members,
        VoteRule.TWO_THIRDS_MEMBERS: members,
    }[rule]
    needed = -(-2 * base // 3) if rule == VoteRule.TWO_THIRDS_MEMBERS else base // 2 + 1
    return {
        "rule": str(rule),
        "yes": yes,
        "base": base,
        "needed": needed,
        "passed": base > 0 and yes >= needed,
    }
