#!/usr/bin/env bash
# compare_outputs.sh ARPOSE OUTDIR: what a "no change in behaviour" step must keep identical.
# Runs one arpose install (the path of its `arpose` executable) on the shared media and prints
# one hash per output: decoded video frames (not the encoded bytes), PNGs and JSON byte for
# byte. Run it with the old and the new install and diff the two listings:
#   tools/compare_outputs.sh /old/.venv/bin/arpose /tmp/old > old.txt
#   tools/compare_outputs.sh .venv/bin/arpose /tmp/new > new.txt && diff old.txt new.txt
# Check first that two runs of the same install give the same listing (they did for 0.2.0).
set -euo pipefail
A=$(realpath "$1"); O=$2
M=$(cd "$(dirname "$0")/../../shared/media" && pwd)
PY="$(dirname "$A")/python"
mkdir -p "$O" && cd "$O"
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
"$A" detect "$M/dance.avi" --json > detect.json
"$A" mirror -e crown --source "$M/dance.avi" --headless --video mirror.mp4 > mirror.log 2>&1
"$A" play slicer --headless --source "$M/dance.avi" --video slicer.mp4 --report slicer.json --no-sound > slicer.log 2>&1
"$A" render -e top-hat -s "$M/dance.avi" -o render.mp4 > render.log 2>&1
for f in "$M"/coco/*.jpg; do
    b=$(basename "$f" .jpg)
    "$A" render -e crown -s "$f" -o "render_$b.png" >> render.log 2>&1
    "$A" detect "$f" --json > "detect_$b.json"
done
"$PY" - <<'PY'
import glob, hashlib
import cv2
for v in sorted(glob.glob("*.mp4")):
    cap, h, n = cv2.VideoCapture(v), hashlib.sha256(), 0
    while True:
        ok, f = cap.read()
        if not ok:
            break
        h.update(f.tobytes())
        n += 1
    print(v, n, h.hexdigest()[:16])
for p in sorted(glob.glob("*.png") + glob.glob("*.json")):
    print(p, hashlib.sha256(open(p, "rb").read()).hexdigest()[:16])
PY
