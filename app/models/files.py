"""Reading the files of a models directory without trusting them.

``open_inside(path, root)``: a regular file whose real path lies inside ``root`` (symlinks within
the directory are fine, symlinks leading out of it are refused), opened with O_NOFOLLOW and
O_NONBLOCK so a FIFO or device named ``x.npz`` is refused at once instead of blocking.

``load_model(path, root)``: a .npz checked in this order, each step bounded before the next:
file size ≤ MAX_FILE_BYTES; the zip's end record (≤ MAX_MEMBERS entries, central directory
≤ MAX_DIRECTORY_BYTES); every member's declared sizes (stored/deflated, ≤ MAX_MEMBER_BYTES each,
≤ MAX_TOTAL_BYTES together); every .npy header (dtype float, or a 0-d unicode string for the two
JSON entries; header + shape × itemsize = the member's declared size); the architecture JSON
(app.models.checks) and the parameter shapes it implies, against the headers; only then are the
arrays read (zipfile stops at the declared size, so a deflate bomb ends in a CRC error), and
their values checked (finite, |w| ≤ 1e6).
"""

from __future__ import annotations

import json
import math
import os
import stat
import struct
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np

from app.models.checks import ModelCheckError, check_architecture, check_values

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 64
MAX_DIRECTORY_BYTES = 64 * 1024
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 96 * 1024 * 1024
MAX_JSON_CHARS = 65_536
MAX_HEADER = 4096
_EOCD = b"PK\x05\x06"
_META = ("__architecture__", "__meta__")


class ModelFileError(ValueError):
    """A file in the models directory that is not served; the message is the logged reason."""


class ModelParts(NamedTuple):
    """A checked .npz: the architecture dict, float parameters by name, the meta (card) dict."""

    arch: dict[str, Any]
    params: dict[str, np.ndarray]
    meta: dict[str, Any]


def open_inside(path: Path, root: Path, max_bytes: int) -> BinaryIO:
    """``path`` opened for reading: a regular file of at most max_bytes inside ``root``."""
    try:
        real, base = path.resolve(strict=True), root.resolve(strict=True)
    except (OSError, RuntimeError) as e:
        raise ModelFileError(f"cannot resolve it ({e})") from None
    if not real.is_relative_to(base):
        raise ModelFileError(f"it leads out of the models directory (to {real})")
    not_regular = "not a regular file (a FIFO, device, socket or directory)"
    try:
        if not stat.S_ISREG(os.stat(real).st_mode):  # never open a FIFO or a device
            raise ModelFileError(not_regular)
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise ModelFileError(f"cannot open it ({e.strerror or e})") from None
    st = os.fstat(fd)  # the file opened may have been swapped since the stat above
    if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
        os.close(fd)
        raise ModelFileError(f"larger than {max_bytes:,} bytes" if stat.S_ISREG(st.st_mode)
                             else not_regular)
    return os.fdopen(fd, "rb")


def _end_record(f: BinaryIO, size: int) -> None:
    """Entry count and central-directory size from the end record, before zipfile reads it."""
    tail_len = min(size, 22 + 65535)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise ModelFileError("not a .npz (no zip end record; empty or truncated?)")
    if tail[max(0, at - 20):at].startswith(b"PK\x06\x07"):  # its counts would override these
        raise ModelFileError("a zip64 archive (a model needs no zip64 end record)")
    _, _, _, _, entries, cd_size, _, _ = struct.unpack("<4s4H2LH", tail[at:at + 22])
    if not 0 < entries <= MAX_MEMBERS or cd_size > MAX_DIRECTORY_BYTES:
        raise ModelFileError(f"the zip declares {entries} entries and a {cd_size:,}-byte "
                             f"directory; at most {MAX_MEMBERS} and {MAX_DIRECTORY_BYTES:,}")


