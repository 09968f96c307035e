"""Build the compiled kernels; all other metadata lives in pyproject.toml.

Every ``src/claimset/<package>/_<name>.c`` becomes the extension ``claimset.<package>._<name>``
(plain C and the CPython API, no other build dependency). Flags are fixed and portable (no
``-march=native``): the kernels do integer arithmetic only, so outputs are the same on every
machine.
"""

from pathlib import Path

from setuptools import Extension, setup

SRC = Path("src")


def kernels() -> list[Extension]:
    """One extension per ``_*.c`` file under ``src/claimset``."""
    return [
        Extension(
            ".".join(c.relative_to(SRC).with_suffix("").parts),
            [c.as_posix()],
            depends=[h.as_posix() for h in sorted(c.parent.glob("_*.h"))],
            extra_compile_args=["-O3", "-std=c11", "-Wall", "-Wextra", "-Werror"],
        )
        for c in sorted(SRC.glob("claimset/**/_*.c"))
    ]


setup(ext_modules=kernels())
