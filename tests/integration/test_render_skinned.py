"""GPU skinning: the skinned pass's vertex shader against the numpy reference, and
avatars drawn on a person (depth, placement, occlusion)."""

from __future__ import annotations

import numpy as np
import pytest
from avatar_helpers import arm_model
from gl_fixtures import blob_bbox, blob_center, make_frame, make_pose

from arpose.rig.gltf import load_gltf, skin_vertices
from arpose.scene import Scene
from arpose.scene.skinned import Avatar, ClipDriver, SkinnedMesh


def _skinned_pass(renderer):
    p = renderer.find_pass("skinned")
    assert p is not None
    return p


def _check_against_reference(renderer, model, clip: str, times) -> float:
    node = SkinnedMesh(model)
    worst = 0.0
    for t in times:
        g = model.global_matrices(model.pose_local(clip, t))
        node.set_pose(g)
        gpu = _skinned_pass(renderer).capture_positions(node)
        prims = [p for m in model.meshes for p in m.primitives]
        for part, prim, got in zip(node.parts, prims, gpu):
            ref = skin_vertices(prim.positions, prim.joints, prim.weights, model.skin_matrices(g, part.skin))
            worst = max(worst, float(np.abs(got - ref).max()))
    return worst


def test_gpu_skinning_matches_numpy_arm(renderer):
    model = arm_model()
    err = _check_against_reference(renderer, model, "bend", [0.0, 0.37, 1.0])
    assert err < 1e-4
    # and it is not the identity: the bent tip really moved
    node = SkinnedMesh(model)
    node.set_pose(model.global_matrices(model.pose_local("bend", 1.0)))
    (pos,) = _skinned_pass(renderer).capture_positions(node)
    assert np.allclose(pos[9], [-1.0, 1.1, 0.0], atol=1e-4)


def test_gpu_skinning_matches_numpy_mannequin(renderer, mannequin_gltf):
    model = load_gltf(mannequin_gltf)
    err = _check_against_reference(renderer, model, "Dance_Loop", [0.1, 0.55])
    assert err < 1e-4


def test_avatar_drawn_on_the_person(renderer):
    model = arm_model()
    scene = Scene()
    avatar = scene.add(
        Avatar(
            model, ClipDriver(model, "bend"), hips="upper", shoulders=("lower", "lower"), color=(0, 1, 0, 1)
        )
    )
    avatar.mesh.lit = False
    pose = make_pose(center=(256.0, 200.0), shoulder_px=120.0)
    frame = make_frame([pose], t=0.0)
    img = renderer.render(scene, frame)
    green = (0, 102, 0)  # the material's (0.8, 0.4, 0.1) times the node's (0, 1, 0), unlit
    x, y, n = blob_center(img, green, tol=30)
    assert n > 500
    hip_x = float(pose.landmarks[23, 0] + pose.landmarks[24, 0]) / 2
    hip_y = float(pose.landmarks[23, 1] + pose.landmarks[24, 1]) / 2
    # the strip stands on the hips and goes up (rig +Y is up on screen), centred on them
    x0, y0, x1, y1 = blob_bbox(img, green, tol=30)
    assert abs(y1 - hip_y) < 6 and y0 < hip_y - 150 and abs(x - hip_x) < 8
    # bent 90 degrees about rig +Z: the tip turns towards the person's right (image left)
    bent = renderer.render(scene, make_frame([pose], t=0.999))  # the clip loops at 1 s
    bx0, by0, bx1, by1 = blob_bbox(bent, green, tol=30)
    assert bx0 < hip_x - 100 and bx1 < hip_x + 20
    # no person: it fades out and draws nothing
    empty = renderer.render(scene, make_frame([], t=5.0))
    assert blob_center(empty, green, tol=30)[2] == 0


def test_single_sided_parts_cull_back_faces_also_mirrored(renderer):
    model = arm_model(double_sided=False)
    scene = Scene()
    avatar = scene.add(
        Avatar(
            model, ClipDriver(model, "bend"), hips="upper", shoulders=("lower", "lower"), color=(0, 1, 0, 1)
        )
    )
    avatar.mesh.lit = False
    frame = make_frame([make_pose(center=(256.0, 200.0), shoulder_px=120.0)], t=0.0)
    green = (0, 102, 0)
    for flip in (False, True):
        renderer.flip = flip
        assert blob_center(renderer.render(scene, frame), green, tol=30)[2] > 500  # its front faces us
    # turned round (a half turn about the vertical): only back faces face the camera
    avatar.mesh.set_matrix(np.diag([-1.0, 1.0, -1.0, 1.0]))
    for flip in (False, True):
        renderer.flip = flip
        assert blob_center(renderer.render(scene, frame), green, tol=30)[2] == 0
    model2 = arm_model(double_sided=True)
    both = Scene()
    a2 = both.add(Avatar(model2, ClipDriver(model2, "bend"), hips="upper", shoulders=("lower", "lower")))
    a2.mesh.lit = False
    a2.mesh.color = (0, 1, 0, 1)
    a2.mesh.set_matrix(np.diag([-1.0, 1.0, -1.0, 1.0]))
    renderer.flip = False
    assert blob_center(renderer.render(both, frame), green, tol=30)[2] > 500  # double-sided: drawn


def test_bench_avatar_render_reports_its_figures():
    from arpose.bench.avatar import bench_avatar_render

    out = bench_avatar_render(frames=3, size=(320, 240), rounds=1, warmup=1)
    assert out["avatar_vertices"] == 8547 and out["avatar_joints"] == 53  # the gallery mannequin
    for key in ("avatar_ms_p50", "avatar_draw_ms_p50", "hat_draw_ms_p50", "baseline_draw_ms_p50"):
        assert out[key] > 0
    assert out["avatar_draw_calls"] == 2  # one per primitive: body and joints


@pytest.mark.parametrize(("layer", "hidden"), [("behind_body", True), ("front", False)])
def test_body_mask_hides_skinned_content_as_it_hides_meshes(renderer, layer, hidden):
    model = arm_model()
    scene = Scene()
    avatar = scene.add(
        Avatar(
            model, ClipDriver(model, "bend"), hips="upper", shoulders=("lower", "lower"), color=(0, 1, 0, 1)
        )
    )
    avatar.layer = layer
    avatar.mesh.lit = False
    pose = make_pose(center=(256.0, 200.0), shoulder_px=120.0)
    mask = np.zeros((512, 512), np.float32)
    mask[:, 256:] = 1.0  # the person covers the right half of the picture
    img = renderer.render(scene, make_frame([pose], t=0.0, mask=mask))
    green = np.abs(img.astype(int) - (0, 102, 0)).max(axis=2) < 30
    left, right = green[:, :250].sum(), green[:, 262:].sum()
    assert left > 500
    assert (right == 0) if hidden else (right > 500)
