"""The CNN maths as pure NumPy functions, NCHW, float32 in and out (the public names).

The book's algorithms: util.py (im2col, col2im), conv.py (conv2d = im2col · W + b, blocked),
pool.py (max / avg pooling), activations.py (relu, affine, softmax), geometry.py (slide 10's
formula, padding). The public conv2d / depthwise_conv2d are the fast/ versions, same
signatures and results; reference.py holds the naive loops every path is tested against.
"""

from .activations import affine, relu, softmax
from .fast import conv2d, depthwise_conv2d
from .geometry import PAD_MODES, Geometry, GeometryError, Pair, conv_geometry, f32, pad2d, pair
from .pool import avg_pool2d, max_pool2d
from .util import col2im, im2col

__all__ = [
    "PAD_MODES", "Geometry", "GeometryError", "Pair", "affine", "avg_pool2d", "col2im", "conv2d",
    "conv_geometry", "depthwise_conv2d", "f32", "im2col", "max_pool2d", "pad2d", "pair", "relu",
    "softmax",
]
