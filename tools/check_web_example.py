"""Run the three.js example (examples/web) end to end in headless Chromium and check it.

What runs, all on 127.0.0.1 and all stopped at the end:

- ``node tools/vmc_bridge.mjs UDP WS`` (VMC -> WebSocket),
- ``python -m http.server`` on the repo's top folder (the page, three.js from
  ``examples/web/node_modules``, the mannequin from ``assets/``),
- ``arpose serve --source CLIP --loop --vmc 127.0.0.1:UDP --max-people 1`` (the real
  tracker on a real clip),
- ``chromium --headless`` on the page, driven over the DevTools protocol (Python's
  ``websockets``, already an arpose dependency): the page's ``window.arpose`` status and
  the model's joint positions are read every half second.

Checked: the page loaded the mannequin and drove its bones, the bridge delivered at least
``--frames`` frames, and the model *moves*: on a jumping-jacks clip its hands travel at least
``--min-travel`` metres up and down (a page that receives but does not pose the bones keeps
them still). Then the page is photographed; with ``--compose`` the clip's frame at the same
timestamp is put beside it (the picture in docs/guide/engines.md); ``--photo-after`` picks a
moment of the clip (the photograph waits for both hands over the head, the top of a jumping
jack, for at most ``--photo-wait`` seconds).

Set-up (once): ``cd examples/web && npm ci`` (three.js from the npm registry) and a Chromium
(Debian: ``apt-get install chromium``). Exit status 0 when every check passes, 1 when one
fails, 2 when something needed is missing.

Run:  python tools/check_web_example.py --clip ../shared/media/exercise/jumping_jacks_11.mp4 \
          -o /tmp/web.png [--compose docs/images/engines-threejs.png --photo-after 9 --photo-wait 30]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WEB = REPO / "examples" / "web"
THREE = WEB / "node_modules" / "three" / "build" / "three.module.js"


def _free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_chromium() -> str | None:
    """A Chromium or Chrome executable on PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Page:
    """A minimal DevTools-protocol client for one page (synchronous)."""

    def __init__(self, port: int, deadline: float):
        from websockets.sync.client import connect

        url = None
        while url is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    pages = [p for p in json.load(r) if p.get("type") == "page"]
                url = pages[0]["webSocketDebuggerUrl"] if pages else None
            except OSError:
                pass
            if url is None:
                if time.monotonic() > deadline:
                    raise TimeoutError("Chromium's DevTools port did not answer")
                time.sleep(0.3)
        self.ws = connect(url, max_size=64 * 1024 * 1024, open_timeout=10)
        self.n = 0

    def call(self, method: str, **params: object) -> dict:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return dict(msg.get("result", {}))

    def eval(self, expression: str) -> object:
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return r.get("result", {}).get("value")

    def close(self) -> None:
        self.ws.close()


