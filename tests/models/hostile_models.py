"""Bad files for a models directory (issue 16, item 4), made for real in a folder.

``tiny_net()`` is a small valid model; the writers make the files the red team used: empty,
truncated, a header declaring a huge shape, a deflate bomb (a 1.5 GiB member in about 1.5 MB,
built from one repeated full-flush block, so it takes well under a second), a lying bomb (small
declared size, huge stream), a FIFO, symlinks out of the folder, unusual architectures and
non-finite weights.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from app.engine.network import Network


def tiny_layers(filters: int = 2, units: int = 10) -> list[dict[str, Any]]:
    return [{"name": "conv1", "type": "conv", "filters": filters, "size": 3, "stride": 1,
             "pad": 0},
            {"name": "relu1", "type": "relu"},
            {"name": "pool1", "type": "pool", "size": 2, "stride": 2},
            {"name": "affine1", "type": "affine", "units": units},
            {"name": "softmax", "type": "softmax"}]


def tiny_net(seed: int = 0, *, filters: int = 2, units: int = 10,
             input_shape: tuple[int, int, int] = (1, 28, 28)) -> Network:
    """A conv(3×3)-relu-pool-affine-softmax net (zero filters/units allowed: all-zero weights)."""
    c, h, _ = input_shape
    side = (h - 2) // 2
    rng = np.random.default_rng(seed)
    params = {"conv1.W": rng.standard_normal((filters, c, 3, 3)) * 0.3,
              "conv1.b": np.zeros(filters), "affine1.b": np.zeros(units),
              "affine1.W": rng.standard_normal((filters * side * side, units)) * 0.05}
    return Network("tiny", "Tiny", input_shape, tiny_layers(filters, units), params)


def npy_header(shape: tuple[int, ...], dtype: str = "<f4") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, deflated bytes, uncompressed size, crc32) members, written by hand so
    the declared sizes can be anything."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, size, crc in members:
        offset = out.tell()
        raw = name.encode()
        head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                           len(raw), 0)
        out.write(head + raw + data)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                                  len(data), size, len(raw), 0, 0, 0, 0, 0, offset) + raw)
    cd = central.getvalue()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(cd),
                      out.tell(), 0)
    return out.getvalue() + cd + end


@functools.lru_cache(maxsize=4)
def deflate_bomb(total: int = 1536 << 20, chunk: int = 1 << 20,
                 shape: tuple[int, ...] | None = None) -> tuple[bytes, int, int]:
    """(deflated stream, uncompressed size, crc32) of an .npy member of float32 zeros whose
    uncompressed size is `total` bytes (header included); its header declares `shape`
    (default: the true one)."""
    header = npy_header(shape or ((total - 128) // 4,))
    assert len(header) == 128
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    zeros = bytes(chunk)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH) == block  # stateless after a flush
    n = (total - 128) // chunk
    return head + block * n + c.flush(), 128 + n * chunk, 0  # CRC left 0: checked last anyway


def write_bomb(path: Path) -> None:
    data, size, crc = deflate_bomb()
    path.write_bytes(raw_zip([("conv1.W.npy", data, size, crc)]))


def _deflate(body: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(body) + c.flush(), len(body), zlib.crc32(body)


def write_lying_bomb(path: Path, good: Path) -> None:
    """The model `good` with conv1.W replaced: its header and declared size say (2, 1, 3, 3)
    (200 bytes) but the stream inflates to 1.5 GiB."""
    with zipfile.ZipFile(good) as z:
        members = [(n, *_deflate(z.read(n))) for n in z.namelist() if n != "conv1.W.npy"]
    data, _, crc = deflate_bomb(shape=(2, 1, 3, 3))
    path.write_bytes(raw_zip([("conv1.W.npy", data, 128 + 72, crc), *members]))


def write_huge_shape(path: Path) -> None:
    """A stored-size-consistent-looking member whose header declares 10**12 floats."""
    path.write_bytes(raw_zip([("conv1.W.npy", *_deflate(npy_header((10**6, 10**6)) + bytes(64)))]))


def write_all_bad(d: Path, outside: Path) -> dict[str, str]:
    """Every bad file of item 4 in folder d; returns {file name: a word of its logged reason}."""
    good = d / "good.npz"
    tiny_net().save(good)
    (d / "empty.npz").write_bytes(b"")
    (d / "truncated.npz").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    write_huge_shape(d / "huge-shape.npz")
    write_bomb(d / "bomb.npz")
    write_lying_bomb(d / "lying-bomb.npz", good)
    os.mkfifo(d / "x.npz")
    (d / "folder.npz").mkdir()
    tiny_net(1).save(outside / "elsewhere.npz")
    os.symlink(outside / "elsewhere.npz", d / "escape.npz")
    os.symlink("/etc/passwd", d / "good.png")  # the curve of good.npz
    tiny_net(input_shape=(3, 28, 28)).save(d / "rgb.npz")
    tiny_net(filters=0).save(d / "no-filters.npz")
    tiny_net(units=0).save(d / "no-units.npz")
    nan = tiny_net(2)
    nan.params["affine1.W"][0, 0] = np.nan
    nan.save(d / "nan.npz")
    inf = tiny_net(3)
    inf.params["conv1.b"][1] = -np.inf
    inf.save(d / "inf.npz")
    with zipfile.ZipFile(d / "not-npy.npz", "w") as z:
        z.writestr("evil.pkl", b"cos\nsystem\n(S'true'\ntR.")
    return {"empty.npz": "end record", "truncated.npz": "end record",
            "huge-shape.npz": "does not match", "bomb.npz": "uncompressed",
            "lying-bomb.npz": "CRC", "x.npz": "not a regular file",
            "folder.npz": "not a regular file", "escape.npz": "leads out",
            "good.png": "leads out", "rgb.npz": "input_shape", "no-filters.npz": "filters",
            "no-units.npz": "units", "nan.npz": "NaN", "inf.npz": "infinite",
            "not-npy.npz": "*.npy"}
