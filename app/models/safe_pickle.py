"""A restricted unpickler for pickles of plain numeric numpy arrays (the book's params.pkl).

Three layers, each bounded before the next runs:
1. ``scan_opcodes``: the opcode stream is read without executing it (pickletools.genops); at most
   MAX_OPCODES opcodes, only the opcodes plain containers and arrays need (no INST/OBJ/NEWOBJ,
   EXT, persistent ids, out-of-band buffers), memo indices below MAX_OPCODES (a PUT at 2**32
   would make the unpickler allocate a 32 GB memo table).
2. The unpickler resolves exactly these names, to stand-ins that validate their arguments
   before anything is allocated: ``numpy.dtype`` (plain bool/int/uint/float codes only, no
   fields, no subarray, no flags), ``_reconstruct(ndarray, (0,), b"b")`` (the only call numpy's
   own pickles make), ``_frombuffer`` (protocol 5) and ``_codecs.encode(text, "latin1")``
   (protocol 2). ``ndarray`` itself is a name token, never a callable; ``scalar`` and every
   other name are refused. An array is built only from a shape, a checked dtype and raw bytes
   whose length equals shape × itemsize ≤ MAX_ARRAY_BYTES.
3. ``materialise`` walks the result (dict/list/tuple) with at most MAX_NODES visits and depth
   MAX_DEPTH, so shared references (1000⁵ paths in 10 KB) end in an error, not a hang.
"""

from __future__ import annotations

import io
import math
import pickle
import pickletools
from typing import Any

import numpy as np

MAX_OPCODES = 100_000  # the book's params.pkl has about 100
MAX_NODES = 10_000  # container/array visits in the walk
MAX_DEPTH = 20
MAX_ARRAY_BYTES = 64 * 1024 * 1024
MAX_NDIM = 8
# Plain numeric dtype codes a pickle may name (numpy.dtype(code, align, copy)).
NUMERIC_CODES = frozenset({"b1", "?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8",
                           "f2", "f4", "f8"})
_OPCODES = frozenset({
    "PROTO", "FRAME", "STOP", "MARK", "POP", "POP_MARK", "DUP",
    "NONE", "NEWTRUE", "NEWFALSE", "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1",
    "LONG4", "FLOAT", "BINFLOAT", "STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE",
    "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES", "SHORT_BINBYTES",
    "BINBYTES8", "BYTEARRAY8",
    "EMPTY_LIST", "APPEND", "APPENDS", "LIST", "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2",
    "TUPLE3", "EMPTY_DICT", "DICT", "SETITEM", "SETITEMS",
    "GET", "BINGET", "LONG_BINGET", "PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE",
    "GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD"})
