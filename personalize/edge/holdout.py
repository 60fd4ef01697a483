"""The holdout: a stable fraction of identified accounts sees the default page, as control.

Assigned by account, not by visitor, so everyone from one company lands in the same arm across
visitors, days and restarts (a keyed hash of the account id, not a random draw). Visitors with no
identified account get no arm: they see the default page (or an industry variant when a campaign
or preview names one) and are outside the experiment. Previews are always personalized.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

PERSONALIZED: Final = "personalized"
CONTROL: Final = "control"


class Holdout:
    """Which arm an account is in, for a fraction and a secret that stay the same across restarts."""

    def __init__(self, secret: bytes, fraction: float) -> None:
        self._secret = secret
        self.fraction = fraction
        self._arms: dict[str, str] = {}

    def position(self, account_id: str) -> float:
        """Where an account falls in [0, 1): uniform over accounts, fixed per secret."""
        digest = hmac.new(self._secret, b"holdout:" + account_id.encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def arm(self, account_id: str) -> str:
        arm = self._arms.get(account_id)
        if arm is None:
            arm = CONTROL if self.position(account_id) < self.fraction else PERSONALIZED
            if len(self._arms) < 100_000:
                self._arms[account_id] = arm
        return arm
