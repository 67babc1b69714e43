"""`convscope apply` end to end in tmp_path: the engine's numbers, failures reported, exit codes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli import main
from app.engine import avg_pool2d, conv2d, depthwise_conv2d, get_kernel, max_pool2d, relu
from app.imaging.decode import colorize, decode_image, grid


def write_png(path: Path, img: Image.Image) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def stripes(w: int = 12, h: int = 10) -> Image.Image:
    a = np.zeros((h, w), np.uint8)
    a[:, w // 2:] = 200
    return Image.fromarray(a)


def png_array(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_single_image_equals_the_engine(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = write_png(tmp_path / "a.png", stripes())
    out = tmp_path / "out"
    code = main(["apply", str(src), "--kernel", "sobel-x", "--pad", "1", "--pool", "max:2",
                 "--out", str(out), "--npy"])
    assert code == 0
    x = decode_image(src.read_bytes()).array[None]
    want = max_pool2d(conv2d(x, get_kernel("sobel-x")[None, None], np.zeros(1, np.float32),
                             pad=1), 2, 2)
    got = np.load(out / "a.npy")
    assert got.dtype == np.float32 and got.shape == (1, 1, 5, 6) and np.array_equal(got, want)
    assert np.array_equal(png_array(out / "a.png"), colorize(want[0, 0]))
    assert "1 of 1 written" in capsys.readouterr().out


def test_rgb_depthwise_relu_and_options(tmp_path: Path) -> None:
    img = Image.new("RGB", (9, 7), (10, 200, 90))
    img.paste((250, 0, 0), (4, 0, 9, 7))
    src = write_png(tmp_path / "c.png", img)
    code = main(["apply", str(src), "--kernel", "gaussian", "--param", "size=3", "--param",
                 "sigma=0.8", "--color", "rgb", "--depthwise", "--relu", "--bias", "-0.1",
                 "--stride", "2", "--pad-mode", "edge", "--pad", "1", "--out",
                 str(tmp_path / "o"), "--npy", "--scale", "sequential"])
    assert code == 0
    x = decode_image(src.read_bytes(), color="rgb").array[None]
    k = get_kernel("gaussian", size=3, sigma=0.8)
    want = relu(depthwise_conv2d(x, k, np.float32(-0.1), stride=2, pad=1, pad_mode="edge"))
    got = np.load(tmp_path / "o" / "c.npy")
    assert got.shape == (1, 3, 4, 5) and np.allclose(got, want, atol=1e-6)
    assert png_array(tmp_path / "o" / "c.png").shape == grid(list(want[0])).shape


def test_rgb_without_depthwise_sums_channels(tmp_path: Path) -> None:
    src = write_png(tmp_path / "c.png", Image.new("RGB", (5, 5), (255, 0, 255)))
    kfile = tmp_path / "k.txt"
    kfile.write_text("0 0 0\n0, 1, 0\n0 0 0\n")
    assert main(["apply", str(src), "--kernel-file", str(kfile), "--color", "rgb",
                 "--out", str(tmp_path / "o"), "--npy"]) == 0
    got = np.load(tmp_path / "o" / "c.npy")
    assert got.shape == (1, 1, 3, 3) and np.allclose(got, 2.0)  # identity on R + G + B = 1 + 0 + 1


def test_folder_recursion_and_unreadable_files(tmp_path: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    root = tmp_path / "pics"
    write_png(root / "one.png", stripes())
    write_png(root / "sub" / "two.png", stripes(16, 16))
    (root / "sub" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    (root / "notes.txt").write_text("not an image, not an image extension: ignored")
    buf = io.BytesIO()
    stripes().save(buf, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(buf.getvalue()[:100])
    code = main(["apply", str(root), str(tmp_path / "cut.jpg"), str(tmp_path / "missing.png"),
                 "--kernel", "laplacian-4", "--pad", "1", "--out", str(tmp_path / "out")])
    assert code == 1
    assert (tmp_path / "out" / "pics" / "one.png").is_file()
    assert (tmp_path / "out" / "pics" / "sub" / "two.png").is_file()
    assert not (tmp_path / "out" / "pics" / "sub" / "broken.png").exists()
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "skipped" in ln]
    assert len(lines) == 3
    assert any("broken.png" in ln and "image_corrupt" in ln for ln in lines)
    assert any("cut.jpg" in ln and "image_corrupt" in ln for ln in lines)
    assert any("missing.png" in ln and "no such file" in ln for ln in lines)


def test_dangling_link_and_unreadable_file_in_a_folder_are_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "pics"
    write_png(root / "ok.png", stripes())
    (root / "gone.png").symlink_to(tmp_path / "deleted.png")
    locked = write_png(root / "locked.png", stripes())
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # root ignores chmod 000: refuse the read here
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code = main(["apply", str(root), "--kernel", "sobel-x", "--out", str(tmp_path / "out")])
    assert code == 1 and (tmp_path / "out" / "pics" / "ok.png").is_file()
    captured = capsys.readouterr()
    lines = [ln for ln in captured.err.splitlines() if "skipped" in ln]
    assert any("gone.png" in ln and "no such file" in ln for ln in lines), captured.err
    assert any("locked.png" in ln and "Permission denied" in ln for ln in lines), captured.err
    assert "1 of 3 written" in captured.out


def test_kernel_larger_than_input_is_a_per_file_failure(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    write_png(tmp_path / "big.png", stripes(8, 8))
    write_png(tmp_path / "tiny.png", Image.new("L", (2, 2)))
    code = main(["apply", str(tmp_path / "big.png"), str(tmp_path / "tiny.png"), "--kernel",
                 "box-blur", "--param", "size=5", "--out", str(tmp_path / "o")])
    assert code == 1 and (tmp_path / "o" / "big.png").is_file()
    assert "tiny.png" in capsys.readouterr().err


def test_same_names_do_not_overwrite(tmp_path: Path) -> None:
    a = write_png(tmp_path / "x" / "img.png", stripes())
    b = write_png(tmp_path / "y" / "img.png", stripes())
    out = str(tmp_path / "o")
    assert main(["apply", str(a), str(b), "--kernel", "identity", "--out", out]) == 0
    assert (tmp_path / "o" / "img.png").is_file() and (tmp_path / "o" / "img-2.png").is_file()


def test_max_side(tmp_path: Path) -> None:
    src = write_png(tmp_path / "w.png", stripes(40, 20))
    assert main(["apply", str(src), "--kernel", "identity", "--pad", "1", "--max-side", "10",
                 "--npy", "--out", str(tmp_path / "o")]) == 0
    assert np.load(tmp_path / "o" / "w.npy").shape == (1, 1, 5, 10)


@pytest.mark.parametrize("argv, message", [
    (["--kernel", "nope"], "unknown kernel"),
    (["--kernel", "gaussian", "--param", "sigma=99"], "sigma"),
    (["--kernel-file", "MISSING"], "cannot read kernel file"),
])
def test_bad_kernel_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture, argv: list[str],
                              message: str) -> None:
    src = write_png(tmp_path / "a.png", stripes())
    argv = [str(tmp_path / a) if a == "MISSING" else a for a in argv]
    assert main(["apply", str(src), *argv, "--out", str(tmp_path / "o")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    for bad in (["--pool", "max"], ["--pool", "median:2"], ["--max-side", "0"], ["--pad", "x"]):
        with pytest.raises(SystemExit) as info:
            main(["apply", "a.png", "--kernel", "identity", "--out", str(tmp_path), *bad])
        assert info.value.code == 2


def test_empty_folder_is_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["apply", str(tmp_path / "empty"), "--kernel", "identity",
                 "--out", str(tmp_path / "o")]) == 1
    assert "no image files" in capsys.readouterr().err


def test_console_script_with_progress_bar(tmp_path: Path) -> None:
    for i in range(3):
        write_png(tmp_path / "in" / f"{i}.png", stripes())
    entry = "import sys; from app.cli import main; sys.exit(main())"  # what the console script runs
    r = subprocess.run([sys.executable, "-c", entry, "apply", str(tmp_path / "in"),
                        "--kernel", "sobel-y", "--pad", "1", "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "3 of 3 written" in r.stdout and "3/3" in r.stderr  # tqdm's bar on stderr
    written = sorted(p.name for p in (tmp_path / "out" / "in").iterdir())
    assert written == ["0.png", "1.png", "2.png"]


def test_apply_plans_as_the_api_pipeline_but_without_its_budget(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """apply runs services.plan (the API pipeline's planner) on its layers, with the server's
    per-request compute budget lifted (the user's own machine): a photo the API would refuse
    for its budget is processed, with the API's numbers; a 422-style refusal of the plan (a
    kernel larger than the padded image) is one "skipped" line naming its code."""
    from app.cli import apply_run
    from app.config import Settings, get_settings
    from app.errors import ApiError
    from app.services.plan import plan_layers

    small = Settings(max_macs=1_000)   # the server's budget, set tiny
    monkeypatch.setattr(apply_run, "get_settings", lambda: small)
    src = write_png(tmp_path / "a.png", stripes(40, 30))
    assert main(["apply", str(src), "--kernel", "gaussian", "--pad", "1", "--relu", "--pool",
                 "avg:2", "--out", str(tmp_path / "o"), "--npy"]) == 0
    x = decode_image(src.read_bytes()).array[None]
    args = apply_run.argparse.Namespace(bias=0.0, stride=(1, 1), pad=(1, 1), pad_mode="zeros",
                                        dilation=(1, 1), depthwise=False, relu=True,
                                        pool=None)
    layers = apply_run.layers_of(get_kernel("gaussian"), args)
    with pytest.raises(ApiError) as refused:   # the API, with that budget, refuses the same plan
        plan_layers(layers, x.shape, small)
    assert refused.value.code == "budget_exceeded"
    want = avg_pool2d(relu(conv2d(x, get_kernel("gaussian")[None, None],
                                  np.zeros(1, np.float32), pad=1)), 2, 2)
    assert np.array_equal(np.load(tmp_path / "o" / "a.npy"), want)
    assert get_settings().max_macs > small.max_macs   # the real settings were not touched
    big = write_png(tmp_path / "t.png", stripes(2, 2))
    assert main(["apply", str(big), "--kernel", "gaussian", "--param", "size=5",
                 "--out", str(tmp_path / "p")]) == 1
    err = capsys.readouterr().err
    assert "skipped" in err and "[kernel_larger_than_input]" in err, err

