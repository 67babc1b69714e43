"""Training runs started from the page or POST /api/training: each in its own worker process
(spawn), a bounded number at once (pool.py), progress as events in the shared store (job.py)."""
