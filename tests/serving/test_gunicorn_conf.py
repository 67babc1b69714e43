"""app.gunicorn_conf: every production setting comes from the environment, with sane defaults."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

ENV = ("HOST", "PORT", "CONVSCOPE_WORKERS", "CONVSCOPE_WORKER_TIMEOUT",
       "CONVSCOPE_GRACEFUL_TIMEOUT", "CONVSCOPE_KEEPALIVE", "CONVSCOPE_MAX_REQUESTS",
       "CONVSCOPE_LIMIT_REQUEST_LINE", "CONVSCOPE_BACKLOG", "CONVSCOPE_REUSE_PORT",
       # set by the module: listed so that monkeypatch restores them after each test
       "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import app.gunicorn_conf as conf
    return importlib.reload(conf)


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load(monkeypatch)
    assert conf.bind == "0.0.0.0:8000"
    assert conf.worker_class == "app.api.server.worker.ConvScopeWorker"
    assert conf.workers == conf.available_cpus() >= 1
    assert (conf.timeout, conf.graceful_timeout, conf.keepalive) == (60, 30, 75)
    assert (conf.max_requests, conf.max_requests_jitter) == (10_000, 1000)
    assert conf.reuse_port is True and conf.control_socket_disable is True
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load(monkeypatch, HOST="127.0.0.1", PORT="9001", CONVSCOPE_WORKERS="3",
                CONVSCOPE_WORKER_TIMEOUT="20", CONVSCOPE_GRACEFUL_TIMEOUT="7",
                CONVSCOPE_KEEPALIVE="9", CONVSCOPE_MAX_REQUESTS="500",
                CONVSCOPE_LIMIT_REQUEST_LINE="4096", CONVSCOPE_BACKLOG="64")
    assert conf.bind == "127.0.0.1:9001"
    assert (conf.workers, conf.timeout, conf.graceful_timeout, conf.keepalive) == (3, 20, 7, 9)
    assert (conf.max_requests, conf.max_requests_jitter) == (500, 50)
    assert (conf.limit_request_line, conf.backlog) == (4096, 64)


def test_empty_values_mean_default(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load(monkeypatch, CONVSCOPE_WORKER_TIMEOUT="", PORT=" ")
    assert conf.timeout == 60 and conf.bind.endswith(":8000")
