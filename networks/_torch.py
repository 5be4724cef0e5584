"""Optional adapter: a ``torch.nn.Module`` through ``torch.onnx.export`` (torch is not a dependency)."""
from __future__ import annotations

import io

from ._graph import Network
from ._onnx import load_onnx

__all__ = ["from_torch"]


def from_torch(module, example_input, *, name: str | None = None, opset: int = 17) -> Network:
    """Export ``module`` (eval mode) on ``example_input`` to ONNX in memory and load it."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError("from_torch needs PyTorch (not a memlab dependency); export the model to ONNX with "
                          "torch.onnx.export elsewhere and use load_onnx(path)") from exc
    import onnx
    buf = io.BytesIO()
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, example_input, buf, opset_version=opset, input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    return load_onnx(onnx.load_from_string(buf.getvalue()), name=name or type(module).__name__)