def _members(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if len(set(names)) != len(names) or not all(n.endswith(".npy") for n in names):
        raise ModelFileError("zip entries must be distinct *.npy files")
    total = 0
    for i in infos:
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or i.flag_bits & 1:
            raise ModelFileError(f"{i.filename}: compression {i.compress_type} or encryption")
        if i.file_size > MAX_MEMBER_BYTES:
            raise ModelFileError(f"{i.filename} declares {i.file_size:,} bytes uncompressed; "
                                 f"at most {MAX_MEMBER_BYTES:,}")
        total += i.file_size
    if total > MAX_TOTAL_BYTES:
        raise ModelFileError(f"the entries declare {total:,} bytes uncompressed; at most "
                             f"{MAX_TOTAL_BYTES:,}")
    return {n[:-4]: i for n, i in zip(names, infos, strict=True)}


def _header(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) from a member's .npy header; its declared size must match exactly."""
    with zf.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        read = {(1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read is None:
            raise ModelFileError(f"{info.filename}: .npy format {version}")
        shape, fortran, dtype = read(fp, max_header_size=MAX_HEADER)
        offset = fp.tell()
    key = info.filename[:-4]
    if key in _META:
        ok = dtype.kind == "U" and shape == () and dtype.itemsize <= 4 * MAX_JSON_CHARS
    else:
        ok = dtype.kind == "f" and dtype.itemsize in (2, 4, 8) and not dtype.hasobject
    if not ok:
        raise ModelFileError(f"{key}: dtype {dtype} shape {shape} is not allowed")
    if offset + math.prod(shape) * dtype.itemsize != info.file_size:
        raise ModelFileError(f"{key}: the header declares shape {shape} ({dtype}), which does "
                             f"not match the entry's {info.file_size:,} bytes")
    return tuple(shape), dtype


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"non-finite number {text[:20]}")
    return value


def _no_constant(text: str) -> float:
    raise ValueError(f"non-finite number {text}")


def parse_json(text: str | bytes) -> object:
    """JSON without NaN/Infinity or numbers that overflow to them (ValueError otherwise)."""
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _json(zf: zipfile.ZipFile, info: zipfile.ZipInfo | None) -> object:
    if info is None:
        return {}
    with zf.open(info) as fp:
        text = str(np.lib.format.read_array(fp, allow_pickle=False, max_header_size=MAX_HEADER))
    try:
        return parse_json(text)
    except ValueError as e:
        raise ModelFileError(f"{info.filename}: not valid JSON ({e})") from None


def read_model(path: Path, root: Path) -> ModelParts:
    """The parts of the model in ``path`` (inside ``root``) after every check (module
    docstring); ModelFileError or ModelCheckError with the reason otherwise."""
    with open_inside(path, root, MAX_FILE_BYTES) as f:
        size = os.fstat(f.fileno()).st_size
        _end_record(f, size)
        f.seek(0)
        with zipfile.ZipFile(f) as zf:
            members = _members(zf)
            headers = {k: _header(zf, i) for k, i in members.items()}
            if "__architecture__" not in members:
                raise ModelFileError("no __architecture__ entry")
            arch = _json(zf, members["__architecture__"])
            expected = check_architecture(arch)
            declared = {k: v[0] for k, v in headers.items() if k not in _META}
            if declared != expected:
                wrong = sorted(set(declared.items()) ^ set(expected.items()))[:4]
                raise ModelCheckError(f"the arrays do not fit the architecture: {wrong}")
            meta = _json(zf, members.get("__meta__"))
            params = {}
            for key in expected:
                with zf.open(members[key]) as fp:
                    params[key] = np.lib.format.read_array(fp, allow_pickle=False,
                                                           max_header_size=MAX_HEADER)
    check_values(params)
    assert isinstance(arch, dict)
    return ModelParts(arch, params, meta if isinstance(meta, dict) else {})


def read_small(path: Path, root: Path, max_bytes: int) -> bytes:
    """The bytes of a small sibling file (card, curve) under the same rules as open_inside."""
    with open_inside(path, root, max_bytes) as f:
        return f.read(max_bytes + 1)[:max_bytes]
