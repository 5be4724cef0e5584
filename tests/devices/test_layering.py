"""The bottom layer imports no upper layer, neither at import time nor inside functions
(a scan of every import statement and ``__import__``/``import_module`` call in devices/)."""
import ast
from pathlib import Path

import memlab.devices

UPPER = ("memlab.circuits", "memlab.arrays", "memlab.accel", "memlab.analysis", "memlab.cli")


def test_devices_modules_import_no_upper_layer():
    folder = Path(memlab.devices.__file__).parent
    edges = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "__import__", "import_module") and node.args and isinstance(node.args[0], ast.Constant):
                names = [str(node.args[0].value)]
            edges += [f"{path.name}:{node.lineno} {n}" for n in names if n.startswith(UPPER)]
    assert not edges, f"devices imports upper layers: {edges}"
