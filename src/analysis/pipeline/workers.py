"""Running theme notebooks: papermill into a kernel, and the pool of workers that keeps kernels warm.

:func:`execute` runs one notebook (timestamps stripped so outputs are deterministic);
:class:`NotebookWorkers` runs the notebooks handed to it, `jobs` at a time, each worker in a
kernel of its own. Heavy libraries (nbformat, papermill, jupyter_client) are imported where used.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core.paths import NOTEBOOKS_DIR
from analysis.pipeline.parameters import BuildParameters

if TYPE_CHECKING:
    import nbformat

KERNEL = "python3"
#: Notebook and cell metadata that changes from run to run (removed so outputs are deterministic).
VOLATILE_METADATA = ("papermill", "execution")


def strip_volatile(notebook: nbformat.NotebookNode, name: str | None = None) -> nbformat.NotebookNode:
    """Remove run timestamps and durations (papermill/nbclient) from a notebook, in place, and give
    papermill's injected parameters cell (a random id on every run) the id ``injected-<name>``."""
    for key in VOLATILE_METADATA:
        notebook.metadata.pop(key, None)
    for cell in notebook.cells:
        for key in VOLATILE_METADATA:
            cell.metadata.pop(key, None)
        if name and "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = f"injected-{name}"[:64]
    return notebook


def execute(source: Path, target: Path, parameters: dict[str, Any], kernel: Any = None) -> None:
    """Run the notebook `source` with papermill into `target` (timestamps stripped): in `kernel` (a
    :class:`~analysis.pipeline.kernels.WarmKernel`, reset first) when given, otherwise in a new kernel."""
    import nbformat
    import papermill

    from analysis.pipeline.kernels import ENGINE, WarmKernel

    target.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"kernel_name": KERNEL, "progress_bar": False, "log_output": False,
                               "request_save_on_cell_execute": False, "engine_name": ENGINE}
    single = None if kernel is not None else WarmKernel(KERNEL, NOTEBOOKS_DIR)
    try:
        (kernel or single).prepare()
        papermill.execute_notebook(str(source), str(target), parameters=parameters,
                                   km=(kernel or single).manager, **options)
    finally:
        if single is not None:
            single.shutdown()
        if target.exists():
            notebook = nbformat.read(target, as_version=4)
            nbformat.write(strip_volatile(notebook, target.stem), target)


class NotebookWorkers:
    """`jobs` threads, each with a kernel of its own kept warm, calling ``run(theme, *args,
    kernel=kernel)`` for each theme handed to them (:meth:`submit`); results arrive in
    :attr:`results` as ``(theme, exception or None, seconds)``.

    A kernel starts when its worker gets its first notebook (at once when `warm`), with `env`
    added to its environment; a kernel whose notebook failed is shut down (its state is unknown)
    and the worker starts a new one for its next notebook.
    """

    def __init__(self, jobs: int, run: Callable[..., Any], warm: bool = False,
                 env: Mapping[str, str] | None = None):
        import queue
        import threading

        self.run = run
        self.warm = warm
        self.env = dict(env or {})
        self.tasks: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.cancelled = threading.Event()
        self.threads = [threading.Thread(target=self._work, name=f"notebook-worker-{i + 1}", daemon=True)
                        for i in range(max(1, jobs))]
        for thread in self.threads:
            thread.start()

    def submit(self, theme: str, *args: Any) -> None:
        """Hand one theme to the next free worker."""
        self.tasks.put((theme, args))

    def _kernel(self) -> Any:
        from analysis.pipeline.kernels import WarmKernel

        return WarmKernel(KERNEL, NOTEBOOKS_DIR, env=self.env)

    def _work(self) -> None:
        kernel = None
        try:
            if self.warm:  # start the kernel and import the stack now, while the build checks the export
                try:
                    kernel = self._kernel()
                    kernel.warm_up(self.cancelled)
                except Exception:  # started again for the first notebook, which reports the problem
                    kernel = None
            while (task := self.tasks.get()) is not None:
                theme, args = task
                began = time.perf_counter()
                try:
                    kernel = kernel or self._kernel()
                    self.run(theme, *args, kernel=kernel)
                    self.results.put((theme, None, time.perf_counter() - began))
                except Exception as exc:  # papermill raises PapermillExecutionError, kernels others
                    self.results.put((theme, exc, time.perf_counter() - began))
                    if kernel is not None:
                        kernel.shutdown()
                        kernel = None
        finally:
            if kernel is not None:
                kernel.shutdown(now=self.cancelled.is_set())

    def close(self, cancel: bool = False) -> None:
        """Let every worker finish its notebook, shut its kernel down and stop. When `cancel` (the build
        refused its input), a kernel still warming up gives up at once and every kernel is killed: a
        refusal does not wait seconds for imports no notebook will use."""
        if cancel:
            self.cancelled.set()
        for _ in self.threads:
            self.tasks.put(None)
        for thread in self.threads:
            thread.join()


#: What an executed notebook shows instead of a path (the published notebooks carry no path).
PATH_WITHHELD = "[path withheld]"


def redact_paths(notebook_path: Path, params: BuildParameters) -> None:
    """Replace every path parameter in the injected parameters cell of an executed notebook."""
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    paths = {name: getattr(params, name) for name in BuildParameters.path_fields()}
    for cell in notebook.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            lines = []
            for line in cell.source.splitlines():
                name = line.split("=", 1)[0].strip()
                if name in paths and "None" not in line.split("=", 1)[1]:
                    line = f'{name} = "{PATH_WITHHELD}"'
                lines.append(line)
            cell.source = "\n".join(lines)
    nbformat.write(notebook, notebook_path)
