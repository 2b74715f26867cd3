"""A held-out hostile run (issue 26): about a hundred inputs a clumsy or hostile user
gives the coach, learned exercises, the history, hands, games and exports, written apart
from the issue's list and going beyond it.

Every case is a real ``arpose`` command line; all run in one Python process
(``tests/cli_batch.py``) to keep CI time low. The promise checked for each: ``err`` = exit
1 with exactly one ``arpose: error:`` line holding the needles; ``usage`` = argparse's
exit 2 naming the option; ``ok`` = exit 0 with the needles on stdout. Always: no
traceback and no raw control character in anything printed.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from hostile_helpers import (
    TESTS,
    clean,
    foreign_db,
    learned_doc,
    make_history,
    one_line,
    run_batch,
    squat_recording,
)

from arpose.coach.history import SCHEMA_V1

GOLDEN = str(TESTS / "golden" / "recording_v1_hands.arpose")


def _lf(w: Path, name: str, content: str | bytes) -> str:
    """A learned-exercise file in ``w/lf`` (its path)."""
    p = w / "lf" / name
    p.parent.mkdir(exist_ok=True)
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return str(p)


def _doc(**changes) -> str:
    doc = learned_doc("held")
    doc.update(changes)
    return json.dumps(doc)


def _db(path: Path, *statements: str, version: int | None = 2) -> str:
    con = sqlite3.connect(path)
    for s in statements:
        con.executescript(s)
    if version is not None:
        con.execute(f"PRAGMA user_version = {version}")
    con.commit()
    con.close()
    return str(path)


def _tampered(w: Path, name: str, sql: str) -> str:
    """A copy of a good history with one UPDATE applied (SQLite's types are loose)."""
    p = w / name
    make_history(p, sessions=2)
    con = sqlite3.connect(p)
    con.execute(sql)
    con.commit()
    con.close()
    return str(p)


def build(w: Path) -> list[tuple]:
    """(id, argv, env, kind, needles) for every case."""
    sq = squat_recording(w / "squat.arpose")
    good = str(make_history(w / "good.db", sessions=2))
    from arpose.sources import sample_image_path

    photo = str(sample_image_path())
    xdg = {"XDG_DATA_HOME": str(w / "xdg"), "ARPOSE_EXERCISES": str(w / "learned")}
    learn = lambda name: ["coach", "learn", name, "--source", sq]  # noqa: E731
    wk = ["play", "workout", "--headless", "--source", sq, "--no-history"]
    ex = lambda spec: [*wk, "--exercise", spec]  # noqa: E731
    hist_wk = lambda path: ["play", "workout", "--headless", "--source", sq, "--history", path]  # noqa: E731
    prog = lambda path, *more: ["progress", "--history", path, *more]  # noqa: E731
    (w / "lf").mkdir(exist_ok=True)
    (w / "lf" / "folder.json").mkdir()
    (w / "lf" / "dangling.json").symlink_to(w / "nowhere.json")
    fifo = w / "fifo.db"
    os.mkfifo(fifo)
    (w / "zero.db").symlink_to("/dev/zero")
    (w / "adir").mkdir()
    (w / "text.db").write_text("just some text, not SQLite\n")
    (w / "empty.db").write_bytes(b"")
    (w / "empty2.db").write_bytes(b"")
    make_history(w / "with?odd#name.db")
    make_history(w / "ümlaut name.db")
    make_history(w / "wal.db")
    (w / "wal.db-wal").write_bytes(os.urandom(4096))  # a stray, garbage WAL file
    make_history(w / "mathtext.db", exercise="a$\\frac{1}{0}$b")
    make_history(w / "esc.db", exercise="\x1b]0;owned\x07")
    from arpose.coach.history import History

    History(w / "nosessions.db").close()
    import cv2
    import numpy as np

    cv2.imwrite(str(w / "hat.png"), np.zeros((16, 16, 4), np.uint8))
    eff = w / "esc_key.toml"
    eff.write_text('[[attach]]\njoint = "nose"\nasset = "hat.png"\n"sc\\u001b[2Jale" = 2\n')
    cases: list[tuple] = [
        # -- exercise names (coach learn) -----------------------------------------------
        ("name-empty", learn(""), xdg, "err", ["invalid exercise name"]),
        ("name-space", learn("   "), xdg, "err", ["invalid exercise name"]),
        ("name-dot", learn("."), xdg, "err", ["invalid exercise name"]),
        ("name-dotdot", learn(".."), xdg, "err", ["invalid exercise name"]),
        ("name-slash", learn("a/b"), xdg, "err", ["invalid exercise name"]),
        ("name-backslash", learn("a\\b"), xdg, "err", ["invalid exercise name"]),
        ("name-nul", learn("nul\x00x"), xdg, "err", ["invalid exercise name", "\\x00"]),
        ("name-newline", learn("two\nlines"), xdg, "err", ["invalid exercise name", "\\n"]),
        ("name-41", learn("x" * 41), xdg, "err", ["invalid exercise name"]),
        ("name-unicode", learn("über"), xdg, "err", ["invalid exercise name"]),
        ("name-rtl", learn("ev\u202eil"), xdg, "err", ["invalid exercise name"]),
        ("name-digit", learn("1abc"), xdg, "err", ["invalid exercise name"]),
        ("name-json", learn("name.json"), xdg, "err", ["invalid exercise name"]),
        ("name-tilde", learn("~root"), xdg, "err", ["invalid exercise name"]),
        ("name-builtin", learn("squat"), xdg, "err", ["built-in"]),
        ("name-alias", learn("Squats"), xdg, "err", ["built-in"]),
        ("name-40", learn("x" * 40), xdg, "ok", ["learned", "x" * 40]),
        ("name-dashes", learn("My Move-2"), xdg, "ok", ["learned 'my_move_2'"]),
        ("learn-out-ro", [*learn("okout"), "--out", "/proc/okout.json"], xdg, "err", ["okout.json"]),
        (
            "learn-missing",
            ["coach", "learn", "ok", "--source", str(w / "missing.mp4")],
            xdg,
            "err",
            ["missing.mp4"],
        ),
        ("learn-neg-seconds", [*learn("neg"), "--seconds", "-1"], xdg, "err", ["frames"]),
        # -- exercise names elsewhere ------------------------------------------------------
        ("ex-passwd", ex("../../../../etc/passwd"), {}, "err", ["passwd"]),
        ("ex-devzero", ex("/dev/zero"), {}, "err", ["/dev/zero", "not a regular file"]),
        ("ex-escape", ex("sq\x1b[2Juat"), {}, "err", ["invalid exercise name", "\\x1b[2J"]),
        ("ex-typo", ex("sqat"), {}, "err", ["did you mean 'squat'"]),
        ("ex-empty", ex(""), {}, "err", ["invalid exercise name"]),
        ("ex-long", ex("y" * 300), {}, "err", ["invalid exercise name"]),
        ("prog-ex-escape", prog(good, "--exercise", "\x1b[2J"), {}, "err", ["unknown exercise", "\\x1b[2J"]),
        ("prog-ex-alias", prog(good, "--exercise", "Squats"), {}, "ok", ["squat"]),
        # -- learned files given by path ---------------------------------------------------
        ("lf-empty", ex(_lf(w, "empty.json", "")), {}, "err", ["empty.json", "JSON"]),
        ("lf-null", ex(_lf(w, "null.json", "null")), {}, "err", ["null.json", "JSON object"]),
        ("lf-list", ex(_lf(w, "list.json", "[]")), {}, "err", ["list.json", "JSON object"]),
        ("lf-string", ex(_lf(w, "string.json", '"squat"')), {}, "err", ["string.json", "JSON object"]),
        ("lf-binary", ex(_lf(w, "binary.json", bytes(range(128, 256)))), {}, "err", ["binary.json", "UTF-8"]),
        ("lf-utf16", ex(_lf(w, "utf16.json", _doc().encode("utf-16"))), {}, "err", ["utf16.json"]),
        ("lf-bom", ex(_lf(w, "bom.json", "\ufeff" + _doc())), {}, "err", ["bom.json"]),
        ("lf-v2", ex(_lf(w, "v2.json", _doc(version=2))), {}, "err", ["v2.json", "newer"]),
        ("lf-vstr", ex(_lf(w, "vstr.json", _doc(version="1"))), {}, "err", ["vstr.json", "'version'"]),
        ("lf-vbool", ex(_lf(w, "vbool.json", _doc(version=True))), {}, "err", ["vbool.json", "'version'"]),
        (
            "lf-format",
            ex(_lf(w, "format.json", _doc(format="other"))),
            {},
            "err",
            ["format.json", "not an arpose"],
        ),
        ("lf-noname", ex(_lf(w, "noname.json", _doc(name=None))), {}, "err", ["noname.json", "'name'"]),
        ("lf-numname", ex(_lf(w, "numname.json", _doc(name=5))), {}, "err", ["numname.json", "'name'"]),
        (
            "lf-pathname",
            ex(_lf(w, "pathname.json", _doc(name="../../x"))),
            {},
            "err",
            ["pathname.json", "'name'"],
        ),
        ("lf-nofeat", ex(_lf(w, "nofeat.json", _doc(features=[]))), {}, "err", ["nofeat.json", "features"]),
        (
            "lf-dupfeat",
            ex(_lf(w, "dupfeat.json", _doc(features=["left_knee", "left_knee"]))),
            {},
            "err",
            ["dupfeat.json", "features"],
        ),
        ("lf-dictfeat", ex(_lf(w, "dictfeat.json", _doc(features={"a": 1}))), {}, "err", ["dictfeat.json"]),
        ("lf-nose", ex(_lf(w, "nose.json", _doc(features=["nose", "left_knee"]))), {}, "err", ["nose.json"]),
        ("lf-restlen", ex(_lf(w, "restlen.json", _doc(rest=[0.1]))), {}, "err", ["restlen.json", "'rest'"]),
        (
            "lf-reststr",
            ex(_lf(w, "reststr.json", _doc(rest=["a", 0.1]))),
            {},
            "err",
            ["reststr.json", "'rest'"],
        ),
        (
            "lf-inf",
            ex(_lf(w, "inf.json", _doc().replace('"far": [0.6', '"far": [Infinity'))),
            {},
            "err",
            ["inf.json", "Infinity"],
        ),
        (
            "lf-1e400",
            ex(_lf(w, "huge.json", _doc().replace('"far": [0.6', '"far": [1e400'))),
            {},
            "err",
            ["huge.json", "'far'"],
        ),
        ("lf-same", ex(_lf(w, "same.json", _doc(far=[0.1, 0.1]))), {}, "err", ["same.json", "same pose"]),
        ("lf-enter", ex(_lf(w, "enter.json", _doc(enter=1.5))), {}, "err", ["enter.json", "'enter'"]),
        (
            "lf-enterstr",
            ex(_lf(w, "enterstr.json", _doc(enter="0.5"))),
            {},
            "err",
            ["enterstr.json", "'enter'"],
        ),
        ("lf-exit", ex(_lf(w, "exit.json", _doc(exit=0.6))), {}, "err", ["exit.json", "'exit'"]),
        (
            "lf-goodnan",
            ex(_lf(w, "goodnan.json", _doc().replace('"good": 0.8', '"good": NaN'))),
            {},
            "err",
            ["goodnan.json", "NaN"],
        ),
        (
            "lf-minneg",
            ex(_lf(w, "minneg.json", _doc(min_rep_time=-1))),
            {},
            "err",
            ["minneg.json", "min_rep_time"],
        ),
        (
            "lf-minbig",
            ex(_lf(w, "minbig.json", _doc(min_rep_time=1e9))),
            {},
            "err",
            ["minbig.json", "min_rep_time"],
        ),
        (
            "lf-minbool",
            ex(_lf(w, "minbool.json", _doc(min_rep_time=True))),
            {},
            "err",
            ["minbool.json", "min_rep_time"],
        ),
        (
            "lf-deepextra",
            ex(_lf(w, "deepextra.json", _doc(learned_from=json.loads("[" * 50 + "]" * 50)))),
            {},
            "err",
            ["deepextra.json", "nested"],
        ),
        ("lf-big", ex(_lf(w, "big.json", _doc() + " " * 70_000)), {}, "err", ["big.json", "limit"]),
        ("lf-folder", ex(str(w / "lf" / "folder.json")), {}, "err", ["folder.json", "folder"]),
        ("lf-dangling", ex(str(w / "lf" / "dangling.json")), {}, "err", ["dangling.json", "no such"]),
        (
            "lf-bigint",
            ex(_lf(w, "bigint.json", _doc().replace('"enter": 0.5', '"enter": ' + "9" * 5000))),
            {},
            "err",
            ["bigint.json"],
        ),
        ("lf-extrakeys", ex(_lf(w, "extra.json", _doc(comment="from the future"))), {}, "ok", ["workout"]),
        # -- history files -----------------------------------------------------------------
        ("h-empty-progress", prog(str(w / "empty.db")), {}, "err", ["empty.db"]),
        ("h-empty-workout", hist_wk(str(w / "empty2.db")), {}, "ok", ["workout"]),
        ("h-text", prog(str(w / "text.db")), {}, "err", ["text.db", "not an SQLite"]),
        ("h-text-workout", hist_wk(str(w / "text.db")), {}, "err", ["text.db", "not an SQLite"]),
        ("h-dir", prog(str(w / "adir")), {}, "err", ["adir", "folder"]),
        ("h-fifo", hist_wk(str(fifo)), {}, "err", ["fifo.db", "not a regular file"]),
        ("h-zero", prog(str(w / "zero.db")), {}, "err", ["zero.db", "not a regular file"]),
        ("h-newer", prog(_db(w / "newer.db", SCHEMA_V1, version=99)), {}, "err", ["newer.db", "newer"]),
        ("h-v1-progress", prog(_db(w / "v1.db", SCHEMA_V1, version=1)), {}, "err", ["v1.db", "upgrade"]),
        ("h-v1-workout", hist_wk(_db(w / "v1w.db", SCHEMA_V1, version=1)), {}, "ok", ["workout"]),
        (
            "h-foreign-v",
            hist_wk(_db(w / "fv.db", "CREATE TABLE t (x);", version=3)),
            {},
            "err",
            ["fv.db", "another program"],
        ),
        ("h-foreign-progress", prog(str(foreign_db(w / "fp.db"))), {}, "err", ["fp.db", "another program"]),
        (
            "h-columns",
            prog(
                _db(
                    w / "cols.db",
                    "CREATE TABLE sessions (id);CREATE TABLE reps (id);INSERT INTO sessions VALUES (1);",
                )
            ),
            {},
            "err",
            ["cols.db"],
        ),
        (
            "h-rangetext",
            prog(_tampered(w, "rt.db", "UPDATE reps SET range = 'abc'")),
            {},
            "err",
            ["rt.db", "unexpected data"],
        ),
        (
            "h-flags",
            prog(_tampered(w, "fl.db", "UPDATE reps SET flags = '{'")),
            {},
            "err",
            ["fl.db", "unexpected data"],
        ),
        (
            "h-flagsdeep",
            prog(_tampered(w, "fd.db", "UPDATE reps SET flags = '" + "[" * 5000 + "]" * 5000 + "'")),
            {},
            "err",
            ["fd.db", "unexpected data"],
        ),
        ("h-intname", prog(_tampered(w, "in.db", "UPDATE sessions SET exercise = 5")), {}, "ok", ["5"]),
        (
            "h-intstart",
            prog(_tampered(w, "is.db", "UPDATE sessions SET started = 12345"), "--plot", str(w / "is.png")),
            {},
            "ok",
            ["plot written"],
        ),
        ("h-mathtext", prog(str(w / "mathtext.db"), "--plot", str(w / "m.png")), {}, "ok", ["plot written"]),
        ("h-urichars", prog(str(w / "with?odd#name.db")), {}, "ok", ["squat"]),
        ("h-unicode", prog(str(w / "ümlaut name.db")), {}, "ok", ["squat"]),
        ("h-stray-wal", prog(str(w / "wal.db")), {}, "ok", ["squat"]),
        ("h-deep-new", hist_wk(str(w / "new" / "deep" / "h.db")), {}, "ok", ["workout"]),
        ("h-plot-nofolder", prog(good, "--plot", str(w / "nope" / "p.png")), {}, "err", ["p.png"]),
        (
            "h-plot-nosessions",
            prog(str(w / "nosessions.db"), "--plot", str(w / "n.png")),
            {},
            "err",
            ["no sessions"],
        ),
        ("h-plot-upper", prog(good, "--plot", str(w / "UP.PNG")), {}, "ok", ["plot written"]),
        ("h-json-escapes", prog(str(w / "esc.db"), "--json"), {}, "ok", ["\\u001b"]),
        ("h-table-escapes", prog(str(w / "esc.db")), {}, "ok", ["\\x1b]0;owned\\x07"]),
        ("h-under-file", hist_wk(str(w / "text.db" / "h.db")), {}, "err", ["text.db", "--history"]),
        # -- games ---------------------------------------------------------------------------
        ("g-unknown", ["play", "slicr", "--headless", "--source", sq], {}, "err", ["slicr", "slicer"]),
        ("g-players", ["play", "slicer", "--players", "3"], {}, "usage", ["--players"]),
        (
            "g-duration0",
            ["play", "slicer", "--headless", "--source", sq, "--duration", "0"],
            {},
            "err",
            ["--duration"],
        ),
        (
            "g-durationnan",
            ["play", "slicer", "--headless", "--source", sq, "--duration", "nan"],
            {},
            "err",
            ["--duration"],
        ),
        ("g-size", ["play", "slicer", "--size", "10x10"], {}, "usage", ["--size"]),
        ("g-video", ["play", "slicer", "--video", "o.mp4"], {}, "err", ["--headless"]),
        ("g-nogame", ["play", "--headless", "--source", sq], {}, "err", ["GAME"]),
        (
            "g-nosource",
            ["play", "slicer", "--headless", "--source", str(w / "missing.mp4")],
            {},
            "err",
            ["missing.mp4"],
        ),
        ("g-seedbig", ["play", "slicer", "--seed", "99999999999"], {}, "usage", ["--seed"]),
        ("g-seedtext", ["play", "slicer", "--seed", "abc"], {}, "usage", ["--seed"]),
        (
            "g-report-ro",
            ["play", "slicer", "--headless", "--source", sq, "--report", "/proc/r.json"],
            {},
            "err",
            ["r.json"],
        ),
        (
            "x-handmodel-missing",
            ["detect", photo, "--hands", "--hand-model", str(w / "no.task")],
            {},
            "err",
            ["no.task"],
        ),
        (
            "g-effect-unknown",
            ["play", "slicer", "--headless", "--source", sq, "-e", "nosuch-effect"],
            {},
            "err",
            ["nosuch-effect"],
        ),
        (
            "g-effect-escape",
            ["play", "slicer", "--headless", "--source", sq, "-e", str(eff)],
            {},
            "err",
            ["esc_key.toml"],
        ),
        (
            "g-list-exercises",
            ["play", "--list-exercises"],
            {"ARPOSE_EXERCISES": str(w / "lf")},
            "ok",
            ["squat"],
        ),
        # -- hands and exports -----------------------------------------------------------------
        (
            "x-openpose-hands",
            ["export", GOLDEN, "-f", "openpose", "--hands", "-o", str(w / "oph")],
            {},
            "ok",
            [],
        ),
        ("x-csv", ["export", GOLDEN, "-f", "csv", "-o", str(w / "x.csv")], {}, "ok", []),
        ("x-format", ["export", GOLDEN, "-f", "nosuch", "-o", str(w / "x.json")], {}, "usage", ["nosuch"]),
        (
            "x-missing",
            ["export", str(w / "missing.arpose"), "-f", "csv", "-o", str(w / "y.csv")],
            {},
            "err",
            ["missing.arpose"],
        ),
        ("x-ro", ["export", GOLDEN, "-f", "csv", "-o", "/proc/x.csv"], {}, "err", ["/proc/x.csv"]),
        (
            "x-handmodel-zero",
            ["detect", photo, "--hands", "--hand-model", "/dev/zero"],
            {},
            "err",
            ["/dev/zero"],
        ),
        ("x-check-empty", ["check", ""], {}, "err", []),
        ("x-check-escape", ["check", str(eff)], {}, "err", ["\\x1b[2J"]),
        (
            "x-render-gif",
            ["render", "-e", "top-hat", "-s", GOLDEN, "-o", str(w / "o.gif")],
            {},
            "err",
            ["o.gif"],
        ),
    ]
    return cases


@pytest.fixture(scope="module")
def heldout(tmp_path_factory):
    w = tmp_path_factory.mktemp("heldout26")
    cases = build(w)
    results = run_batch([{"id": i, "argv": a, "env": e} for i, a, e, _, _ in cases], w, timeout=900)
    return w, {c[0]: c for c in cases}, results


def _ids() -> list[str]:
    # the ids, without building the inputs: parse them from this module's source
    import re

    return re.findall(r'^\s+\(\s*"([a-z0-9-]+)",', Path(__file__).read_text(), re.M)


@pytest.mark.parametrize("case", _ids())
def test_heldout(heldout, case):
    w, cases, results = heldout
    _, argv, _, kind, needles = cases[case]
    res = results[case]
    if kind == "err":
        one_line(res, *needles)
    elif kind == "usage":
        clean(res)
        assert res["rc"] == 2, (res["rc"], res["stderr"][-1500:])
        for n in needles:
            assert n in res["stderr"], (n, res["stderr"])
    else:
        clean(res)
        assert res["rc"] == 0, (res["rc"], res["stderr"][-1500:])
        for n in needles:
            assert n in res["stdout"], (n, res["stdout"][-1500:])


def test_heldout_has_about_a_hundred_cases():
    assert len(_ids()) >= 100
