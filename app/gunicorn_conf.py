"""Production server settings: `gunicorn -c python:app.gunicorn_conf app.main:app`.

Every value comes from the environment so a container or a Kubernetes pod tunes it without a
rebuild (defaults in brackets):
  HOST [0.0.0.0], PORT [8000]                  where to listen
  CONVSCOPE_WORKERS [CPUs available]           worker processes (uvicorn workers)
  CONVSCOPE_WORKER_TIMEOUT [60]                seconds a silent worker lives before it is killed
  CONVSCOPE_GRACEFUL_TIMEOUT [30]              seconds in-flight requests get after SIGTERM
  CONVSCOPE_KEEPALIVE [75]                     idle keep-alive seconds (above browsers' and load
                                               balancers' idle timeouts: no close-vs-reuse race)
  CONVSCOPE_MAX_REQUESTS [10000; 0 = never]    recycle a worker after this many (+ 0-10 %) requests
  CONVSCOPE_LIMIT_REQUEST_LINE [8190], CONVSCOPE_LIMIT_REQUEST_FIELDS [100],
  CONVSCOPE_LIMIT_REQUEST_FIELD_SIZE [8190]    HTTP header limits
  CONVSCOPE_BACKLOG [256]                      pending connections before the kernel refuses
  CONVSCOPE_REUSE_PORT [1]                     one SO_REUSEPORT socket per worker: the kernel
                                               spreads connections over the workers (0: one
                                               shared socket, whichever worker wakes takes all)
BLAS is pinned to one thread per worker: the workers are the parallelism.
"""

from __future__ import annotations

import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    """An integer environment variable, or the default when unset or empty."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def available_cpus() -> int:
    """CPUs this process may use: the affinity mask, capped by a cgroup v2 `cpu.max` quota."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cpus = min(cpus, max(1, int(int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cpus)


for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_int('PORT', 8000)}"
workers = _int("CONVSCOPE_WORKERS", available_cpus())
worker_class = "app.api.server.worker.ConvScopeWorker"  # enforces the limit_request_* below
timeout = _int("CONVSCOPE_WORKER_TIMEOUT", 60)
graceful_timeout = _int("CONVSCOPE_GRACEFUL_TIMEOUT", 30)
keepalive = _int("CONVSCOPE_KEEPALIVE", 75)
max_requests = _int("CONVSCOPE_MAX_REQUESTS", 10_000)  # recycled with 10 % jitter: no RSS creep
max_requests_jitter = max_requests // 10
limit_request_line = _int("CONVSCOPE_LIMIT_REQUEST_LINE", 8190)
limit_request_fields = _int("CONVSCOPE_LIMIT_REQUEST_FIELDS", 100)
limit_request_field_size = _int("CONVSCOPE_LIMIT_REQUEST_FIELD_SIZE", 8190)
backlog = _int("CONVSCOPE_BACKLOG", 256)
reuse_port = _int("CONVSCOPE_REUSE_PORT", 1) != 0
# Heartbeat files on tmpfs: a container's overlay filesystem can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("CONVSCOPE_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("CONVSCOPE_LOG_LEVEL", "info")
proc_name = "convscope"
# No runtime control socket (gunicorn >= 25): several servers may share a HOME, and none needs it.
control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