_MEMO_OPS = frozenset({"GET", "BINGET", "LONG_BINGET", "PUT", "BINPUT", "LONG_BINPUT"})


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle asks for something other than plain numeric arrays and containers."""


class PickleLimitError(ValueError):
    """A pickle that is well-formed but too big, too deep or not readable."""


def _refuse(what: str) -> UnsafePickleError:
    return UnsafePickleError(f"refused: {what}")


def scan_opcodes(data: bytes) -> int:
    """Count and check the opcodes without running them; the opcode count, or an error."""
    n = 0
    try:
        for op, arg, _ in pickletools.genops(data):
            n += 1
            if n > MAX_OPCODES:
                raise PickleLimitError(f"more than {MAX_OPCODES:,} pickle opcodes (the book's "
                                       f"file has about 100)")
            if op.name not in _OPCODES:
                raise _refuse(f"the pickle opcode {op.name} (only plain containers and numpy "
                              f"arrays are allowed)")
            if op.name in _MEMO_OPS and isinstance(arg, int) and not 0 <= arg < MAX_OPCODES:
                raise PickleLimitError(f"a memo index {arg} out of range (< {MAX_OPCODES:,})")
    except (UnsafePickleError, PickleLimitError):
        raise
    except Exception as e:  # truncated, unknown opcode, bad argument
        raise PickleLimitError(f"not a readable pickle ({type(e).__name__}: {e})") from None
    return n


class _NdarrayName:
    """What ``numpy.ndarray`` resolves to: a token for _reconstruct, not callable, no state
    (a BUILD on it fails instead of writing into the shared token)."""

    __slots__ = ()


_NDARRAY = _NdarrayName()


class DtypeStub:
    """numpy.dtype(code, align, copy) for a plain numeric code; BUILD may set the byte order."""

    def __init__(self, code: object, align: object = False, copy: object = True) -> None:
        if not isinstance(code, str) or code not in NUMERIC_CODES:
            name = {"O": "object", "O8": "object"}.get(str(code), repr(code))
            raise _refuse(f"an array of dtype {name}; only plain numeric dtypes (bool, int, "
                          f"uint, float) are allowed")
        self.dtype = np.dtype(code)

    def __setstate__(self, state: object) -> None:
        """(3, endian, None, None, None, -1, -1, 0): anything else (fields, subarray, object
        flags, metadata) is refused."""
        if not (isinstance(state, tuple) and len(state) == 8 and state[0] == 3):
            raise _refuse(f"a dtype state {str(state)[:80]}")
        _, endian, sub, names, fields, elsize, align, flags = state
        if sub is not None or names is not None or fields is not None:
            raise _refuse("a dtype with fields or a subarray (plain numeric dtypes only)")
        if (elsize, align, flags) != (-1, -1, 0) or endian not in ("<", ">", "|", "="):
            raise _refuse(f"a dtype state {str(state)[:80]}")
        if endian in "<>":
            self.dtype = self.dtype.newbyteorder(endian)


def _shape(shape: object) -> tuple[int, ...]:
    if not (isinstance(shape, tuple) and len(shape) <= MAX_NDIM
            and all(type(v) is int and v >= 0 for v in shape)):
        raise _refuse(f"an array shape {str(shape)[:80]} (up to {MAX_NDIM} sizes ≥ 0)")
    return shape


def _array(shape: object, dtype: object, raw: object, fortran: object) -> np.ndarray:
    """Checked shape × itemsize = len(raw) ≤ MAX_ARRAY_BYTES, then one copy of raw."""
    dims = _shape(shape)
    if not isinstance(dtype, DtypeStub):
        raise _refuse(f"an array whose dtype is a {type(dtype).__name__}")
    nbytes = math.prod(dims) * dtype.dtype.itemsize  # Python ints: no overflow
    if nbytes > MAX_ARRAY_BYTES:
        raise PickleLimitError(f"an array of shape {dims} ({nbytes:,} bytes) is larger than "
                               f"{MAX_ARRAY_BYTES:,} bytes")
    if isinstance(raw, str):  # Python 2 pickles, read with encoding="latin1"
        raw = raw.encode("latin1")
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != nbytes:
        got = len(raw) if isinstance(raw, (bytes, bytearray)) else type(raw).__name__
        raise PickleLimitError(f"an array of shape {dims} needs {nbytes:,} bytes of data, "
                               f"got {got}")
    return np.ndarray(dims, dtype=dtype.dtype, buffer=bytes(raw),
                      order="F" if fortran is True else "C").copy()


class ArrayStub:
    """What _reconstruct returns; BUILD gives it (version, shape, dtype, fortran, raw bytes)."""

    def __init__(self, array: np.ndarray | None = None) -> None:
        self.array = array

    def __setstate__(self, state: object) -> None:
        if isinstance(state, tuple) and len(state) == 5 and state[0] == 1:
            state = state[1:]
        if not (isinstance(state, tuple) and len(state) == 4):
            raise _refuse(f"an array state of type {type(state).__name__}")
        self.array = _array(state[0], state[1], state[3], state[2])


def _reconstruct(cls: object, shape: object, typecode: object) -> ArrayStub:
    if cls is not _NDARRAY or shape != (0,) or typecode not in (b"b", "b"):
        what = "ndarray" if cls is _NDARRAY else type(cls).__name__
        raise _refuse(f"_reconstruct({what}, {str(shape)[:40]}, {str(typecode)[:20]!r}); "
                      f"numpy's own pickles only call "
                      f"_reconstruct(ndarray, (0,), b'b')")
    return ArrayStub()


def _frombuffer(buf: object, dtype: object, shape: object, order: object) -> ArrayStub:
    return ArrayStub(_array(shape, dtype, buf, order == "F"))


def _latin1_encode(text: object, encoding: object = "latin1") -> bytes:
    """Protocol-2 pickles store bytes as _codecs.encode(str, "latin1"); no other codec."""
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise _refuse(f"_codecs.encode with {encoding!r}")
    return text.encode("latin1")


_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy", "ndarray"): _NDARRAY, ("numpy", "dtype"): DtypeStub,
    ("_codecs", "encode"): _latin1_encode}
for _mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
    _ALLOWED[(_mod, "_reconstruct")] = _reconstruct
for _mod in ("numpy.core.numeric", "numpy._core.numeric"):
    _ALLOWED[(_mod, "_frombuffer")] = _frombuffer


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except (KeyError, TypeError):
            raise _refuse(f"the pickle wants {str(module)[:60]}.{str(name)[:60]}; only numpy "
                          f"arrays of plain numeric dtypes and plain containers are "
                          f"allowed") from None

    def persistent_load(self, pid: Any) -> Any:
        raise _refuse("persistent ids are not allowed")


def materialise(obj: Any) -> Any:
    """Replace array stand-ins by arrays in dict/list/tuple trees, with at most MAX_NODES
    visits (shared references count each time) and MAX_DEPTH levels."""
    visits = 0

    def walk(o: Any, depth: int) -> Any:
        nonlocal visits
        visits += 1
        if visits > MAX_NODES:
            raise PickleLimitError(f"more than {MAX_NODES:,} objects to check (shared or "
                                   f"repeated references?)")
        if depth > MAX_DEPTH:
            raise PickleLimitError(f"containers nested deeper than {MAX_DEPTH}")
        if isinstance(o, ArrayStub):
            if o.array is None:
                raise _refuse("an array without data")
            return o.array
        if isinstance(o, DtypeStub):
            return o.dtype
        if isinstance(o, dict):
            return {k: walk(v, depth + 1) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return type(o)(walk(v, depth + 1) for v in o)
        if o is None or isinstance(o, (bool, int, float, str, bytes)):
            return o
        raise _refuse(f"an object of type {type(o).__name__}")

    return walk(obj, 0)


def safe_load_pickle(data: bytes) -> Any:
    """Unpickle bytes holding plain numeric arrays in dicts/lists/tuples (see module doc)."""
    scan_opcodes(data)
    try:
        obj = _RestrictedUnpickler(io.BytesIO(data), encoding="latin1").load()
    except (UnsafePickleError, PickleLimitError):
        raise
    except Exception as e:  # truncated, wrong protocol, a refused call's TypeError, ...
        raise PickleLimitError(f"not a readable pickle ({type(e).__name__}: {e})") from None
    return materialise(obj)
