"""The holdout: stable by account, the configured fraction over many accounts."""

from __future__ import annotations

from personalize.edge.holdout import CONTROL, PERSONALIZED, Holdout

SECRET = b"s" * 32


def test_same_account_same_arm_across_instances() -> None:
    first, second = Holdout(SECRET, 0.3), Holdout(SECRET, 0.3)  # a restart builds a new instance
    for number in range(200):
        account = f"ACC-{number}"
        assert first.arm(account) == second.arm(account) == first.arm(account)


def test_fraction_holds_over_many_accounts() -> None:
    holdout = Holdout(SECRET, 0.1)
    arms = [holdout.arm(f"ACC-{number}") for number in range(20_000)]
    share = arms.count(CONTROL) / len(arms)
    assert 0.09 < share < 0.11
    assert set(arms) == {CONTROL, PERSONALIZED}


def test_edges_of_the_range() -> None:
    assert {Holdout(SECRET, 0.0).arm(f"A{n}") for n in range(500)} == {PERSONALIZED}
    assert {Holdout(SECRET, 1.0).arm(f"A{n}") for n in range(500)} == {CONTROL}


def test_another_secret_draws_other_accounts() -> None:
    ours, theirs = Holdout(SECRET, 0.5), Holdout(b"t" * 32, 0.5)
    differing = sum(ours.arm(f"A{n}") != theirs.arm(f"A{n}") for n in range(1000))
    assert 350 < differing < 650
