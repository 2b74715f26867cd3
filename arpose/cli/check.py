"""`arpose check EFFECT_FILE...`: validate effect files without rendering."""

from __future__ import annotations

import argparse
import sys

from ..effects import decode_assets, load_effect
from ..errors import ArposeError, printable


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="validate effect files (TOML) without rendering",
        description="Reads each effect, checks every key, joint name and asset path, and "
        "decodes its assets. Exit code 0 when all are valid, 1 otherwise (one "
        "line per problem on stderr). Gallery names (top-hat) work too.",
    )
    p.add_argument("effects", nargs="+", metavar="EFFECT_FILE", help="a .toml effect file or a gallery name")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing for valid files")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    failed = 0
    for spec in args.effects:
        try:
            effect = load_effect(spec)
            decode_assets(effect)
        except ArposeError as exc:
            failed += 1
            for problem in getattr(exc, "problems", None) or [str(exc)]:  # a line per problem
                print(f"arpose: error: {printable(problem)}", file=sys.stderr)
            continue
        if not args.quiet:
            n = len(effect.attachments)
            kinds = ", ".join(sorted({a.kind for a in effect.assets.values()}))
            print(
                f"ok: {printable(spec)}: {printable(repr(effect.name))}, {n} "
                f"attachment{'s' * (n != 1)} ({kinds})"
            )
    return 1 if failed else 0
