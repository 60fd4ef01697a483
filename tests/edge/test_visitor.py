"""Visitor and session ids: random, URL-safe, never handed out twice, not even across a fork."""

from __future__ import annotations

import os

from personalize.edge.visitor import _ID, ID_BATCH, new_id


def test_ids_have_the_token_urlsafe_16_shape_and_never_repeat() -> None:
    ids = [new_id() for _ in range(ID_BATCH * 4 + 7)]  # several pool refills
    assert len(set(ids)) == len(ids)
    assert all(len(value) == 22 and _ID.match(value) for value in ids)
    assert len({value[:4] for value in ids}) > len(ids) // 2  # no shared prefix: every id is its own random bytes


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
