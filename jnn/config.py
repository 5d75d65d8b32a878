"""Runtime configuration (device-memory budget, persistent compilation cache)."""

from jnn._shell.runtime.config import device_memory_budget as device_memory_budget
from jnn._shell.runtime.config import enable_compilation_cache as enable_compilation_cache
from jnn._shell.runtime.config import set_device_memory_budget as set_device_memory_budget

__all__ = ["device_memory_budget", "enable_compilation_cache", "set_device_memory_budget"]
