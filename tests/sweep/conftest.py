import os
import sys

# the sweep tests' point functions live in sweep_helpers.py next to this file; spawned worker
# processes inherit sys.path, so they can import it too (pytest runs in importlib mode)
_here = os.path.dirname(os.path.abspath(__file__))
if _here not in sys.path:
    sys.path.insert(0, _here)
