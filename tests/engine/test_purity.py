"""Importing app.engine pulls in no web stack: it runs in a plain NumPy process."""

import subprocess
import sys


def test_engine_import_pulls_in_neither_fastapi_nor_pillow() -> None:
    code = (
        "import sys, app.engine, app.engine.reference, app.engine.kernels\n"
        "bad = [m for m in ('fastapi', 'PIL', 'starlette', 'pydantic', 'torch', 'cv2')"
        " if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
