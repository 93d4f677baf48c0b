"""The kernels the build runs notebooks in (imported only when a notebook runs)."""
from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager


class QuietShutdownKernelManager(AsyncKernelManager):
    """A kernel manager that shuts an idle kernel down without interrupting it first.

    jupyter_client sends SIGINT before every shutdown request. When the signal lands while the
    kernel is handling a message, ipykernel logs ``[IPKernelApp] ERROR | KeyboardInterrupt caught in
    kernel.`` to stderr: noise in a successful build's output (it came in about one run in seven).
    Papermill shuts the kernel down only after the last cell has finished (or failed), so there is
    nothing to interrupt; a kernel that does not exit is still killed after ``shutdown_wait_time``.
    """

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()


#: Run in a kept kernel before its next notebook: a fresh namespace, history and execution count
#: (so the executed notebook is the same as from a new kernel); imported modules stay loaded.
RESET_CODE = ("get_ipython().reset(new_session=True)\n"
              "import sys as _sys\n"
              "if 'matplotlib.pyplot' in _sys.modules: _sys.modules['matplotlib.pyplot'].close('all')\n"
              "del _sys")


class WarmKernel:
    """One kernel kept for the notebooks a build worker runs one after another.

    Kernel start-up and the analysis stack's imports are paid once per worker, not once per
    notebook. Between notebooks the kernel's namespace, history and execution count are reset
    (:data:`RESET_CODE`), so each executed notebook is the same, byte for byte, as from a new
    kernel. `env` is added to the kernel's environment. Use from one thread only (its event loop is that thread's).
    The kernel talks over
    local IPC sockets in a private directory (no TCP port; socket paths stay short).
    """

    def __init__(self, kernel_name: str, cwd: Path, env: dict[str, str] | None = None):
        from jupyter_core.utils import run_sync

        self._run = run_sync
        self.sockets = Path(tempfile.mkdtemp(prefix="politie20-"))
        self.manager = QuietShutdownKernelManager(kernel_name=kernel_name, transport="ipc",
                                                  ip=str(self.sockets / "kernel"))
        run_sync(self.manager.start_kernel)(cwd=str(cwd), env={**os.environ, **(env or {})})
        self.notebooks = 0

    def warm_up(self, stop: threading.Event, code: str = "import analysis.pipeline.notebook") -> None:
        """Import the analysis stack before the first notebook arrives (while the build still
        checks the export); the next :meth:`prepare` resets the namespace as after a notebook. Gives up
        as soon as `stop` is set (the build refused its input: no notebook will come)."""
        try:
            self._run(self._execute_unless)(code, stop)
        except Exception:  # the first notebook meets the same problem and reports it properly
            pass
        self.notebooks = max(self.notebooks, 1)

    async def _execute_unless(self, code: str, stop: threading.Event) -> None:
        """:meth:`_execute` `code`, cancelled when `stop` is set before it has finished."""
        running = asyncio.ensure_future(self._execute(code))
        while not (await asyncio.wait({running}, timeout=0.05))[0]:
            if stop.is_set():
                running.cancel()
                break
        try:
            await running
        except asyncio.CancelledError:
            pass

    def prepare(self) -> None:
        """Make the kernel ready for the next notebook (a reset unless none has run yet)."""
        if self.notebooks:
            self._run(self._reset)()
        self.notebooks += 1

    async def _reset(self) -> None:
        await self._execute(RESET_CODE)

    async def _execute(self, code: str) -> None:
        client = self.manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            reply = await client.execute_interactive(code, silent=True, store_history=False, timeout=120,
                                                     output_hook=lambda message: None)
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel could not run {code!r}: {reply['content'].get('evalue', reply['content'])}")

    def shutdown(self, now: bool = False) -> None:
        """Stop the kernel (kill it at once when `now`: its work is abandoned) and remove its socket directory."""
        try:
            if self.manager.has_kernel:
                self._run(self.manager.shutdown_kernel)(now=now)
        finally:
            shutil.rmtree(self.sockets, ignore_errors=True)


def _register_engine() -> str:
    """A papermill engine that runs a notebook in a kept kernel and closes its client afterwards
    (papermill's own leaves the client of a kernel it did not start open: its sockets would pile
    up, one set per notebook, and warn when collected)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class KeptKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, **kwargs):
            import logging

            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(safe_kwargs, timeout=execution_timeout or kwargs.get("timeout"),
                                        startup_timeout=start_timeout, kernel_name=kernel_name,
                                        log=logging.getLogger("papermill"), log_output=log_output,
                                        stdout_file=stdout_file, stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, **final_kwargs)
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()
                    client.kc = None

    papermill_engines.register(ENGINE, KeptKernelEngine)
    return ENGINE


#: Name of the papermill engine that runs notebooks in a :class:`WarmKernel`.
ENGINE = "politie20-kept-kernel"
ENGINE_REGISTERED = _register_engine()
