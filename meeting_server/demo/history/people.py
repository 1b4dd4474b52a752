"""Who is who in the demo's past: the leaders, the office, and the five departments' staff."""

from __future__ import annotations

from dataclasses import dataclass

from ...models import User

#: People per department among daibieu1…daibieu20: the director, then three deputies.
STAFF_PER_UNIT = 4
UNITS = 5


@dataclass(frozen=True)
class Cast:
    """The demo people by username; daibieu1…5 direct the five departments, 6…20 deputise."""

    people: dict[str, User]

    @property
    def secretary(self) -> User:
        """Return the office's secretary, who prepares and minutes every meeting."""
        return self.people["thuky"]

    @property
    def clerk(self) -> User:
        """Return the clerk who seals."""
        return self.people["vanthu"]

    def unit(self, number: int) -> str:
        """Return the name of department ``number`` (as its people carry it)."""
        return self.staff(number)[0].unit

    def staff(self, number: int) -> list[User]:
        """Return department ``number``'s people: its director first, then the deputies."""
        return [self.people[f"daibieu{number + 1 + UNITS * k}"] for k in range(STAFF_PER_UNIT)]

    def deputies(self, director: User) -> list[User]:
        """Return the deputies of ``director`` (none when they direct no department)."""
        for number in range(UNITS):
            staff = self.staff(number)
            if staff[0].id == director.id:
                return staff[1:]
        return []

    def in_charge(self, number: int, who: int) -> User | None:
        """Return the person in charge of a task: the director (1), a deputy (2) or no one."""
        return self.staff(number)[who - 1] if who else None
