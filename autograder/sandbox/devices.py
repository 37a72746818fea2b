"""The machine's NVIDIA GPU device files: the sandbox binds them into the kernel, and a lab that requires a GPU
is refused where there are none."""

import os

GPU_DEVICES = ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset")


def gpu_devices() -> list[str]:
    """The NVIDIA device files present on this machine (none on a CPU-only machine)."""
    numbered = sorted(name for name in os.listdir("/dev") if name.startswith("nvidia") and name[6:].isdigit())
    return [path for path in GPU_DEVICES + tuple("/dev/" + name for name in numbered) if os.path.exists(path)]


def has_gpu() -> bool:
    """Whether an NVIDIA GPU is visible (a numbered device file, as the sandbox binds it), without importing torch."""
    return any(os.path.basename(path)[6:].isdigit() for path in gpu_devices())
