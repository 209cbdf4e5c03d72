"""The ``daiban`` command line: the one place that wires the packages together."""

from __future__ import annotations

__version__ = "0.1.0"
"""The version when no package metadata can be read (a frozen executable); keep it equal to
``pyproject.toml``'s."""


def version() -> str:
    """This program's version: the installed package's, else :data:`__version__`."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("daiban")
    except PackageNotFoundError:  # frozen (PyInstaller) or a bare checkout
        return __version__
