"""Run many `arpose` command lines in ONE Python process (the hostile suites' runner).

Each case is a real `arpose.cli.main(argv)` call, as the console script makes it, with
its own working folder, environment changes and file descriptors 1 and 2 pointed at
files (so native output, ALSA's or OpenCV's, is caught too). Starting a Python and
importing arpose costs 1-2 s, so batching a hundred cases saves minutes of CI.

    python cli_batch.py CASES.json RESULTS.json

``CASES.json``: a list of ``{"id", "argv", "cwd", "env": {NAME: value or null}}``.
``RESULTS.json``: ``{id: {"rc", "stdout", "stderr"}}``; an exception escaping ``main``
(a traceback a user would see) is printed into ``stderr`` with its traceback and
``rc`` 1, exactly as the console script would show it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import tempfile
import traceback
from typing import Any


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    from arpose.cli import main

    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    fd1, fd2 = os.dup(1), os.dup(2)
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    logging.root.handlers.clear()  # main() configures logging afresh for each case
    rc: Any
    try:
        for k, v in (case.get("env") or {}).items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        os.chdir(case["cwd"])
        try:
            rc = main(case["argv"])
        except SystemExit as exc:  # argparse's usage errors
            rc = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # what the console script would print
            traceback.print_exc()
            rc = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os.dup2(fd1, 1)
        os.dup2(fd2, 2)
        os.close(fd1)
        os.close(fd2)
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    out.seek(0)
    err.seek(0)
    return {
        "rc": rc,
        "stdout": out.read().decode("utf-8", "replace"),
        "stderr": err.read().decode("utf-8", "replace"),
    }


def main() -> None:
    cases = json.loads(open(sys.argv[1], encoding="utf-8").read())
    results = {}
    for case in cases:
        results[case["id"]] = run_case(case)
        # written after each case: a hang still leaves the results so far
        with open(sys.argv[2], "w", encoding="utf-8") as fh:
            json.dump(results, fh)


if __name__ == "__main__":
    main()
