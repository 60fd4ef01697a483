"""A gzip body spliced from parts compressed once around a per-visitor middle that is never compressed.

A gated page carries the visitor's CSRF token (and campaign fields echoed from the query) between
two static halves. Compressing it per request would cost ~0.7 ms and, with a secret beside
reflected input, open the page to BREACH. Instead each half is deflated once and ends on a full
flush (byte-aligned, no back-references across it), the middle goes in as a stored block, and the
CRC-32 is carried on over the middle and the tail: per request that is a CRC over the tail and a
join. Brotli has no such splice, so these bodies are offered as gzip or identity.
"""

from __future__ import annotations

import struct
import zlib
from typing import Final

#: gzip member header: magic, deflate, no flags, mtime 0, no extra flags, OS unknown.
_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_STORED_MAX: Final = 0xFFFF


def _deflate(data: bytes, level: int, *, final: bool) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def stored_blocks(data: bytes) -> bytes:
    """`data` as non-final stored deflate blocks (RFC 1951 §3.2.4), starting on a byte boundary."""
    blocks = []
    for start in range(0, len(data), _STORED_MAX):
        chunk = data[start : start + _STORED_MAX]
        blocks.append(struct.pack("<BHH", 0, len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


class GzipSplice:
    """head + middle + tail as one gzip member, with head and tail deflated at construction."""

    __slots__ = ("_head", "_tail", "_head_crc", "_tail_raw", "_size")

    def __init__(self, head: bytes, tail: bytes, level: int = 6) -> None:
        self._head = _HEADER + _deflate(head, level, final=False)
        self._tail = _deflate(tail, level, final=True)
        self._head_crc = zlib.crc32(head)
        self._tail_raw = tail
        self._size = len(head) + len(tail)

    def join(self, middle: bytes) -> bytes:
        crc = zlib.crc32(self._tail_raw, zlib.crc32(middle, self._head_crc))
        trailer = struct.pack("<II", crc, (self._size + len(middle)) & 0xFFFFFFFF)
        return b"".join((self._head, stored_blocks(middle), self._tail, trailer))
