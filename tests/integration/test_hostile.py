"""Hostile and clumsy input, run as a user runs it: the installed CLI in another folder.

One test (or a few) per bug found (issue 15's numbered rows, in brackets); every one
failed on the code before its fix. The promise checked each time: a one-line error that
names the file or value and exit 1 (or the documented behaviour), nothing lost, nothing
left running. Memory is compared with the same command on valid input in the same run,
never against an absolute number. Slow cases (the ten-minute WebSocket soak) live in
``tools/soak_stream.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from hostile_helpers import cli_env
from record_helpers import make_frames, write

from arpose.errors import ArposeError, SourceError
from arpose.record import Recorder, Recording

CTRL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F)]


def arpose(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "arpose", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=cli_env(),
        timeout=timeout,
    )


def start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "arpose", *args],
        cwd=cwd,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def peak_rss_mb(*args: str, cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    """Peak resident memory of one CLI run (``wait4``'s rusage of that child alone)."""
    proc = start(*args, cwd=cwd)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024.0, subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def one_line_error(res: subprocess.CompletedProcess, *needles: str) -> str:
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("arpose: error:")]
    assert res.returncode == 1, (res.returncode, res.stderr[-2000:])
    assert lines, res.stderr[-2000:]
    assert "Traceback" not in res.stderr, res.stderr[-2000:]
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A real photo of a person (Grace Hopper, shipped with matplotlib)."""
    from arpose.sources import sample_image_path

    return sample_image_path()


@pytest.fixture
def take(tmp_path: Path) -> Path:
    """A synthetic recording (no model needed), 60 frames at 50 FPS, no video."""
    return write(tmp_path / "take.arpose", make_frames(60))


def bomb_png(path: Path, w: int = 20000, h: int = 20000) -> Path:
    """A 1-bit PNG that claims w x h pixels in a few kB (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    comp = zlib.compressobj(9)
    row = bytes(1 + (w + 7) // 8)
    idat = b"".join(comp.compress(row) for _ in range(h)) + comp.flush()
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )
    return path


# ------------------------------------------------------------------ [1] export resume


def test_export_resume_verifies_outputs_instead_of_trusting_names(tmp_path, take):
    """[1] An output folder that merely exists (a killed run's leftovers, an orphaned
    worker's half) is exported again; a complete one is skipped."""
    from arpose.export import export_folder, is_complete

    src = tmp_path / "in"
    src.mkdir()
    for k in range(2):
        shutil.copy(take, src / f"t{k}.arpose")
    out = tmp_path / "out"
    # what an interrupted run left: a folder with the right name but 10 of 60 files
    (out / "t0").mkdir(parents=True)
    for i in range(10):
        (out / "t0" / f"t0_{i:012d}_keypoints.json").write_text("{}")
    first = {r.input.name: r for r in export_folder(src, "openpose", out, progress=False)}
    assert not first["t0.arpose"].skipped and first["t0.arpose"].frames == 60
    assert len(list((out / "t0").iterdir())) == 60
    assert all(is_complete(out, src / f"t{k}.arpose", "openpose") for k in range(2))
    # other options, damage after completion, or a changed input: not trusted any more
    assert not is_complete(out, src / "t0.arpose", "openpose", raw=True)
    next((out / "t1").iterdir()).unlink()
    assert not is_complete(out, src / "t1.arpose", "openpose")
    with Recorder(src / "t0.arpose", append=True) as rec:
        for pf, raw in make_frames(5, seed=3):
            rec.write(pf, raw)
    assert not is_complete(out, src / "t0.arpose", "openpose")


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PDEATHSIG is Linux's")
def test_export_workers_die_with_their_parent(tmp_path, dance_video):
    """[1] kill -9 of `arpose export FOLDER` left its workers running (330 MB each)."""
    src = tmp_path / "v"
    src.mkdir()
    for name in ("a.avi", "b.avi"):
        os.symlink(dance_video, src / name)
    proc = start(
        "export", str(src), "-f", "csv", "-o", str(tmp_path / "out"), "-q", "--workers", "2", cwd=tmp_path
    )
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(workers) < 2:
        workers = [p for p in _children(proc.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
        time.sleep(0.2)
    assert len(workers) == 2, "workers did not start"
    time.sleep(2.0)  # let them load the model and start writing
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    alive = [p for p in workers if _alive(p)]
    for p in alive:  # clean up before failing
        os.kill(p, signal.SIGKILL)
    assert not alive, f"orphaned export workers kept running: {alive}"


def test_two_exports_into_one_folder_refuse(tmp_path, take):
    """[1] A rerun while another export still writes there fails at once, naming it."""
    from arpose.export import _exclusive

    out = tmp_path / "out"
    out.mkdir()
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(take, src / "t.arpose")
    with _exclusive(out):  # what the running export holds
        res = arpose("export", str(src), "-f", "csv", "-o", str(out), "-q", cwd=tmp_path)
    one_line_error(res, str(out), "another arpose export")


# ---------------------------------------------------------------- [2] [5] lost messages


def test_native_stderr_silencing_restores_fd2_when_threads_interleave():
    """[2] Two inference threads silencing fd 2 at once left it on /dev/null for good."""
    from arpose.tracking.tasks import native_stderr_silenced

    before = os.fstat(2)
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a() -> None:
        with native_stderr_silenced(True):
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b() -> None:
        a_in.wait(5)
        with native_stderr_silenced(True):
            b_in.set()
            a_out.wait(5)  # A leaves first: the interleaving that lost stderr

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino), (
        "fd 2 was left pointing somewhere else (/dev/null)"
    )


def test_folder_with_a_corrupt_image_keeps_good_frames_and_names_the_file(tmp_path, photo):
    """[2][5] 6 good photos and a corrupt one: all 6 frames come out, then one error line
    naming the bad file (it used to print no frames and no message at all)."""
    folder = tmp_path / "s"
    folder.mkdir()
    for i in range(6):
        shutil.copy(photo, folder / f"{i}.jpg")
    (folder / "z.jpg").write_text("x")
    res = arpose("detect", str(folder), "--json", cwd=tmp_path)
    one_line_error(res, "z.jpg")
    lines = res.stdout.splitlines()
    assert [json.loads(ln)["frame"] for ln in lines] == list(range(6))


def test_tiny_image_in_a_folder_is_named():
    """[5] The 1x1-image error named no file when it came from a folder."""
    import tempfile

    from arpose.sources import ImageFolder

    with tempfile.TemporaryDirectory() as d:
        cv2.imwrite(os.path.join(d, "a.png"), np.zeros((64, 64, 3), np.uint8))
        cv2.imwrite(os.path.join(d, "b.png"), np.zeros((1, 1, 3), np.uint8))
        src = ImageFolder(d)
        assert src.read() is not None
        with pytest.raises(SourceError, match=r"b\.png: image is 1x1 pixels, too small"):
            src.read()


# ---------------------------------------------------------------- [3] size limits


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    """[3] A 20000x20000 1-bit PNG of a few kB cost gigabytes in `detect` and `check`."""
    bomb = bomb_png(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 200_000
    # detect, render and check read images the same way (read_image or the asset
    # loader); detect of the bomb fails before the model loads
    res = arpose("detect", str(bomb), cwd=tmp_path)
    one_line_error(res, "bomb.png", "20000x20000", "megapixel limit")

    sprite_dir = tmp_path / "fx"
    (sprite_dir / "sprites").mkdir(parents=True)
    shutil.copy(bomb, sprite_dir / "sprites" / "s.png")
    toml = (
        'name = "Bomb"\n[assets]\nshirt = "sprites/s.png"\n[[attach]]\nasset = "shirt"\n'
        'quad = ["right_shoulder", "left_shoulder", "left_hip", "right_hip"]\n'
    )
    (sprite_dir / "bomb.toml").write_text(toml)
    cv2.imwrite(str(sprite_dir / "sprites" / "ok.png"), np.zeros((64, 64, 4), np.uint8))
    (sprite_dir / "ok.toml").write_text(toml.replace("s.png", "ok.png"))
    rss_check_bomb, res = peak_rss_mb("check", str(sprite_dir / "bomb.toml"), cwd=tmp_path)
    one_line_error(res, "s.png", "20000x20000")
    rss_check_ok, ok = peak_rss_mb("check", str(sprite_dir / "ok.toml"), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert rss_check_bomb <= rss_check_ok + 50, (rss_check_bomb, rss_check_ok)


def test_image_size_is_read_from_headers(tmp_path):
    """[3] The header readers give the real size for every format OpenCV writes here, and
    a JPEG that claims 12000x12000 is refused without being decoded."""
    from arpose.sources import image_size, read_image

    img = np.zeros((48, 64, 3), np.uint8)
    for ext in (".png", ".jpg", ".bmp", ".webp", ".tif"):
        ok, buf = cv2.imencode(ext, img)
        assert ok
        assert image_size(buf.tobytes()) == (64, 48), ext
    ok, buf = cv2.imencode(".jpg", img)
    data = bytearray(buf.tobytes())
    sof = next(i for i in range(2, len(data) - 1) if data[i] == 0xFF and data[i + 1] == 0xC0)
    data[sof + 5 : sof + 9] = struct.pack(">HH", 12000, 12000)
    (tmp_path / "huge.jpg").write_bytes(bytes(data))
    with pytest.raises(SourceError, match=r"huge\.jpg: image is 12000x12000"):
        read_image(tmp_path / "huge.jpg")


# ---------------------------------------------------------------- [4] own source


def test_record_refuses_to_write_onto_its_own_source(tmp_path, take):
    """[4] `record --source x.arpose -o x.arpose` crashed with SIGBUS and shrank the take
    from 795 KB to 31 KB; a hard link to it is the same file too."""
    from arpose.cli.record import _refuse_own_source

    before = take.read_bytes()
    res = arpose("record", "--source", str(take), "--fast", "-o", str(take), cwd=tmp_path)
    one_line_error(res, "is the source being read")
    assert take.read_bytes() == before
    os.link(take, tmp_path / "link.arpose")
    with pytest.raises(ArposeError, match="is the source being read"):
        _refuse_own_source(f"{take}?raw", tmp_path / "link.arpose", video=False)
    _refuse_own_source(str(take), tmp_path / "other.arpose", video=False)  # fine


# ---------------------------------------------------------------- [6] back-pressure


def test_websocket_slow_client_has_a_bounded_queue(caplog):
    """[6] A client that does not read: the server's memory for it stays bounded (its
    queue drops oldest), a reading client gets fresh frames, and the drops are one
    warning, not one per frame."""
    import logging

    from websockets.sync.client import connect

    from arpose.stream import WebSocketServer

    frames = [pf for pf, _ in make_frames(40, seed=2)]
    caplog.set_level(logging.WARNING, logger="arpose.stream")
    with WebSocketServer("127.0.0.1", 0, client_frames=8) as server:
        with (
            connect(
                f"ws://127.0.0.1:{server.port}",
                proxy=None,
                open_timeout=10,
                ping_interval=None,
                max_queue=1,
                close_timeout=0.5,
            ) as stuck,
            connect(
                f"ws://127.0.0.1:{server.port}",
                proxy=None,
                open_timeout=10,
                ping_interval=None,
                close_timeout=0.5,
            ) as reader,
        ):
            deadline = time.monotonic() + 10
            while server.clients < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            got = k = 0
            deadline = time.monotonic() + 30
            while (server.dropped <= 100 or got < 100) and time.monotonic() < deadline:
                k += 1
                server.send(frames[k % len(frames)])
                if k % 10 == 0:
                    time.sleep(0.001)  # a 1 kHz source, far faster than the stuck client
                while True:  # the fast client keeps up
                    try:
                        reader.recv(timeout=0)
                        got += 1
                    except TimeoutError:
                        break
            time.sleep(0.5)
            # what waits for the stuck client is its queue (at most 8 messages) and small
            # kernel buffers; everything else was dropped, oldest first
            assert server.dropped > 100, (server.dropped, server.skipped)
            queued = [len(c.queue) for c in server._clients]
            assert max(queued) <= 8 and len(server._pending) <= server.queue_frames
            del stuck
    assert got > 100, got
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert 1 <= len(warnings) <= 2, [r.getMessage() for r in warnings]


# ---------------------------------------------------------------- [7] --fast options


def test_fast_keeps_the_recordings_own_options(take):
    """[7] `--fast` dropped `?loop`, `?raw` and `?novideo` of a recording source."""
    from arpose.cli.record import open_pipeline

    with open_pipeline(f"{take}?raw", fast=True, realtime=False, keep_images=False) as p:
        frames = list(p)
    rec = Recording(take).frames()
    assert len(frames) == len(rec)
    for pf, r in zip(frames, rec):
        assert len(pf.poses) == len(r.raw)
        for got, want in zip(pf.poses, r.raw):
            np.testing.assert_array_equal(got.landmarks, want.landmarks)
    with open_pipeline(f"{take}?loop", fast=True, realtime=False, keep_images=False) as p:
        n = 0
        for _ in p:
            n += 1
            if n > 2 * len(rec):
                break
    assert n > 2 * len(rec), "the loop ended"


# ---------------------------------------------------------------- [8] signals


def _wait_for_file(path: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > 0:
            return
        time.sleep(0.1)
    raise AssertionError(f"{path} never appeared")


def _terminate(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_sigterm_finishes_a_render_like_ctrl_c(tmp_path):
    """[8][9] SIGTERM of `render` left an mp4 without its index (unplayable); it must
    finish the video, say so and exit 143. The take has no video: [9] renders it over
    black with a note (it used to be a cv2.error traceback)."""
    long_take = write(tmp_path / "long.arpose", make_frames(3000))
    out = tmp_path / "r.mp4"
    proc = start(
        "render", "-e", "top-hat", "-s", str(long_take), "-o", str(out), "--no-progress", cwd=tmp_path
    )
    _wait_for_file(out)
    time.sleep(1.5)
    code, err = _terminate(proc)
    assert code == 143, err[-2000:]
    assert "Traceback" not in err, err[-2000:]
    assert "rendering over a black background" in err, err[-2000:]
    assert "terminated by SIGTERM" in err, err[-2000:]
    cap = cv2.VideoCapture(str(out))
    n = 0
    while cap.read()[0]:
        n += 1
    assert 0 < n < 3000, (n, out.stat().st_size, err[-2000:])


def test_sigterm_record_keeps_every_frame_and_prints_the_summary(tmp_path, take):
    """[8] SIGTERM of `record`: summary line, exit 143, the recording readable."""
    long_take = write(tmp_path / "long.arpose", make_frames(3000))
    out = tmp_path / "r.arpose"
    proc = start("record", "--source", str(long_take), "-o", str(out), cwd=tmp_path)
    _wait_for_file(out)
    time.sleep(1.0)
    code, err = _terminate(proc)
    assert code == 143, err
    summary = [ln for ln in err.splitlines() if ln.startswith("arpose: recorded")]
    assert summary and "terminated by SIGTERM" in summary[0], err
    n = int(summary[0].split()[2])
    assert n > 0 and len(Recording(out).frames()) == n


def test_sigterm_serve_prints_the_summary(tmp_path, take):
    """[8] SIGTERM of `serve` printed no summary."""
    proc = start("serve", "--source", f"{take}?loop", "--websocket", "127.0.0.1:0", cwd=tmp_path)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "streaming" in line, line
    time.sleep(1.0)
    code, err = _terminate(proc)
    assert code == 143, err
    assert "arpose: streamed" in err and "terminated by SIGTERM" in err


def test_sigterm_export_stops_workers_and_removes_partial_outputs(tmp_path):
    """[8][1] SIGTERM of a folder export: workers stopped, no partial output left (so a
    rerun cannot mistake one for done), the summary printed, exit 143."""
    src = tmp_path / "in"
    src.mkdir()
    long_take = write(tmp_path / "long.arpose", make_frames(4000))
    for k in range(2):
        shutil.copy(long_take, src / f"t{k}.arpose")
    out = tmp_path / "out"
    proc = start("export", str(src), "-f", "openpose", "-o", str(out), "-q", "--workers", "2", cwd=tmp_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(
        p.name.endswith(".partial") and any(p.iterdir()) for p in (out.iterdir() if out.is_dir() else [])
    ):
        time.sleep(0.1)
    workers = [p for p in _children(proc.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
    code, err = _terminate(proc)
    assert code == 143, err[-2000:]
    assert "export terminated by SIGTERM" in err and "partial outputs removed" in err, err
    assert not [p.name for p in out.iterdir() if p.name.endswith(".partial")]
    assert workers and not [p for p in workers if _alive(p)]


# ---------------------------------------------------------------- [10] append


def test_append_continues_frame_numbers_and_time(tmp_path):
    """[10] `record --append` restarted frame numbers, so an OpenPose export of the file
    overwrote its own earlier frames (290 frames exported, 205 files on disk)."""
    from arpose.export import export

    path = write(tmp_path / "t.arpose", make_frames(20))
    with Recorder(path, append=True) as rec:
        for pf, raw in make_frames(15, seed=4):
            rec.write(pf, raw)
    frames = Recording(path).frames()
    idx = [f.index for f in frames]
    assert idx == list(range(35))
    assert all(b.t > a.t for a, b in zip(frames, frames[1:]))
    res = export(path, "openpose", tmp_path / "op")
    assert res.frames == 35 and len(list((tmp_path / "op").iterdir())) == 35


# ---------------------------------------------------------------- [11] read-only


def _unwritable_dir(tmp_path: Path) -> Path:
    """A folder this process cannot create anything in (root ignores chmod: use /proc)."""
    if os.geteuid() == 0:
        return Path("/proc")
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    return d


def test_folder_export_into_a_read_only_folder(tmp_path, take):
    """[11] A folder export into a read-only parent was a PermissionError traceback."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(take, src / "t.arpose")
    ro = _unwritable_dir(tmp_path)
    res = arpose("export", str(src), "-f", "openpose", "-o", str(ro / "out"), cwd=tmp_path)
    one_line_error(res, str(ro / "out"))
    from arpose.errors import ExportError
    from arpose.export import export_folder

    with pytest.raises(ExportError, match="cannot create the output folder"):
        export_folder(src, "csv", ro / "out", progress=False)


# ---------------------------------------------------------------- [12] FIFO


def _waits_on_fifo(pid: int, fifo: Path) -> bool:
    """The process has the pipe open, or one of its threads sleeps in the kernel's
    open() of a pipe (where the code before the fix sat)."""
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            if os.readlink(fd) == str(fifo):
                return True
        return any("fifo_open" in (t / "wchan").read_text() for t in Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and named pipes")
def test_fifo_video_source_can_be_interrupted(tmp_path):
    """[12] A named pipe as the video source blocked in OpenCV's open(): Ctrl+C did
    nothing until something wrote to the pipe."""
    fifo = tmp_path / "v.avi"
    os.mkfifo(fifo)
    proc = start("detect", str(fifo), cwd=tmp_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _waits_on_fifo(proc.pid, fifo):
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("Ctrl+C did not stop a command waiting on a FIFO") from None
    assert proc.returncode == 130, err


# ---------------------------------------------------------------- [13] escapes


def test_escape_sequences_in_paths_do_not_reach_the_terminal(tmp_path):
    """[13] `arpose check $'d\\e[31m/e.toml'` printed the raw ESC, OSC and BEL bytes."""
    name = "d\x1b[31m\x1b]0;owned\x07/e.toml"
    res = arpose("check", name, cwd=tmp_path)
    assert res.returncode == 1
    assert not any(c in res.stderr.rstrip("\n") for c in CTRL), repr(res.stderr)
    assert "\\x1b[31m" in res.stderr and "\\x07" in res.stderr
    res = arpose("detect", "\x1b[2Jnope.png", cwd=tmp_path)
    one_line_error(res, "\\x1b[2Jnope.png")
    assert str(ArposeError("a\x9bb")) == "a\\x9bb"  # the C1 CSI too


# ---------------------------------------------------------------- [14] [15] OSC


def test_osc_socket_is_bound_to_loopback():
    """[14] The OSC sender's UDP socket was bound to 0.0.0.0 (every interface)."""
    from arpose.stream import OscSender

    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sender = OscSender("127.0.0.1", sink.getsockname()[1])
    try:
        sender.send(make_frames(2)[1][0])
        sink.settimeout(5)
        sink.recv(65536)
        assert sender.local_address[0] == "127.0.0.1"
    finally:
        sender.close()
        sink.close()


def test_unresolvable_osc_host_says_what_to_fix(tmp_path, take):
    """[15] Documented: an unresolvable --osc host stops `serve` at once (exit 1) with a
    message naming the flag, the host and what to give instead."""
    res = arpose(
        "serve", "--source", str(take), "--osc", "no-such-host.invalid:9000", cwd=tmp_path, timeout=60
    )
    one_line_error(res, "--osc", "no-such-host.invalid", "does not resolve", "IP address")
    from arpose.errors import StreamError
    from arpose.stream import OscSender

    with pytest.raises(StreamError):
        OscSender("no-such-host.invalid", 9000)


def test_an_interruption_waits_for_the_frame_being_written():
    """[8] A SIGTERM between writing a frame and counting it made `record`'s summary say
    50 frames for a file holding 51: inside `signals.deferred()` it waits for the step."""
    from arpose.cli import signals

    saved = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    done: list[int] = []
    try:
        signals.install()
        with pytest.raises(signals.Terminated):
            with signals.deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)  # the handler has run by now; the step goes on
                done.append(1)
            done.append(2)  # never reached: the held signal is raised at the block's end
        assert done == [1]
        signals.install()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
    finally:
        signal.signal(signal.SIGTERM, saved[0])
        signal.signal(signal.SIGINT, saved[1])