def run(args: argparse.Namespace) -> dict:
    """Start everything, watch the page, take the picture; the report as a dict."""
    udp, ws_port, http_port, cdp = (
        _free_port(socket.SOCK_DGRAM),
        _free_port(),
        _free_port(),
        _free_port(),
    )
    procs: list[subprocess.Popen] = []
    tmp = Path(tempfile.mkdtemp(prefix="arpose-web-"))
    out: dict = {"ok": False, "checks": {}}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    try:
        procs.append(
            subprocess.Popen(
                ["node", str(REPO / "tools" / "vmc_bridge.mjs"), str(udp), str(ws_port)], **quiet
            )
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "http.server", str(http_port), "--bind", "127.0.0.1"],
                cwd=REPO,
                **quiet,
            )
        )
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "arpose", "serve", "--source", str(args.clip), "--loop"]
                + ["--vmc", f"127.0.0.1:{udp}", "--max-people", "1"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(tmp / "serve.log", "w"),  # noqa: SIM115 (closed with the process)
            )
        )
        url = f"http://127.0.0.1:{http_port}/examples/web/?ws=ws://127.0.0.1:{ws_port}"
        procs.append(
            subprocess.Popen(
                [
                    args.chromium,
                    "--headless=new",
                    "--no-sandbox",
                    "--no-first-run",
                    f"--user-data-dir={tmp / 'profile'}",
                    f"--remote-debugging-port={cdp}",
                    "--remote-allow-origins=*",
                    "--use-angle=swiftshader",
                    "--enable-unsafe-swiftshader",
                    f"--window-size={args.width},{args.height}",
                    url,
                ],
                **quiet,
            )
        )
        deadline = time.monotonic() + args.timeout
        page = Page(cdp, deadline)
        hands: list[float] = []
        status: dict = {}
        enough_at = None
        while time.monotonic() < deadline:
            status = json.loads(str(page.eval("JSON.stringify(window.arpose ?? null)")) or "{}") or {}
            joints = page.eval("window.arposeJoints ? window.arposeJoints() : null") or {}
            if isinstance(joints, dict) and status.get("frames", 0) > 0:
                hands += [joints[h][1] - joints["Head"][1] for h in ("LeftHand", "RightHand") if h in joints]
            if status.get("error"):
                break
            if status.get("frames", 0) >= args.frames:
                enough_at = enough_at or time.monotonic()
                # photograph the model with both hands over its head (the jumping jack's top),
                # or whatever it shows 10 s later
                arms_up = (
                    isinstance(joints, dict)
                    and status.get("tracking") == 1
                    and (status.get("t") or 0.0) >= args.photo_after
                    and all(
                        h in joints and joints[h][1] > joints["Head"][1] for h in ("LeftHand", "RightHand")
                    )
                )
                if arms_up or time.monotonic() - enough_at > args.photo_wait:
                    break
            time.sleep(0.25)
        page.eval("window.arposePause = true")  # the pose, the HUD and t stay as they are
        time.sleep(0.3)
        status = json.loads(str(page.eval("JSON.stringify(window.arpose)")) or "{}")
        shot = page.call("Page.captureScreenshot", format="png")
        page.close()
        args.output.write_bytes(base64.b64decode(shot["data"]))
        travel = (max(hands) - min(hands)) if hands else 0.0
        out["status"] = status
        out["hand_height_travel_m"] = round(travel, 3)
        out["screenshot"] = str(args.output)
        out["checks"] = {
            "model loaded, no error": bool(status.get("model", "").endswith("humanoid bones"))
            and not status.get("error"),
            f"at least {args.frames} frames shown": status.get("frames", 0) >= args.frames,
            "15 or more bones driven": status.get("bonesDriven", 0) >= 15,
            f"hands travel at least {args.min_travel} m": travel >= args.min_travel,
        }
        out["ok"] = all(out["checks"].values())
        if args.compose is not None and status.get("t") is not None:
            compose(args.clip, float(status["t"]), args.output, args.compose)
            out["composed"] = str(args.compose)
        return out
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if (tmp / "serve.log").exists():
            out["serve_log_tail"] = (tmp / "serve.log").read_text(errors="replace")[-600:]
        shutil.rmtree(tmp, ignore_errors=True)


def compose(clip: Path, t: float, shot: Path, dest: Path) -> None:
    """The clip's frame at ``t`` (seconds, modulo the clip's length: ``--loop``) beside the
    screenshot, same height, written to ``dest``."""
    import cv2
    import numpy as np

    cap = cv2.VideoCapture(str(clip))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or 1
    cap.set(cv2.CAP_PROP_POS_FRAMES, int(round(t * fps)) % n)
    ok, frame = cap.read()
    cap.release()
    right = cv2.imread(str(shot))
    if not ok or right is None:
        raise RuntimeError(f"{clip}: no frame at {t:.2f} s")
    h = right.shape[0]
    left = cv2.resize(frame, (int(round(frame.shape[1] * h / frame.shape[0])), h))
    cv2.imwrite(str(dest), np.hstack([left, right]))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clip", type=Path, default=REPO.parent / "shared/media/exercise/jumping_jacks_11.mp4")
    p.add_argument("-o", "--output", type=Path, default=Path("web-example.png"))
    p.add_argument("--compose", type=Path, help="also write the clip's frame beside the page here")
    p.add_argument("--frames", type=int, default=120, help="frames the page must show first")
    p.add_argument("--min-travel", type=float, default=0.3, help="metres the hands must travel")
    p.add_argument(
        "--photo-after",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="photograph a frame of the clip after this time",
    )
    p.add_argument(
        "--photo-wait", type=float, default=10.0, metavar="SECONDS", help="wait this long for arms up"
    )
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--width", type=int, default=800)
    p.add_argument("--height", type=int, default=600)
    p.add_argument("--chromium", default=find_chromium())
    args = p.parse_args(argv)
    missing = [
        what
        for what, ok in (
            ("node (Node 18+)", shutil.which("node") is not None),
            ("Chromium (apt-get install chromium)", args.chromium is not None),
            (f"three.js ({THREE.relative_to(REPO)}: cd examples/web && npm ci)", THREE.exists()),
            (f"the clip {args.clip}", args.clip.exists()),
        )
        if not ok
    ]
    if missing:
        print("check_web_example: missing " + "; ".join(missing), file=sys.stderr)
        return 2
    report = run(args)
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
