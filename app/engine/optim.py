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

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        self.t += 1
        step = self.lr * np.sqrt(1.0 - self.beta2 ** self.t) / (1.0 - self.beta1 ** self.t)
        for k, g in grads.items():
            if k not in self.m:
                self.m[k] = np.zeros_like(params[k])
                self.v[k] = np.zeros_like(params[k])
            m, v = self.m[k], self.v[k]
            m += np.float32(1 - self.beta1) * (g - m)
            v += np.float32(1 - self.beta2) * (g * g - v)
            if self.weight_decay and params[k].ndim > 1:
                params[k] *= np.float32(1.0 - self.lr * self.weight_decay)
            params[k] -= np.float32(step) * m / (np.sqrt(v) + np.float32(self.eps))
