"""Visitor and session ids: time-ordered, URL-safe, never handed out twice, not even across a fork."""

from __future__ import annotations

import os
import time

from personalize.edge.visitor import _ID, ID_BATCH, ID_CLOCK_DIGITS, _clock_digits, new_id


def test_ids_have_the_token_urlsafe_16_shape_and_never_repeat() -> None:
    ids = [new_id() for _ in range(ID_BATCH * 4 + 7)]  # several pool refills
    assert len(set(ids)) == len(ids)
    assert all(len(value) == 22 and _ID.match(value) for value in ids)
    random_parts = {value[ID_CLOCK_DIGITS:] for value in ids}
    assert len({part[:4] for part in random_parts}) > len(ids) // 2  # after the clock, every id is its own random bytes


def now_millis() -> int:
    return int(time.time() * 1000)


def test_ids_sort_by_the_millisecond_they_were_made() -> None:
    """Bytewise order (a B-tree index's) is time order, across digit carries and far into the future."""
    moments = [0, 1, 63, 64, 65, 4095, 4096, now_millis(), now_millis() + 1, 2**42 - 1]
    digits = [_clock_digits(millis) for millis in moments]
    assert digits == sorted(digits) and len(set(digits)) == len(moments)
    assert all(len(value) == ID_CLOCK_DIGITS for value in digits)
    before, made, after = _clock_digits(now_millis()), new_id(), _clock_digits(now_millis())
    assert before <= made[:ID_CLOCK_DIGITS] <= after


def test_a_forked_worker_does_not_reuse_the_parents_pending_ids() -> None:
    new_id()  # the pool now holds ids made ahead in this process
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, " ".join(new_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        theirs = set(pipe.read().split())
    os.waitpid(child, 0)
    ours = {new_id() for _ in range(50)}
    assert len(theirs) == 50 and not theirs & ours
