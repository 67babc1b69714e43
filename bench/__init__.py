"""ConvScope benchmarks (`make bench` = `python -m bench`): ratios against torch CPU / OpenCV."""
