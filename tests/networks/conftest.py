import os
import sys

# onnx_builders.py (hand-built ONNX test graphs) lives next to this file (importlib mode)
_here = os.path.dirname(os.path.abspath(__file__))
if _here not in sys.path:
    sys.path.insert(0, _here)
