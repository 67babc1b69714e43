"""The production HTTP layer: uvicorn's h11 protocol with header limits, timeouts and a
connection cap (`protocol.py`), and the gunicorn worker that configures it (`worker.py`)."""
