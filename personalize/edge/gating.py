"""Gating: for a page with an asset, show the lead form or link the asset directly.

`gated: true` asks for the form unless the visitor is already a known lead; `false` links the
asset; `auto` opens the asset to known leads and (configurable) identified target accounts, and
asks unknown visitors for the form on the configured stages (MoFu/BoFu by default, ToFu open).
"""

from __future__ import annotations

from dataclasses import dataclass

from personalize.edge.fill import GATED, OPEN


@dataclass(frozen=True)
class GatingPolicy:
    ungate_identified: bool = True
    gate_stages: frozenset[str] = frozenset({"mofu", "bofu"})

    def decide(self, gated: str, stage: str, *, identified: bool, known_lead: bool) -> str:
        """OPEN or GATED for one page and one visitor."""
        if gated == "false" or known_lead:
            return OPEN
        if gated == "true":
            return GATED
        if identified and self.ungate_identified:
            return OPEN
        return GATED if stage in self.gate_stages else OPEN
