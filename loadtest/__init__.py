"""Load, fuzz and hostile-input runs against a real production server.

`make loadtest`, `make fuzz`, `make hostile`; loopback only, bounded in time and count.
"""
