"""RigSolver: one person's joint rotations over time.

On top of :func:`~arpose.rig.solve.solve_pose` (which has no state) it keeps:

- **fallbacks**: a bone whose landmarks are not seen keeps its last rotation for
  ``hold_seconds``, then eases to a neutral pose (arms down, everything else at rest) over
  ``relax_seconds``; when it is seen again it blends back in over ``reacquire_seconds``;
- **no added lag**: the landmarks reaching the solver are already filtered (the tracker's
  One-Euro filter), and the solve is a smooth function of them (every twist fallback is
  blended in by weight, never switched), so a seen bone's rotation is used as solved. The
  only state on a seen bone is quaternion continuity (``q`` and ``-q`` are one rotation);
- **bone lengths averaged** over the frames where each bone is seen (every frame for the
  first thirty, then ten a second), so the skeleton does not breathe with the tracker's
  noise;
- **root motion** from the image (see :meth:`RigSolver.update`).
"""

from __future__ import annotations

import collections
import math

import numpy as np

from ..pose import VIS, Pose
from . import quat
from .rigpose import RigPose
from .skeleton import (
    BONE_INDEX,
    DEFAULT_FINGER_BASES,
    DEFAULT_LENGTHS,
    FINGERS,
    LM,
    NUM_BONES,
    Skeleton,
    measure_lengths,
)
from .solve import SolveOptions, solve_pose

NEUTRAL = np.tile(quat.IDENTITY, (NUM_BONES, 1))
"""``(NUM_BONES, 4)`` the pose an unseen bone relaxes to: the rest pose with the arms
hanging 70 degrees down from the T."""
NEUTRAL[BONE_INDEX["leftUpperArm"]] = quat.from_axis_angle(np.array([0.0, 0.0, 1.0]), math.radians(-70))
NEUTRAL[BONE_INDEX["rightUpperArm"]] = quat.from_axis_angle(np.array([0.0, 0.0, 1.0]), math.radians(70))

_REACQUIRE_SECONDS = 0.15
# bone lengths: measured on every frame at first, then ten times a second (a length is a
# slow quantity; measuring costs a third of a solve)
_MEASURE_EVERY_FRAME = 30
_MEASURE_INTERVAL = 0.1
_MAX_SAMPLES = 4096  # the median skeleton's samples (about 7 minutes at ten a second)
_TORSO = [
    (LM[a], LM[b])
    for a, b in (
        ("left_shoulder", "right_shoulder"),
        ("left_hip", "right_hip"),
        ("left_shoulder", "left_hip"),
        ("right_shoulder", "right_hip"),
    )
]
_TORSO_A = np.array([a for a, _ in _TORSO])
_TORSO_B = np.array([b for _, b in _TORSO])
_TORSO_AB = np.concatenate([_TORSO_A, _TORSO_B])
_HIPS = np.array([LM["left_hip"], LM["right_hip"]])
_FEET = np.array([LM[n] for n in ("left_heel", "right_heel", "left_foot_index", "right_foot_index")])
# the floor: the low fifth of the root's height above the feet over the last ten seconds
_FLOOR_SAMPLES = 300
_LEG_A = np.array([LM[n] for n in ("left_hip", "left_knee", "right_hip", "right_knee")])
_LEG_B = np.array([LM[n] for n in ("left_knee", "left_ankle", "right_knee", "right_ankle")])
_LEG_BONES = np.array(
    [BONE_INDEX[b] for b in ("leftUpperLeg", "leftLowerLeg", "rightUpperLeg", "rightLowerLeg")]
)
_FLOOR_QUANTILE = 0.2
# a camera cut or zoom: between two measured frames the person's image scale changes by
# more than a factor 1.25 or their hips move more than 0.25 m (at their own scale) across
# the picture, beyond what a body does in that time (the allowances below, for gaps of up
# to _CUT_MAX_DT). A body 2 m away changing depth at 2 m/s changes scale by 4% a frame at
# 24 FPS, a jumping person's hips move 0.1 m a frame; MediaPipe's one-frame scale noise is
# about 4%. A person not measured for longer than _CUT_GAP (lost, hidden) counts as a cut
# too: what they did meanwhile cannot be told from a change of camera.
_CUT_LOG_SCALE = math.log(1.25)
_CUT_LOG_SCALE_RATE = 1.0  # per second
_CUT_SHIFT = 0.25  # metres
_CUT_SPEED = 3.0  # metres per second
_CUT_MAX_DT = 0.25  # seconds
_CUT_GAP = 0.5  # seconds
# a body does not turn over: the hips' up axis turning more than _FLIP_ANGLE from its last
# seen direction within _FLIP_WINDOW is the detector's mistake (a legs close-up read upside
# down), and the frame counts as unseen; once the last believed rotation
# is older than that, the new way round is believed (a handstand, someone lying down). A
# fast spin turns the hips some 20 degrees a frame.
_FLIP_ANGLE = math.radians(100.0)
_FLIP_WINDOW = 0.3  # seconds
_HIPS_BONE = BONE_INDEX["hips"]


