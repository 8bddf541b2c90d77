"""How commands print: one JSON helper shared by every command.

>>> import numpy as np
>>> print_json({"p": np.float32(0.25), "label": "正面"})
{"p": 0.25, "label": "正面"}
"""

from __future__ import annotations

from rnnclf.common import to_json

__all__ = ["print_json"]


def print_json(payload) -> None:
    """Print ``payload`` as one line of JSON (numpy values converted, non-ASCII kept)."""
    print(to_json(payload))
