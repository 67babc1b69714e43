"""The CNN maths as pure NumPy functions, NCHW, float32 in and out (the public names).

Split by responsibility: geometry.py (slide 10's formula, padding), columns.py (the book's
im2col/col2im and a cache-blocked GEMM convolution), filters.py + separable.py (shift-and-add
for one filter), conv.py (conv2d, depthwise_conv2d), pool.py (max/avg pooling),
activations.py (relu, affine, softmax). reference.py holds the naive loops they are tested
against.
"""

from .activations import affine, relu, softmax
from .columns import col2im, im2col
from .conv import conv2d, depthwise_conv2d
from .geometry import PAD_MODES, Geometry, GeometryError, Pair, conv_geometry, f32, pad2d, pair
from .pool import avg_pool2d, max_pool2d

__all__ = [
    "PAD_MODES",
    "Geometry",
    "GeometryError",
    "Pair",
    "affine",
    "avg_pool2d",
    "col2im",
    "conv2d",
    "conv_geometry",
    "depthwise_conv2d",
    "f32",
    "im2col",
    "max_pool2d",
    "pad2d",
    "pair",
    "relu",
    "softmax",
]