def _ease(x: np.ndarray) -> np.ndarray:
    t = np.clip(x, 0.0, 1.0)
    return np.asarray(t * t * (3.0 - 2.0 * t))


class RigSolver:
    """Joint rotations for one person over time (one solver per person id)."""

    def __init__(self, options: SolveOptions | None = None) -> None:
        self.options = options or SolveOptions()
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new person, or a cut in the video)."""
        self._out = NEUTRAL.copy()  # last output rotations
        self._held = NEUTRAL.copy()  # last seen rotation of each bone
        self._seen_t = np.full(NUM_BONES, -np.inf)  # when each bone was last seen
        self._lost_t = np.full(NUM_BONES, -np.inf)  # when each bone was last lost
        self._back_t = np.full(NUM_BONES, -np.inf)  # when each bone was last found again
        self._len_sum = np.zeros(NUM_BONES)
        self._len_w = np.zeros(NUM_BONES)
        self._hip_sum = self._hip_w = 0.0
        self._bases_sum = np.zeros_like(DEFAULT_FINGER_BASES)
        self._bases_w = 0.0
        self._ref: tuple[float, float, float] | None = None  # (depth, hips row, hip height)
        self._ref_t = 0.0
        self._floor: collections.deque[float] = collections.deque(maxlen=_FLOOR_SAMPLES)
        self._t: float | None = None
        self._last_root: np.ndarray | None = None
        self._scales: collections.deque[tuple[float, float]] = collections.deque()  # (t, px/m)
        self._ref_z = 0.0  # the depth the root holds while the scale settles (0, or a cut's)
        self._x0 = 0.0  # the across offset that keeps the root continuous over cuts
        self._last_measured: tuple[float, float, float, float] | None = None  # (t, px/m, u, v)
        self.cuts = 0
        """Camera cuts and zooms detected so far (see :meth:`update`)."""
        self.flips = 0
        """Frames held because the body turned over faster than a body can (see :meth:`update`)."""
        self.held_turn_over = False
        """Whether the last :meth:`update` held such a frame (its landmarks not believed)."""
        self._skeleton: Skeleton | None = None
        self._measured = 0
        self._measured_t = -np.inf
        self._samples: list[tuple[np.ndarray, np.ndarray, float]] = []  # (lengths, seen, hip)

    def skeleton(self) -> Skeleton:
        """The person's skeleton so far: each bone's length averaged over the frames it was
        seen in (default lengths, scaled with the arm, until then)."""
        lengths = np.where(self._len_w > 0, self._len_sum / np.maximum(self._len_w, 1e-9), DEFAULT_LENGTHS)
        hip = self._hip_sum / self._hip_w if self._hip_w > 0 else None
        bases = self._bases_sum / self._bases_w if self._bases_w > 0 else None
        if hip is None:
            return Skeleton.from_lengths(lengths, finger_bases=bases)
        return Skeleton.from_lengths(lengths, hip, bases)

    def median_skeleton(self) -> Skeleton:
        """One skeleton for the person's whole clip: each bone's **median** length over the
        frames it was seen in (the samples :meth:`skeleton` averages). A file with one rigid
        skeleton (BVH) wants this: MediaPipe's lengths wander with the view (a close-up's
        guessed shoulders), a median ignores those frames where a running mean keeps them,
        and it does not carry the default lengths of the first frames."""
        if not self._samples:
            return self.skeleton()
        lengths = np.stack([s[0] for s in self._samples])
        seen = np.stack([s[1] for s in self._samples])
        cols = seen.any(axis=0)
        out = self.skeleton().lengths.copy()  # bones never seen: the running estimate
        out[cols] = np.nanmedian(np.where(seen, lengths, np.nan)[:, cols], axis=0)
        hips = [s[2] for s in self._samples if np.isfinite(s[2])]
        bases = self._bases_sum / self._bases_w if self._bases_w > 0 else None
        if not hips:
            return Skeleton.from_lengths(out, finger_bases=bases)
        return Skeleton.from_lengths(out, float(np.median(hips)), bases)

    def _measure(self, world: np.ndarray, hands: dict[str, np.ndarray], conf: np.ndarray) -> None:
        lengths, hip, bases = measure_lengths(world, hands or None)
        seen = conf > 0
        if not hands:  # finger lengths are only guesses without hand landmarks
            seen &= ~_FINGER_MASK
        self._len_sum[seen] += lengths[seen]
        self._len_w[seen] += 1.0
        if conf[BONE_INDEX["hips"]] > 0:
            self._hip_sum += hip
            self._hip_w += 1.0
        self._samples.append((lengths, seen, hip if conf[BONE_INDEX["hips"]] > 0 else math.nan))
        if len(self._samples) > _MAX_SAMPLES:  # a long take: keep every other sample
            self._samples = self._samples[::2]
        if hands:
            self._bases_sum += bases
            self._bases_w += 1.0

    def update(self, pose: Pose, t: float, *, image_size: tuple[int, int] | None = None) -> RigPose:
        """The person's rotations at time ``t`` (seconds, increasing).

        With ``image_size`` (the source's width and height) the root also moves with the
        person in the picture, as an estimate from a pinhole camera with the options'
        field of view: across from the hips' pixel column and the person's scale (pixels
        per metre of torso), up and down from the hips' pixel row, and in depth from the
        change of scale. The scale is the median over ``options.root_window_seconds``
        (MediaPipe's lengths are noisy, and depth amplifies them). The first frame with a
        visible torso is the reference (its root is the solved hip height at ``x = 0``;
        depth 0 is where the person stands over the first window). Without it the root is
        :func:`~arpose.rig.solve.solve_pose`'s (hip height, no travel).

        A **camera cut or zoom** (the person's image scale or position jumping between two
        measured frames beyond what a body does in that time, or the person unmeasured for
        over half a second) restarts the scale's window and the reference at that frame,
        with the root held where it was: the root stays continuous across the cut instead of
        flying by the change of framing (counted in :attr:`cuts`).

        A body **turning over** in an instant (the hips' up axis more than 100 degrees from
        where it was seen within 0.3 s: MediaPipe reading a legs close-up upside down) is
        held like an unseen body; after 0.3 s of it the new way round is believed (counted
        in :attr:`flips`)."""
        if self._t is not None and t < self._t:
            self.reset()  # time went backwards: a new clip
        self._t = t
        hands = {h.side: h.world for h in pose.hands if h.world is not None}
        vis = pose.landmarks[:, VIS]
        if self._skeleton is None:
            self._skeleton = self.skeleton()
        raw = solve_pose(pose.world, vis, hands, skeleton=self._skeleton, options=self.options)
        if self._measured < _MEASURE_EVERY_FRAME or t - self._measured_t >= _MEASURE_INTERVAL:
            self._measure(pose.world, hands, raw.confidence)
            self._measured += 1
            self._measured_t = t
            self._skeleton = None
        seen = raw.confidence > 0
        solved = quat.align(raw.rotations.astype(np.float64), self._out)
        self.held_turn_over = bool(seen[_HIPS_BONE]) and self._turned_over(solved[_HIPS_BONE], t)
        if self.held_turn_over:
            seen[:] = False
            self.flips += 1

        # fallbacks for bones not seen: hold, then relax to neutral
        self._lost_t[~seen & (self._seen_t >= self._lost_t)] = t
        out = solved.copy()
        lost = ~seen
        if np.any(lost):
            since = t - self._seen_t[lost] - self.options.hold_seconds
            relax = _ease(since / max(self.options.relax_seconds, 1e-6))
            out[lost] = quat.slerp(self._held[lost], NEUTRAL[lost], relax)
        # a bone seen again blends back in from where its fallback had got to
        self._back_t[seen & (self._seen_t < self._lost_t)] = t
        mix = np.where(seen, _ease((t - self._back_t) / _REACQUIRE_SECONDS), 1.0)
        back = mix < 1.0
        if np.any(back):
            out[back] = quat.slerp(self._out[back], solved[back], mix[back])
        out = quat.align(out, self._out)
        self._held[seen] = solved[seen]
        self._seen_t[seen] = t
        self._out = out
        conf = np.where(seen, raw.confidence, 0.0)
        root = raw.root if image_size is None else self._root(pose, t, raw.root, image_size)
        return RigPose(out.astype(np.float32), root, conf, raw.skeleton)

    def _turned_over(self, hips: np.ndarray, t: float) -> bool:
        """Whether the hips' up axis turned this frame further than a body turns over that
        fast (their last believed rotation is recent; an older one, any way round is
        believable). Only the up axis: a quick turn about it (a spin) is a body's."""
        if t - self._seen_t[_HIPS_BONE] > _FLIP_WINDOW:
            return False
        up_now = quat.to_matrix(hips)[:, 1]
        up_before = quat.to_matrix(self._held[_HIPS_BONE])[:, 1]
        return math.acos(float(np.clip(np.dot(up_now, up_before), -1.0, 1.0))) > _FLIP_ANGLE

    def _root(self, pose: Pose, t: float, solved_root: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
        w, h = image_size
        px = pose.landmarks[:, :2].astype(np.float64)
        world = pose.world.astype(np.float64)
        pix = float(quat.norm(px[_TORSO_A] - px[_TORSO_B]).sum())
        met = float(quat.norm(world[_TORSO_A, :2] - world[_TORSO_B, :2]).sum())
        torso_vis = float(pose.landmarks[_TORSO_AB, VIS].min())
        if met < 1e-6 or pix < 1e-6 or torso_vis < self.options.min_visibility:
            return solved_root if self._last_root is None else self._last_root
        u, v = (float(c) for c in px[_HIPS].mean(axis=0))
        cut = self._is_cut(t, pix / met, u, v)
        self._last_measured = (t, pix / met, u, v)
        if cut:
            self._scales.clear()  # the old framing's scales say nothing about the new one
        # pixels per metre at the person's depth: the median over the last moments, as one
        # frame's carries MediaPipe's length noise (a 4% error is 15 cm at 4 m)
        self._scales.append((t, pix / met))
        while self._scales[0][0] < t - self.options.root_window_seconds:
            self._scales.popleft()
        ordered = sorted(s for _, s in self._scales)  # a median of a dozen: sorted is cheaper
        mid = len(ordered) // 2
        scale = ordered[mid] if len(ordered) % 2 else 0.5 * (ordered[mid - 1] + ordered[mid])
        focal = 0.5 * w / math.tan(math.radians(self.options.fov_degrees) / 2)
        depth = focal / scale
        if self._ref is None:
            self._ref = (depth, v, float(solved_root[1]))
            self._ref_t = t
        elif cut and self._last_root is not None:
            # the new framing's reference, with the root where it was just before the cut
            x, y, z = (float(c) for c in self._last_root)
            self._ref_z, self._x0 = z, x - (u - 0.5 * w) / scale
            self._ref = (z + depth, v, y)
            self._ref_t = t
            self._floor.clear()  # the floor is found again in the new framing
            self.cuts += 1
        elif t - self._ref_t <= self.options.root_window_seconds:  # the scale is still settling
            self._ref = (self._ref_z + depth, self._ref[1], self._ref[2])
        d0, v0, h0 = self._ref
        root = np.array([self._x0 + (u - 0.5 * w) / scale, h0 + (v0 - v) / scale, d0 - depth])
        # on the floor: the image height minus the hips' height above the lowest seen foot is
        # the feet's height above the reference frame's floor; its low fifth is the floor (a
        # jump lifts it, a frame with the feet down does not), so a reference frame taken in
        # mid-air or with bent knees does not leave the feet hanging or sunk
        if np.any(pose.landmarks[_FEET, VIS] >= self.options.min_visibility):
            # the hips' height above the feet in this frame's landmarks, in the person's
            # averaged leg length (one frame's lengths breathe by several percent)
            legs = float(quat.norm(world[_LEG_A] - world[_LEG_B]).sum())
            known = self._len_w[_LEG_BONES] > 0
            avg = float((self._len_sum[_LEG_BONES] / np.maximum(self._len_w[_LEG_BONES], 1e-9)).sum())
            above = float(solved_root[1]) * (avg / legs if known.all() and legs > 1e-6 else 1.0)
            self._floor.append(float(root[1]) - above)
        if self._floor:
            ordered = sorted(self._floor)
            root[1] -= ordered[int(_FLOOR_QUANTILE * (len(ordered) - 1))]
        self._last_root = root
        return root

    def _is_cut(self, t: float, scale: float, u: float, v: float) -> bool:
        """Whether the framing changed since the last measured frame (a cut or a zoom)."""
        if self._last_measured is None:
            return False
        t1, s1, u1, v1 = self._last_measured
        dt = t - t1
        if dt > _CUT_GAP:
            return True  # unmeasured for a while: a new reference
        dt = min(dt, _CUT_MAX_DT)
        jump = abs(math.log(scale / s1)) > _CUT_LOG_SCALE + _CUT_LOG_SCALE_RATE * dt
        shift = math.hypot(u - u1, v - v1) / s1 > _CUT_SHIFT + _CUT_SPEED * dt
        return jump or shift


_FINGER_MASK = np.array([any(f in b for f in FINGERS) for b in BONE_INDEX])
