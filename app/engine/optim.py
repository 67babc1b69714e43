"""Optimisers: update a dict of parameter arrays in place from a dict of gradients."""

from __future__ import annotations

import numpy as np


class SGD:
    """p ← p − lr·g."""

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        for k, g in grads.items():
            params[k] -= np.float32(self.lr) * g


class Adam:
    """Adam (Kingma & Ba): m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
    p ← p − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + eps); with weight_decay wd (AdamW, decoupled),
    weights (ndim > 1, not biases) also shrink: p ← p − lr·wd·p."""

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-7, weight_decay: float = 0.0) -> None:
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.weight_decay = weight_decay
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}
        self.buf: dict[str, np.ndarray] = {}

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        self.t += 1
        step = self.lr * np.sqrt(1.0 - self.beta2 ** self.t) / (1.0 - self.beta1 ** self.t)
        for k, g in grads.items():
            if k not in self.m:
                self.m[k] = np.zeros_like(params[k])
                self.v[k] = np.zeros_like(params[k])
                self.buf[k] = np.empty((2, *params[k].shape), params[k].dtype)
            m, v, (a, b) = self.m[k], self.v[k], self.buf[k]  # a, b: scratch, no allocations
            m += np.multiply(np.subtract(g, m, out=a), np.float32(1 - self.beta1), out=a)
            v += np.multiply(np.subtract(np.multiply(g, g, out=a), v, out=a),
                             np.float32(1 - self.beta2), out=a)
            if self.weight_decay and params[k].ndim > 1:
                params[k] *= np.float32(1.0 - self.lr * self.weight_decay)
            np.add(np.sqrt(v, out=a), np.float32(self.eps), out=a)  # √v + eps
            params[k] -= np.divide(np.multiply(m, np.float32(step), out=b), a, out=b)
