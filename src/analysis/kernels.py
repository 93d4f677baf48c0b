"""The kernel manager the build runs notebooks with (imported only when a notebook runs)."""
from __future__ import annotations

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
