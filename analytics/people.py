"""People behind visitor ids: one person is every visitor id that left a lead with the same e-mail.

A buyer reads anonymously on a phone and a laptop, then fills a form on one of them; the lead's
e-mail is what joins the devices. A visitor that left no lead stays a person of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Person:
    key: str  # lower-cased e-mail, else "visitor:<id>"
    visitor_ids: list[str] = field(default_factory=list)
    name: str | None = None
    email: str | None = None
    role: str | None = None
    company: str | None = None

    def fill(self, lead: Mapping[str, Any]) -> None:
        """Take what a later lead says (people update their title), keep what it leaves blank."""
        for key in ("name", "email", "role", "company"):
            if lead.get(key):
                setattr(self, key, lead[key])


def email_key(email: str | None) -> str:
    return (email or "").strip().lower()


class People:
    """People by visitor id, stitched from lead rows (ts order: the latest lead's details win)."""

    def __init__(self, leads: Iterable[Mapping[str, Any]]) -> None:
        self.by_key: dict[str, Person] = {}
        self._by_visitor: dict[str, Person] = {}
        for lead in leads:
            key = email_key(lead.get("email")) or f"visitor:{lead.get('visitor_id') or lead.get('lead_id')}"
            person = self.by_key.setdefault(key, Person(key))
            person.fill(lead)
            visitor = lead.get("visitor_id")
            if visitor and visitor not in person.visitor_ids:
                person.visitor_ids.append(visitor)
                self._by_visitor[visitor] = person

    def of(self, visitor_id: str) -> Person:
        """The person of a visitor id: its lead's, else a person of its own (made once)."""
        person = self._by_visitor.get(visitor_id)
        if person is None:
            person = self._by_visitor[visitor_id] = self.by_key[f"visitor:{visitor_id}"] = Person(
                f"visitor:{visitor_id}", [visitor_id]
            )
        return person

    def visitor_ids(self) -> list[str]:
        return sorted(self._by_visitor)
