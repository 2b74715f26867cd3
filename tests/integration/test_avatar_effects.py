"""Avatars and costumes as effects: a user's own Mixamo-named rig follows the body, each
person gets their own, bone maps are checked, hot reload, and `arpose render`."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from avatar_helpers import MIXAMO, arm_model, humanoid_model

from arpose.effects import load_effect
from arpose.effects.compose import EffectRenderer
from arpose.effects.nodes import EffectNode
from arpose.effects.reload import HotReloader
from arpose.errors import EffectError
from arpose.pose import PoseFrame
from arpose.rig.gltf import save_glb
from arpose.scene import Scene
from arpose.scene.skinned import Avatar
from arpose.testing.bodies import Body, make_pose

EFFECT = """
[assets]
me = {{ path = "me.glb", kind = "avatar" }}

[[attach]]
asset = "me"
rig = {rig}
layer = "front"
"""


@pytest.fixture
def mixamo_effect(tmp_path: Path) -> Path:
    save_glb(tmp_path / "me.glb", humanoid_model(MIXAMO))
    path = tmp_path / "me.toml"
    path.write_text(EFFECT.format(rig='"auto"'))
    return path


def _frame(*bodies: Body, t: float = 0.0, size: tuple[int, int] = (512, 512)) -> PoseFrame:
    poses = tuple(make_pose(b) for b in bodies)
    return PoseFrame(t=t, index=int(t * 30), size=size, poses=poses)


def _px(renderer, scene: Scene, avatar: Avatar, bone: str) -> np.ndarray:
    cam = scene.camera
    assert cam is not None
    return cam.project(avatar.joint_world(bone)[None])[0]


def test_mixamo_rig_follows_the_arms_of_each_person(renderer, mixamo_effect):
    effect = load_effect(str(mixamo_effect))
    scene = Scene()
    scene.add(EffectNode(effect, players=(1, 2)))
    avatars = [n for n in scene.walk() if isinstance(n, Avatar)]
    assert len(avatars) == 2
    one = Body(x=150, floor=490, scale=60, id=1, left_arm=170.0, right_arm=8.0)  # left up, right down
    two = Body(x=370, floor=490, scale=60, id=2, left_arm=90.0, right_arm=90.0)  # a T-pose
    for k in range(12):  # a few frames: the solver settles, the fade finishes
        frame = _frame(one, two, t=k / 30)
        img = renderer.render(scene, frame)
    for avatar, body, pose in zip(avatars, (one, two), frame.poses):
        shoulder = abs(pose.xy("left_shoulder")[0] - pose.xy("right_shoulder")[0])
        for side in ("Left", "Right"):
            hand = _px(renderer, scene, avatar, f"mixamorig:{side}Hand")
            wrist = pose.xy(f"{side.lower()}_wrist")
            # the model's wrist lands on the person's wrist (limbs fitted to the person)
            assert np.linalg.norm(hand - wrist) < 0.35 * shoulder, (body, side, hand, wrist)
        hips = _px(renderer, scene, avatar, "mixamorig:Hips")
        mid_hip = (pose.xy("left_hip") + pose.xy("right_hip")) / 2
        assert np.linalg.norm(hips - mid_hip) < 0.1 * shoulder
        # and it is drawn there: green body colour on the chest
        mid_shoulder = (pose.xy("left_shoulder") + pose.xy("right_shoulder")) / 2
        x, y = ((mid_hip + mid_shoulder) / 2).round().astype(int)
        patch = img[y - 5 : y + 5, x - 5 : x + 5].reshape(-1, 3).astype(int)
        assert (patch[:, 1] > patch[:, 0] + 40).mean() > 0.5


def test_a_person_leaving_fades_their_avatar(renderer, mixamo_effect):
    scene = Scene()
    scene.add(EffectNode(load_effect(str(mixamo_effect)), players=(1,)))
    (avatar,) = [n for n in scene.walk() if isinstance(n, Avatar)]
    renderer.render(scene, _frame(Body(x=250, floor=490, scale=60), t=0.0))
    assert avatar.opacity == pytest.approx(1.0)
    for k in range(1, 12):
        renderer.render(scene, _frame(t=k / 30))
    assert avatar.opacity == 0.0


@pytest.mark.parametrize(
    ("rig", "words"),
    [
        ('{ leftHand = "mixamorig:LeftPalm" }', "'mixamorig:LeftPalm' (for leftHand) is not in"),
        ('{ leftPaw = "mixamorig:LeftHand" }', "'leftPaw' is not an arpose bone"),
        ('"vroid"', "missing hips, spine, head"),
        ('"blender"', "unknown bone convention 'blender'"),
    ],
)
def test_bad_bone_maps_are_one_line(mixamo_effect, rig, words):
    mixamo_effect.write_text(EFFECT.format(rig=rig))
    with pytest.raises(EffectError) as e:
        EffectNode(load_effect(str(mixamo_effect)))
    msg = str(e.value)
    assert words in msg and "me.toml" in msg and "\n" not in msg


def test_a_gltf_without_skin_is_one_line(tmp_path):
    save_glb(tmp_path / "me.glb", humanoid_model(MIXAMO))
    raw = (tmp_path / "me.glb").read_bytes()
    # the same file with its "skins" key renamed: a static mesh to glTF
    (tmp_path / "me.glb").write_bytes(raw.replace(b'"skins"', b'"skinz"').replace(b'"skin":', b'"skix":'))
    (tmp_path / "me.toml").write_text(EFFECT.format(rig='"auto"'))
    with pytest.raises(EffectError, match=r"asset 'me' of me\.toml: .*me\.glb: has no skin"):
        EffectNode(load_effect(str(tmp_path / "me.toml")))


def test_hot_reload_swaps_the_avatar(tmp_path, mixamo_effect):
    frame = _frame(Body(x=640), t=0.0, size=(1280, 720))
    with EffectRenderer([str(mixamo_effect)]) as er:
        reloader = HotReloader(er, interval=0.0)
        before = er.render(frame)
        green = (before[..., 1].astype(int) > before[..., 0].astype(int) + 40).sum()
        assert green > 2000
        mixamo_effect.write_text(EFFECT.format(rig='"auto"') + "opacity = 0.0\n")
        st = mixamo_effect.stat()
        os.utime(mixamo_effect, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000))
        assert len(reloader.poll()) == 1
        after = er.render(frame)
        assert (after[..., 1].astype(int) > after[..., 0].astype(int) + 40).sum() < green / 20
        mixamo_effect.write_text(EFFECT.format(rig='{ hips = "nope" }'))
        os.utime(mixamo_effect, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
        assert reloader.poll() == []
        assert "'nope' (for hips) is not in" in reloader.message


def test_clip_plays_the_models_animation(renderer, tmp_path):
    save_glb(tmp_path / "arm.glb", arm_model())
    (tmp_path / "arm.toml").write_text(
        '[assets]\narm = { path = "arm.glb", kind = "avatar" }\n'
        '[[attach]]\nasset = "arm"\nclip = "bend"\nrig = { hips = "upper", spine = "upper", head = "lower",'
        ' leftUpperArm = "lower", rightUpperArm = "lower", leftLowerArm = "lower", rightLowerArm = "lower",'
        ' leftHand = "lower", rightHand = "lower", leftUpperLeg = "upper", rightUpperLeg = "upper",'
        ' leftLowerLeg = "upper", rightLowerLeg = "upper" }\n'
    )
    effect = load_effect(str(tmp_path / "arm.toml"))
    assert effect.attachments[0].clip == "bend"
    (tmp_path / "bad.toml").write_text((tmp_path / "arm.toml").read_text().replace('"bend"', '"twist"'))
    with pytest.raises(EffectError, match=r"invalid 'clip' .*no animation 'twist' \(clips: bend\)"):
        EffectNode(load_effect(str(tmp_path / "bad.toml")))


@pytest.mark.parametrize(
    ("effect", "rgb"), [("mannequin", (205, 105, 15)), ("costume-tunic", (200, 150, 40))]
)
def test_render_cli_dresses_the_person(tmp_path, astronaut_png, effect, rgb):
    from arpose.cli import main as cli_main
    from arpose.sources import read_image

    out = tmp_path / f"{effect}.png"
    assert cli_main(["render", "-e", effect, "-s", str(astronaut_png), "-o", str(out), "--no-progress"]) == 0
    img = read_image(out)
    src = read_image(astronaut_png)
    changed = np.abs(img.astype(int) - src.astype(int)).max(axis=2) > 40
    # the avatar (lit, so its colour varies) covers a good part of the upper body
    near = np.abs(img.astype(int) - np.array(rgb)).max(axis=2) < 70
    assert changed.mean() > 0.05 and (near & changed).sum() > 0.02 * img.shape[0] * img.shape[1]
    ys, xs = np.nonzero(changed)
    assert 150 < xs.mean() < 360  # on the astronaut (in the middle of the picture), not beside


ODD_NAMES = {  # no known convention: only the file's VRM humanoid map says which is which
    "hips": "pelvis_jnt",
    "spine": "spine_a_jnt",
    "chest": "spine_c_jnt",
    "neck": "neck_jnt",
    "head": "head_jnt",
    "Shoulder": "clav_{S}",
    "UpperArm": "arm_up_{S}",
    "LowerArm": "arm_lo_{S}",
    "Hand": "wrist_{S}",
    "UpperLeg": "leg_up_{S}",
    "LowerLeg": "leg_lo_{S}",
    "Foot": "ankle_{S}",
}


def test_a_vrm_file_brings_its_own_bone_map(renderer, tmp_path):
    import dataclasses

    model = humanoid_model(ODD_NAMES, prefix="", unit=1.0)
    human = {}
    for bone in ("hips", "spine", "chest", "neck", "head"):
        human[bone] = ODD_NAMES[bone]
    for side in ("left", "right"):
        for part in ("Shoulder", "UpperArm", "LowerArm", "Hand", "UpperLeg", "LowerLeg", "Foot"):
            human[side + part] = ODD_NAMES[part].format(S=side.capitalize())
    save_glb(tmp_path / "me.vrm", dataclasses.replace(model, humanoid=human))
    (tmp_path / "me.toml").write_text('[[attach]]\nasset = "me.vrm"\nlayer = "front"\n')
    scene = Scene()
    scene.add(EffectNode(load_effect(str(tmp_path / "me.toml")), players=(1,)))
    (avatar,) = [n for n in scene.walk() if isinstance(n, Avatar)]
    body = Body(x=250, floor=490, scale=60, left_arm=170.0, right_arm=90.0)
    for k in range(10):
        frame = _frame(body, t=k / 30)
        renderer.render(scene, frame)
    pose = frame.poses[0]
    shoulder = abs(pose.xy("left_shoulder")[0] - pose.xy("right_shoulder")[0])
    for side in ("left", "right"):
        hand = _px(renderer, scene, avatar, f"wrist_{side.capitalize()}")
        assert np.linalg.norm(hand - pose.xy(f"{side}_wrist")) < 0.35 * shoulder


def test_a_game_with_an_avatar_per_player(tmp_path):
    """`arpose play GAME --effect costume-tunic`: each player is dressed, the game's result
    is the same as without it."""
    import cv2

    from arpose.play.options import PlayOptions
    from arpose.play.runner import run_headless
    from arpose.testing.bodies import frames, jumping_jack_motion, together

    two = together(
        jumping_jack_motion(reps=2, body=Body(x=400, id=1)),
        jumping_jack_motion(reps=2, body=Body(x=900, id=2)),
    )
    clip = frames(two, fps=30, noise=1.0)[:60]
    plain = run_headless("pong", clip, PlayOptions(sound=False, duration=1.5, players=2, game_effects=False))
    video = tmp_path / "pong.mp4"
    dressed = run_headless(
        "pong",
        clip,
        PlayOptions(sound=False, duration=1.5, players=2, effects=("costume-tunic",)),
        video=video,
        fps=30.0,
    )
    assert dressed == plain
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 40)
    ok, bgr = cap.read()
    assert ok
    # the tunic's gold sleeves and teal body on both players (the view is mirrored)
    teal = (bgr[..., 0].astype(int) > bgr[..., 2].astype(int) + 30) & (bgr[..., 1] > 60)
    cols = np.nonzero(teal.any(axis=0))[0]
    assert teal.sum() > 2000 and cols.min() < 640 < cols.max()
