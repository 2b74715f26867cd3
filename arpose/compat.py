"""Old names kept for one release, each with a DeprecationWarning naming the new one.

arpose follows supervision's deprecation policy: a renamed function, class or keyword keeps
working for one minor release and warns; then it goes. Nothing is re-exported silently.
The renames of each release are listed in CHANGELOG.md.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that ``old`` is deprecated in favour of ``new``."""
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=stacklevel)


def renamed_keywords(**renames: str) -> Callable[[F], F]:
    """Accept a keyword argument under its old name too (``@renamed_keywords(mirror="flip")``).

    Raises:
        TypeError: both the old and the new name were given.
    """

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{fn.__qualname__}() got both {old}= and {new}=")
                    warn_renamed(f"{fn.__qualname__}({old}=...)", f"{new}=")
                    kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)

        return cast(F, call)

    return wrap


__all__ = ["renamed_keywords", "warn_renamed"]
