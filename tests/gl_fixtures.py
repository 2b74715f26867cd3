"""Shared helpers for the scene and render tests: a hand-built frontal pose, an offscreen
renderer, and image comparison with a tolerance."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from arpose.joints import LANDMARK_NAMES
from arpose.pose import Pose, PoseFrame

# A person facing the camera, in shoulder widths, origin at the shoulder midpoint,
# x right, y down (image), z towards the camera negative. The person's left side is
# on the image's right.
_CANON = {
    "nose": (0.0, -0.55, -0.40),
    "left_eye_inner": (0.06, -0.65, -0.36),
    "left_eye": (0.10, -0.66, -0.36),
    "left_eye_outer": (0.14, -0.66, -0.34),
    "right_eye_inner": (-0.06, -0.65, -0.36),
    "right_eye": (-0.10, -0.66, -0.36),
    "right_eye_outer": (-0.14, -0.66, -0.34),
    "left_ear": (0.22, -0.60, -0.12),
    "right_ear": (-0.22, -0.60, -0.12),
    "mouth_left": (0.06, -0.45, -0.36),
    "mouth_right": (-0.06, -0.45, -0.36),
    "left_shoulder": (0.5, 0.0, 0.0),
    "right_shoulder": (-0.5, 0.0, 0.0),
    "left_elbow": (0.62, 0.6, 0.0),
    "right_elbow": (-0.62, 0.6, 0.0),
    "left_wrist": (0.66, 1.15, -0.1),
    "right_wrist": (-0.66, 1.15, -0.1),
    "left_pinky": (0.7, 1.25, -0.1),
    "right_pinky": (-0.7, 1.25, -0.1),
    "left_index": (0.66, 1.27, -0.1),
    "right_index": (-0.66, 1.27, -0.1),
    "left_thumb": (0.62, 1.22, -0.12),
    "right_thumb": (-0.62, 1.22, -0.12),
    "left_hip": (0.3, 1.3, 0.0),
    "right_hip": (-0.3, 1.3, 0.0),
    "left_knee": (0.3, 2.0, 0.0),
    "right_knee": (-0.3, 2.0, 0.0),
    "left_ankle": (0.3, 2.7, 0.1),
    "right_ankle": (-0.3, 2.7, 0.1),
    "left_heel": (0.3, 2.78, 0.15),
    "right_heel": (-0.3, 2.78, 0.15),
    "left_foot_index": (0.38, 2.82, -0.05),
    "right_foot_index": (-0.38, 2.82, -0.05),
}
CANON = np.array([_CANON[n] for n in LANDMARK_NAMES], np.float64)


def make_pose(
    center: tuple[float, float] = (256.0, 200.0),
    shoulder_px: float = 160.0,
    *,
    roll_deg: float = 0.0,
    visibility: float = 0.99,
    pid: int = 0,
    z_shift: float = 0.0,
) -> Pose:
    """A frontal pose with its shoulder midpoint at ``center`` and shoulders ``shoulder_px``
    apart (2D), rolled by ``roll_deg`` (image plane, clockwise on screen). ``z_shift``
    moves every landmark's z by that many pixels."""
    a = math.radians(roll_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    lm = np.zeros((33, 5), np.float32)
    lm[:, :2] = (CANON[:, :2] @ rot.T) * shoulder_px + np.asarray(center)
    lm[:, 2] = CANON[:, 2] * shoulder_px + z_shift
    lm[:, 3] = visibility
    lm[:, 4] = visibility
    world = (CANON * 0.4).astype(np.float32)
    return Pose(lm, world, pid)


def make_frame(poses=(), size=(512, 512), t: float = 0.0, index: int = 0, image=None, mask=None) -> PoseFrame:
    return PoseFrame(t=t, index=index, size=size, poses=tuple(poses), image=image, mask=mask)


def astronaut_image() -> np.ndarray:
    skimage_data = pytest.importorskip("skimage.data")
    return np.ascontiguousarray(skimage_data.astronaut())


def blob_center(img: np.ndarray, color: tuple[int, int, int], tol: int = 40) -> tuple[float, float, int]:
    """Centroid (x, y) and pixel count of the pixels within ``tol`` of ``color``."""
    diff = np.abs(img.astype(np.int16) - np.array(color, np.int16)).max(axis=2)
    ys, xs = np.nonzero(diff <= tol)
    if len(xs) == 0:
        return float("nan"), float("nan"), 0
    return float(xs.mean()), float(ys.mean()), int(len(xs))


def blob_bbox(img: np.ndarray, color: tuple[int, int, int], tol: int = 40):
    diff = np.abs(img.astype(np.int16) - np.array(color, np.int16)).max(axis=2)
    ys, xs = np.nonzero(diff <= tol)
    if len(xs) == 0:
        return None
    return xs.min(), ys.min(), xs.max(), ys.max()


def solid(color: tuple[int, int, int], size: int = 16) -> np.ndarray:
    img = np.zeros((size, size, 4), np.uint8)
    img[:, :, :3] = color
    img[:, :, 3] = 255
    return img


def assert_images_close(
    actual: np.ndarray,
    expected: np.ndarray,
    *,
    mean_tol: float = 2.0,
    frac_tol: float = 0.01,
    pixel_tol: int = 40,
) -> None:
    """Mean absolute difference below ``mean_tol`` and at most ``frac_tol`` of the pixels
    differing by more than ``pixel_tol`` (software GL versions round differently)."""
    assert actual.shape == expected.shape, f"{actual.shape} != {expected.shape}"
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    mean = float(diff.mean())
    frac = float((diff.max(axis=2) > pixel_tol).mean())
    assert mean <= mean_tol and frac <= frac_tol, (
        f"images differ: mean abs diff {mean:.2f} (tol {mean_tol}), {frac:.3%} pixels off by "
        f"more than {pixel_tol} (tol {frac_tol:.1%})"
    )


GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="module")
def offscreen():
    """One shared 512x512 offscreen renderer (EGL) per test module. Not per session: a
    test that quits SDL's video under the offscreen driver (``pygame.display.quit()``)
    terminates the EGL display every standalone context lives on (see
    ``arpose.render.context.Window.close``), and a renderer made before it then draws
    nothing; a module's own renderer is made after the modules before it have run."""
    from arpose.render import Renderer

    r = Renderer.offscreen((512, 512))
    yield r
    r.release()


@pytest.fixture
def renderer(offscreen):
    """The shared renderer with its per-test state reset."""
    offscreen.flip = False
    offscreen.occlusion = True
    offscreen.occlusion_z = 0.0
    return offscreen
