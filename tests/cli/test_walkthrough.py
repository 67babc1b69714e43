"""The page's "bring your own model" walkthrough runs as written: its PyTorch lines are the
README's, and its book-code commands (import-dlfs, then export-onnx) give a file that
POST /api/models imports and proves equal to the ONNX reference."""

from __future__ import annotations

import html
import pickle
import re
import shlex
from pathlib import Path

from fastapi.testclient import TestClient

from app.cli import main
from app.main import create_app
from tests.models.test_dlfs_import import book_params

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<pre[^>]*><code>(.*?)</code></pre>", re.S)


def _blocks() -> list[str]:
    page = (ROOT / "templates" / "views" / "network.html").read_text(encoding="utf-8")
    return [html.unescape(b) for b in BLOCK.findall(page)]


def _statements(code: str) -> list[str]:
    """Code lines without comments or trailing spaces, continuation lines joined."""
    lines = [re.sub(r"\s+#.*$", "", line).rstrip() for line in code.strip().splitlines()]
    joined: list[str] = []
    for line in lines:
        if line.startswith(" ") and joined:
            joined[-1] += " " + line.strip()
        elif line:
            joined.append(line)
    return joined


def test_the_pytorch_lines_are_the_readmes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ours = next(b for b in _blocks() if "torch.onnx.export" in b)
    theirs = re.search(r"```python\n(import torch.*?)```", readme, re.S)
    assert theirs is not None
    assert _statements(ours) == _statements(theirs.group(1))


def test_the_book_code_commands_run_and_the_file_imports(tmp_path: Path,
                                                         monkeypatch: object) -> None:
    with open(tmp_path / "params.pkl", "wb") as f:
        pickle.dump(book_params(), f)
    monkeypatch.chdir(tmp_path)  # type: ignore[attr-defined]
    block = next(b for b in _blocks() if "import-dlfs" in b)
    commands = [shlex.split(line) for line in block.strip().splitlines()]
    assert [c[:2] for c in commands] == [["convscope", "import-dlfs"], ["convscope", "export-onnx"]]
    for argv in commands:
        assert main(argv[1:]) == 0, argv
    data = (tmp_path / "book.onnx").read_bytes()
    with TestClient(create_app()) as client:
        r = client.post("/api/models", files={"file": ("book.onnx", data)})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["input_shape"] == [1, 28, 28] and body["max_error"] < 1e-5
    assert [layer["type"] for layer in body["layers"]][:4] == ["input", "conv", "relu", "pool"]
