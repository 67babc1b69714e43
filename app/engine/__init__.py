"""ConvScope's CNN engine: pure NumPy (never imports FastAPI or Pillow). NCHW, float32."""

from .functional import (
    PAD_MODES,
    Geometry,
    GeometryError,
    affine,
    avg_pool2d,
    col2im,
    conv2d,
    conv_geometry,
    depthwise_conv2d,
    im2col,
    max_pool2d,
    pad2d,
    relu,
    softmax,
)
from .kernels import CATALOGUE, KernelError, KernelSpec, Param, get_kernel
from .layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss
from .network import ARCHITECTURES, Network, NetworkError, Stage, build

__all__ = [
    "ARCHITECTURES", "Network", "NetworkError", "Stage", "build", "CATALOGUE", "KernelError",
    "KernelSpec", "Param", "get_kernel", "PAD_MODES", "Affine", "Convolution", "Geometry",
    "GeometryError", "Pooling", "Relu", "SoftmaxWithLoss", "affine", "avg_pool2d", "col2im",
    "conv2d", "conv_geometry", "depthwise_conv2d", "im2col", "max_pool2d", "pad2d", "relu",
    "softmax",
]
