"""The ``evalkit`` Jupyter kernel of this environment: registered, and running *this* Python.

Both the batch (:mod:`evalkit.run.batch`) and the kernel pool
(:mod:`evalkit.run.kernel_pool`) need it before a report runs; it lives apart from both so
neither has to import the other for it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from evalkit.core.config import KERNEL_NAME


def ensure_kernel() -> None:
    """Make sure the ``evalkit`` kernel exists and runs *this* Python.

    A kernel of the same name registered by another environment would make papermill
    silently run that environment's Python. We put this environment's kernel folder
    first on ``JUPYTER_PATH`` and (re)install the kernelspec there when it is missing
    or points elsewhere.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    data_dir = Path(sys.prefix) / "share" / "jupyter"
    paths = os.environ.get("JUPYTER_PATH", "")
    if str(data_dir) not in paths.split(os.pathsep):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(data_dir), paths) if p)
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        ours = Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    except NoSuchKernel:
        ours = False
    if not ours:
        from ipykernel.kernelspec import install

        install(kernel_name=KERNEL_NAME, display_name="Python (evalkit)", prefix=sys.prefix)
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        spec.argv[0] = sys.executable  # the venv's python, not a resolved base interpreter
        (data_dir / "kernels" / KERNEL_NAME / "kernel.json").write_text(
            json.dumps(spec.to_dict(), indent=1), encoding="utf-8")
