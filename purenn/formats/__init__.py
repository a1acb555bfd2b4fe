"""File formats: purenn's own JSON (save, load, checkpoints), NumPy's .npz, ONNX, standalone Python.

Nothing in the core imports this subpackage: a network knows only ``state_dict`` and
``load_state_dict``, and each format here builds on them and on ``Layer.config()``.  The
modules, bottom to top:

    checks         values read from a file, checked; ModelFormatError naming file and field
    files          paths; atomic writes (temporary file, fsync, os.replace)
    names          activations, losses, initializers by registered name and arguments
    support        which layers each format takes; the error refusing any other by name
    architecture   layers as plain data and back, for any registered layer (its config)
    savefile       save, load, load_checkpoint: versioned JSON
    npy            NumPy's .npy and .npz byte formats
    npz            export_npz, import_npz: parameters in PyTorch's names and layouts
    protobuf       Protocol Buffers' wire format, the writing half
    onnx           export_onnx: an ONNX model, float64 or float32
    standalone     export_python: one .py file needing only math, for MicroPython and anywhere
"""

from purenn.formats.npz import export_npz, import_npz
from purenn.formats.onnx import export_onnx
from purenn.formats.savefile import load, load_checkpoint, save
from purenn.formats.standalone import export_python

__all__ = [
    "save", "load", "load_checkpoint", "export_npz", "import_npz", "export_onnx", "export_python"
]
