"""Scene graph logic without GL: transforms, anchors, fading, extrapolation, assets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gl_fixtures import make_frame, make_pose, solid

from arpose.errors import AssetError, UnknownJointError
from arpose.scene import (
    BodyQuad,
    JointAnchor,
    Mesh,
    MeshData,
    Node,
    PixelAnchor,
    Projection,
    Scene,
    Sprite,
    TextureData,
    box,
    load_mesh,
    load_texture,
    quat_from_axis_angle,
)


def origin_px(node: Node, camera: Projection) -> np.ndarray:
    return camera.project(node.world_matrix[:3, 3])


# -- camera ---------------------------------------------------------------------------
def test_camera_unproject_projects_back_to_the_pixel():
    cam = Projection((640, 480), fov_y=60)
    px = np.array([[10.0, 20.0, 0.0], [600.0, 400.0, -150.0], [320.0, 240.0, 90.0]])
    world = cam.unproject(px)
    assert np.allclose(cam.project(world), px[:, :2], atol=1e-6)
    assert world[1, 2] < world[0, 2] < world[2, 2]  # smaller z = closer to the camera
    assert cam.focal == pytest.approx(240 / math.tan(math.radians(30)))


def test_camera_projection_matrix_matches_project():
    cam = Projection((640, 480))
    world = cam.unproject(np.array([100.0, 50.0, -40.0]))
    clip = cam.projection() @ np.append(world, 1.0)
    ndc = clip[:3] / clip[3]
    assert ndc[0] == pytest.approx(100 / 320 - 1)
    assert ndc[1] == pytest.approx(1 - 50 / 240)
    assert -1 < ndc[2] < 1
    mclip = cam.projection(flip=True) @ np.append(world, 1.0)
    assert mclip[0] / mclip[3] == pytest.approx(-ndc[0])


# -- nodes ----------------------------------------------------------------------------
def test_world_matrices_inherit_and_only_changed_subtrees_recompute():
    scene = Scene()
    a = scene.add(Node("a", position=(10, 0, 100), scale=2))
    b = a.add(Node("b", position=(1, 0, 0), rotation=quat_from_axis_angle((0, 0, 1), math.pi / 2)))
    c = b.add(Node("c", position=(1, 0, 0)))
    scene.update_frame(None, now=0.0, size=(100, 100))
    assert np.allclose(c.world_matrix[:3, 3], [10 + 2, 2, 100])  # b rotates c's offset to +y
    before = c.world_matrix
    scene.update_frame(None, now=0.1)
    assert c.world_matrix is before  # nothing changed: not recomputed
    a.position = (0, 0, 100)
    scene.update_frame(None, now=0.2)
    assert c.world_matrix is not before
    assert np.allclose(c.world_matrix[:3, 3], [2, 2, 100])


def test_hidden_and_transparent_nodes_are_not_drawn_and_recover():
    scene = Scene()
    parent = scene.add(Node("p", position=(0, 0, 500)))
    spr = parent.add(Sprite(solid((255, 0, 0)), opacity=0.5))
    scene.update_frame(None, now=0.0, size=(100, 100))
    assert scene.draw_list == [spr] and spr.world_opacity == pytest.approx(0.5)
    parent.visible = False
    parent.position = (5, 0, 500)
    scene.update_frame(None, now=0.1)
    assert scene.draw_list == []
    parent.visible = True
    scene.update_frame(None, now=0.2)
    assert scene.draw_list == [spr]
    assert spr.world_matrix[0, 3] == pytest.approx(5)


def test_layer_is_inherited_and_validated():
    scene = Scene()
    a = scene.add(Node("a", layer="behind-body"))
    s = a.add(Sprite(solid((1, 2, 3))))
    scene.update_frame(None, now=0.0, size=(100, 100))
    assert s.world_layer == "behind_body"
    with pytest.raises(ValueError, match="unknown layer 'sky'"):
        Node(layer="sky")
    with pytest.raises(ValueError, match="cannot add"):
        a.add(a)


# -- anchors --------------------------------------------------------------------------
def test_anchor_lands_on_the_landmark_pixel_at_its_depth():
    pose = make_pose((300, 200), 160)
    scene = Scene()
    nose = scene.add(JointAnchor("nose", scale_by="head_width"))
    scene.update_frame(make_frame([pose], size=(640, 480)))
    cam = scene.camera
    assert np.allclose(origin_px(nose, cam), pose.xy("nose"), atol=1e-4)
    assert nose.world_matrix[2, 3] == pytest.approx(cam.focal + pose.joint("nose")[2])
    # children in head widths: a point one unit right is one head width right on screen
    p1 = cam.project((nose.world_matrix @ np.array([1.0, 0, 0, 1]))[:3])
    assert p1[0] - pose.xy("nose")[0] == pytest.approx(pose.measure("head_width"), rel=1e-3)


@pytest.mark.parametrize("name", ["head_top", "neck", "left_hand", "pelvis", "chin"])
def test_anchor_accepts_virtual_joints_and_aliases(name):
    pose = make_pose()
    scene = Scene()
    a = scene.add(JointAnchor(name))
    scene.update_frame(make_frame([pose]))
    assert np.allclose(origin_px(a, scene.camera), pose.xy(name), atol=1e-3)


def test_unknown_joint_is_refused_at_construction_with_a_suggestion():
    with pytest.raises(UnknownJointError, match="did you mean 'left_shoulder'"):
        JointAnchor("left_sholder")
    with pytest.raises(ValueError, match="unknown body measure 'neck_width'"):
        JointAnchor("nose", scale_by="neck_width")
    with pytest.raises(ValueError, match="positive"):
        JointAnchor("nose", scale=-1)


def test_half_size_pose_gives_half_size_units():
    sizes = []
    for s in (200.0, 100.0):
        scene = Scene()
        a = scene.add(JointAnchor("mid_shoulder", scale_by="shoulder_width", use_depth=False))
        scene.update_frame(make_frame([make_pose((320, 240), s)], size=(640, 480)))
        cam = scene.camera
        left = cam.project((a.world_matrix @ np.array([-0.5, 0, 0, 1]))[:3])
        right = cam.project((a.world_matrix @ np.array([0.5, 0, 0, 1]))[:3])
        sizes.append(right[0] - left[0])
    assert sizes[0] == pytest.approx(200.0, rel=1e-3)
    assert sizes[1] == pytest.approx(sizes[0] / 2, rel=1e-3)


def test_offset_is_in_body_units_along_the_rotated_axes():
    pose = make_pose((320, 240), 200, roll_deg=90)  # lying on the side: "up" is image +x
    scene = Scene()
    a = scene.add(JointAnchor("head_top", scale_by="head_width", offset=(0, -1, 0), use_depth=False))
    scene.update_frame(make_frame([pose], size=(640, 480)))
    got = origin_px(a, scene.camera)
    expect = pose.xy("head_top") + np.array([pose.measure("head_width"), 0.0])
    assert np.allclose(got, expect, atol=0.5)


def test_roll_follows_the_ear_line():
    for roll in (0.0, 25.0, -40.0):
        scene = Scene()
        a = scene.add(JointAnchor("nose", scale_by="head_width"))
        scene.update_frame(make_frame([make_pose(roll_deg=roll)]))
        x_axis = a.world_matrix[:3, 0]
        assert math.degrees(math.atan2(x_axis[1], x_axis[0])) == pytest.approx(roll, abs=1e-3)


def test_tilt_3d_takes_yaw_from_z():
    pose = make_pose((320, 240), 200)
    lm = pose.landmarks.copy()
    lm[7, 2] += 60  # left ear further away: head turned towards the image's left
    lm[8, 2] -= 60
    turned = type(pose)(lm, pose.world, 0)
    flat, tilted = Scene(), Scene()
    a = flat.add(JointAnchor("head", scale_by="head_width"))
    b = tilted.add(JointAnchor("head", scale_by="head_width", tilt_3d=True))
    flat.update_frame(make_frame([turned], size=(640, 480)))
    tilted.update_frame(make_frame([turned], size=(640, 480)))
    assert a.world_matrix[2, 0] == pytest.approx(0.0, abs=1e-9)
    assert b.world_matrix[2, 0] > 0.1  # local x now points away from the camera


def fade_series(vis_after: float, times):
    scene = Scene()
    a = scene.add(JointAnchor("nose", fade_time=0.25))
    s = a.add(Sprite(solid((255, 0, 0))))
    out = []
    for i, t in enumerate(times):
        v = 0.99 if t < 0.1 else vis_after
        scene.update_frame(make_frame([make_pose(visibility=v)], t=t, index=i))
        out.append((a.fade, s.world_opacity, s in scene.draw_list))
    return out


def test_low_visibility_fades_out_gradually_in_time_and_back_in():
    times = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]
    series = fade_series(0.1, times)
    fades = [f for f, _, _ in series]
    assert fades[:2] == [1.0, 1.0]
    assert fades[2] == pytest.approx(0.8)  # 0.05 s of a 0.25 s fade
    assert all(x > y for x, y in zip(fades[1:7], fades[2:7]))  # strictly decreasing
    assert fades[-1] == 0.0 and series[-1][2] is False
    # back in when the joint returns
    scene = Scene()
    a = scene.add(JointAnchor("nose", fade_time=0.25))
    for i, (t, v) in enumerate([(0, 0.99), (0.3, 0.1), (0.6, 0.1), (0.65, 0.99), (0.7, 0.99)]):
        scene.update_frame(make_frame([make_pose(visibility=v)], t=t, index=i))
    assert a.fade == pytest.approx(0.4)


def test_fading_uses_time_not_frames():
    fast = fade_series(0.1, [0.0, 0.05, 0.1, 0.125, 0.15, 0.175, 0.2])
    slow = fade_series(0.1, [0.0, 0.05, 0.1, 0.2])
    assert fast[-1][0] == pytest.approx(slow[-1][0])  # same 0.1 s later, same fade


def test_lost_person_holds_still_and_fades():
    scene = Scene()
    a = scene.add(JointAnchor("nose", slot=0, fade_time=0.2))
    scene.update_frame(make_frame([make_pose((200, 200))], t=0.0, index=0))
    scene.update_frame(make_frame([make_pose((210, 200))], t=0.04, index=1))
    held = origin_px(a, scene.camera)
    scene.update_frame(make_frame([], t=0.08, index=2), now=0.3)
    assert np.allclose(origin_px(a, scene.camera), held, atol=1e-6)  # no flying away
    assert a.fade < 1.0


def test_extrapolation_between_results_is_bounded():
    scene = Scene()
    a = scene.add(JointAnchor("nose", max_extrapolation=0.05, use_depth=False))
    f0 = make_frame([make_pose((200, 200))], t=0.0, index=0)
    f1 = make_frame([make_pose((210, 200))], t=0.1, index=1)  # 100 px/s
    scene.update_frame(f0)
    scene.update_frame(f1)
    base = origin_px(a, scene.camera)[0]
    scene.update_frame(f1, now=0.12)
    assert origin_px(a, scene.camera)[0] == pytest.approx(base + 2.0, abs=1e-3)
    scene.update_frame(f1, now=1.0)  # way past: capped at 0.05 s
    assert origin_px(a, scene.camera)[0] == pytest.approx(base + 5.0, abs=1e-3)
    # a tracking jump gives a huge velocity: capped at max_speed measures per second
    b_scene = Scene()
    b = b_scene.add(JointAnchor("nose", max_speed=2.0, scale_by="shoulder_width", use_depth=False))
    b_scene.update_frame(make_frame([make_pose((100, 200), 100)], t=0.0, index=0))
    jump = make_frame([make_pose((400, 200), 100)], t=0.02, index=1)
    b_scene.update_frame(jump)
    p = origin_px(b, b_scene.camera)[0]
    b_scene.update_frame(jump, now=0.12)
    assert origin_px(b, b_scene.camera)[0] - p <= 2.0 * 100 * 0.1 + 1e-6


def test_person_id_selection():
    p0, p1 = make_pose((100, 200), 80, pid=3), make_pose((400, 200), 80, pid=7)
    scene = Scene()
    a = scene.add(JointAnchor("nose", person=7))
    b = scene.add(JointAnchor("nose", slot=0))
    c = scene.add(JointAnchor("nose", person=99))
    scene.update_frame(make_frame([p0, p1]))
    assert np.allclose(origin_px(a, scene.camera), p1.xy("nose"), atol=1e-3)
    assert np.allclose(origin_px(b, scene.camera), p0.xy("nose"), atol=1e-3)
    assert c.fade == 0.0 and not c.tracked


def test_pixel_anchor():
    scene = Scene()
    a = scene.add(PixelAnchor(50, 60, unit=10))
    scene.update_frame(None, now=0, size=(200, 100))
    assert np.allclose(origin_px(a, scene.camera), [50, 60])


def test_body_quad_corners_follow_four_joints():
    pose = make_pose((320, 200), 150)
    scene = Scene()
    q = scene.add(BodyQuad(solid((0, 255, 0)), depth_bias=0.0, grid=4))
    scene.update_frame(make_frame([pose], size=(640, 480)))
    px = scene.camera.project(q.vertices[:, :3].astype(np.float64))
    assert np.allclose(px[0], pose.xy("right_shoulder"), atol=1e-3)
    assert np.allclose(px[3], pose.xy("left_shoulder"), atol=1e-3)
    assert np.allclose(px[-1], pose.xy("left_hip"), atol=1e-3)
    assert np.allclose(px[-4], pose.xy("right_hip"), atol=1e-3)
    assert q.indices.shape == (2 * 3 * 3, 3)
    with pytest.raises(UnknownJointError):
        BodyQuad(solid((0, 0, 0)), corners=("a", "b", "c", "d"))


# -- assets ---------------------------------------------------------------------------
def test_texture_from_arrays_and_files(tmp_path):
    import cv2

    t = load_texture(np.zeros((4, 8, 3), np.uint8))
    assert t.array.shape == (4, 8, 4) and t.array[0, 0, 3] == 255 and t.aspect == 0.5
    rgba = np.zeros((5, 6, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = 100
    path = tmp_path / "a.png"
    cv2.imwrite(str(path), cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    t = load_texture(path)
    assert t.size == (6, 5) and tuple(t.array[0, 0]) == (200, 0, 0, 100)
    v = t.version
    t.update(np.ones((2, 2, 4), np.uint8))
    assert t.version == v + 1 and t.size == (2, 2)


def test_broken_textures_raise_asset_error_naming_the_file(tmp_path):
    with pytest.raises(AssetError, match=r"not found: .*missing\.png"):
        load_texture(tmp_path / "missing.png")
    bad = tmp_path / "corrupt.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(AssetError, match=r"corrupt\.png"):
        load_texture(bad)
    with pytest.raises(AssetError, match="limit"):
        TextureData(np.zeros((20000, 1, 4), np.uint8), "huge.png")
    ph = load_texture(bad, on_error="placeholder")
    assert ph.error and "corrupt.png" in ph.error
    assert tuple(ph.array[0, 0]) == (255, 0, 255, 255)


def test_meshes_load_and_convert_to_y_down(tmp_path):
    import trimesh

    tm = trimesh.creation.box(extents=(1, 2, 3))
    tm.apply_translation((0, 5, 0))  # up in the file
    path = tmp_path / "b.obj"
    tm.export(path)
    data = load_mesh(path)
    assert len(data.indices) == 12
    assert data.bounds[1, 1] == pytest.approx(-4.0)  # up became -y (image up)
    glb = tmp_path / "b.glb"
    tm.export(glb)
    assert len(load_mesh(glb).indices) == 12
    assert load_mesh(path, normalize=1.0).bounds[1].max() == pytest.approx(0.5)
    m = Mesh(box((1, 1, 1), color=(1, 0, 0)))
    assert m.mesh.colors is not None and m.mesh.colors[0, 0] == pytest.approx(1.0)


def test_broken_meshes_raise_asset_error(tmp_path):
    with pytest.raises(AssetError, match=r"not found: .*none\.obj"):
        load_mesh(tmp_path / "none.obj")
    empty = tmp_path / "empty.obj"
    empty.write_text("# nothing\nv 0 0 0\nv 1 0 0\n")
    with pytest.raises(AssetError, match=r"empty\.obj"):
        load_mesh(empty)
    junk = tmp_path / "junk.glb"
    junk.write_bytes(b"glTF\x02\x00\x00\x00not really")
    with pytest.raises(AssetError, match=r"junk\.glb"):
        load_mesh(junk)
    with pytest.raises(AssetError, match="no faces"):
        MeshData(np.zeros((3, 3)), np.zeros((0, 3)), name="flat")
    ph = load_mesh(junk, on_error="placeholder")
    assert ph.error and len(ph.indices) == 12
