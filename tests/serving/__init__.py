"""Production-server tests: real gunicorn processes, faults, graceful shutdown."""
