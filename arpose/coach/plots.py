"""Progress over time from the workout history: a table, trends, a plot and JSON.

Trends compare each session with the mean of the previous (up to three) sessions of the
same exercise: reps, good reps and mean range, as signed differences.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import HistoryError, printable
from .history import SessionSummary

TREND_WINDOW = 3


def rows(sessions: list[SessionSummary]) -> list[dict[str, Any]]:
    """Sessions as dicts (oldest first), each with a ``trend`` against the previous ones."""
    out: list[dict[str, Any]] = []
    by_ex: dict[str, list[dict[str, Any]]] = {}
    for s in sessions:
        d = s.as_dict()
        prev = by_ex.setdefault(s.exercise, [])[-TREND_WINDOW:]
        trend: dict[str, float | None] = {}
        if prev:
            for key in ("reps", "good_reps", "mean_range"):
                vals = [p[key] for p in prev if p[key] is not None]
                trend[key] = round(d[key] - sum(vals) / len(vals), 3) if vals and d[key] is not None else None
        d["trend"] = trend
        d["previous_sessions"] = len(prev)
        by_ex[s.exercise].append(d)
        out.append(d)
    return out


def _fmt(v: Any, spec: str = "") -> str:
    return "-" if v is None else format(v, spec)


def _signed(v: float | None, spec: str) -> str:
    return "" if v is None else f" ({v:+{spec}})"


def table(data: list[dict[str, Any]]) -> str:
    """The sessions as a text table with trends (what ``arpose progress`` prints)."""
    if not data:
        return "no sessions yet"
    head = (
        f"{'date':<20} {'exercise':<15} {'reps':>9} {'good':>9} {'best set':>8} "
        f"{'range':>13} {'tempo down/up':>14}"
    )
    lines = [head, "-" * len(head)]
    for d in data:
        tr = d["trend"]
        reps = f"{d['reps']}{_signed(tr.get('reps'), '.0f')}"
        good = f"{d['good_reps']}{_signed(tr.get('good_reps'), '.0f')}"
        rng = f"{_fmt(d['mean_range'], '.2f')}{_signed(tr.get('mean_range'), '.2f')}"
        tempo = f"{_fmt(d['tempo_down'], '.1f')}/{_fmt(d['tempo_up'], '.1f')} s"
        date = printable(str(d["started"]).replace("T", " ")[:19]) + ("" if d["complete"] else "*")
        name = printable(str(d["exercise"]).replace("_", "-"))  # history files are data: escape
        lines.append(f"{date:<20} {name:<15} {reps:>9} {good:>9} {d['best_set']:>8} {rng:>13} {tempo:>14}")
    if any(not d["complete"] for d in data):
        lines.append("* session did not finish (crash or quit): its saved reps are shown")
    lines.append(
        f"(+n) = change against the mean of the previous {TREND_WINDOW} sessions of the same exercise"
    )
    return "\n".join(lines)


def _label(text: str) -> str:
    """A history name as a plot label: escaped, and no ``$`` for matplotlib's mathtext."""
    return printable(text).replace("$", r"\$")


PLOT_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
"""Plot file suffixes and the format each is written in."""


def plot_format(out: str | os.PathLike) -> str:
    """The format a plot at ``out`` is written in, from its suffix.

    Raises:
        HistoryError: an unknown suffix (naming it and the ones known).
    """
    suffix = Path(out).suffix.lower()
    if suffix not in PLOT_FORMATS:
        raise HistoryError(
            f"{out}: cannot tell the plot format from {suffix or 'no suffix'!r}; "
            f"use {', '.join(PLOT_FORMATS)}"
        )
    return PLOT_FORMATS[suffix]


def plot(data: list[dict[str, Any]], out: str | os.PathLike, *, dpi: int = 110) -> Path:
    """Reps (bars: all and good) and mean range (line) per session over time, one colour per
    exercise; written as PNG, PDF or SVG (by the suffix) with matplotlib's Agg backend."""
    fmt = plot_format(out)
    try:
        import matplotlib  # lazy: matplotlib is heavy and only --plot needs it
        import matplotlib.pyplot as plt  # lazy: as above
        from matplotlib.figure import Figure  # lazy: as above
    except ImportError:
        raise HistoryError("plotting needs matplotlib (pip install matplotlib)") from None
    matplotlib.use("Agg", force=False)

    if not data:
        raise HistoryError("no sessions to plot")
    fig = Figure(figsize=(8, 5), dpi=dpi)
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    labels = [_label(str(d["started"]).replace("T", "\n")[:16]) for d in data]
    x = list(range(len(data)))
    exercises = sorted({d["exercise"] for d in data})
    colours = {e: plt.get_cmap("tab10")(i % 10) for i, e in enumerate(exercises)}
    for e in exercises:
        xs = [i for i, d in enumerate(data) if d["exercise"] == e]
        ax1.bar(
            xs,
            [data[i]["reps"] for i in xs],
            color=colours[e],
            alpha=0.45,
            label=_label(f"{e.replace('_', '-')} reps"),
        )
        ax1.bar(
            xs,
            [data[i]["good_reps"] for i in xs],
            color=colours[e],
            width=0.4,
            label=_label(f"{e.replace('_', '-')} good"),
        )
        ys = [(i, data[i]["mean_range"]) for i in xs if data[i]["mean_range"] is not None]
        if ys:
            ax2.plot(
                [a for a, _ in ys],
                [b for _, b in ys],
                "o-",
                color=colours[e],
                label=_label(e.replace("_", "-")),
            )
    ax1.set_ylabel("reps per session")
    ax1.legend(fontsize=8, loc="upper left")
    ax1.grid(axis="y", alpha=0.3)
    ax2.set_ylabel("mean range (1 = full rep)")
    ax2.set_ylim(0, 1.05)
    ax2.grid(alpha=0.3)
    ax2.set_xticks(x)
    ax2.set_xticklabels(labels, fontsize=7)
    fig.suptitle("arpose workout progress")
    fig.tight_layout()
    path = Path(out)
    try:
        fig.savefig(path, format=fmt)
    except OSError as exc:
        raise HistoryError(f"{path}: cannot write the plot ({exc.strerror or exc})") from None
    return path


__all__ = ["rows", "table", "plot", "plot_format", "PLOT_FORMATS", "TREND_WINDOW"]
