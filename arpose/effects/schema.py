"""Effect files: TOML text -> validated, frozen dataclasses.

An effect is data, never code: it is parsed with ``tomllib`` (no eval, no pickle, no
imports), every key is checked, and every problem raises :class:`EffectError` with a
message that names the file, the attachment and the key ("unknown joint 'left_sholder'
in attachment 2 of hat.toml; did you mean 'left_shoulder'?").

The same dataclasses are the Python API: ``Effect(name=..., attachments=[Attachment(
joint="head_top", asset="hat.png")])`` is validated by the same code as a file.

Coordinates of an attachment are the scene's (:class:`arpose.scene.JointAnchor`), before
mirroring, which is only a view: ``x`` points from the first to the second joint of
``rotate_by`` (for the default pairs that is toward the person's own left side), ``y``
points down like image rows, ``z`` away from the camera; ``offset`` is in units of the
``scale_by`` body measure. Left and right are always the person's own sides.
"""

from __future__ import annotations

import difflib
import math
import os
import stat
import sys
from collections.abc import Iterable, Mapping
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 uses the backport
    import tomli as tomllib

from ..errors import ArposeError, AssetError, EffectError, UnknownJointError
from ..files import read_small_file
from ..joints import ALIASES, HAND_JOINTS, HEAD_JOINTS, JOINT_NAMES, TORSO_JOINTS, resolve_joint
from ..pose import MEASURES
from ..scene.node import LAYERS as SCENE_LAYERS
from .assets import kind_for

MAX_EFFECT_BYTES = 1024 * 1024
"""Effect files larger than this are refused by ``stat`` before anything is read."""
FORMAT_VERSION = 1

LAYERS = SCENE_LAYERS
"""Draw layers (the scene's): ``background``, ``behind_body`` (hidden where the
segmentation mask says body: wings, capes), ``body`` (the default: hidden by the body only
when behind its plane), ``front`` (never hidden by the body), ``hud``."""
LAYER_ALIASES = {"behind": "behind_body", "back": "behind_body", "behind-body": "behind_body"}
ANIMATIONS = ("bob", "spin", "pulse")
AXES = ("x", "y", "z")


def default_scale_by(joint: str) -> str:
    """Body measure an attachment scales by when the file does not say: the head's width
    for head joints, the hand's size for finger joints, the shoulders' width otherwise."""
    if joint in HAND_JOINTS:
        return "hand_size"
    return "head_width" if joint in HEAD_JOINTS else "shoulder_width"


def default_rotate_by(joint: str) -> tuple[str, str] | None:
    """Joint pair an attachment rotates with when the file does not say: ear to ear for
    the head (roll), shoulder to shoulder for the torso, none for limbs."""
    if joint in HEAD_JOINTS:
        return ("right_ear", "left_ear")
    if joint in TORSO_JOINTS:
        return ("right_shoulder", "left_shoulder")
    return None


# ----------------------------------------------------------------------------- validators


def _suggest(key: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(key), list(choices), n=2, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _fmt(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bad(key: str, where: str, expected: str, value: Any) -> EffectError:
    return EffectError(f"invalid {key!r} in {where}: expected {expected}, got {_fmt(value)}")


def _number(
    value: Any,
    key: str,
    where: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    positive: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(key, where, "a number", value)
    v = float(value)
    if not math.isfinite(v):
        raise _bad(key, where, "a finite number", value)
    if positive and v <= 0:
        raise EffectError(f"invalid {key!r} in {where}: must be greater than 0, got {_fmt(value)}")
    if lo is not None and v < lo:
        raise EffectError(f"invalid {key!r} in {where}: must be at least {lo:g}, got {_fmt(value)}")
    if hi is not None and v > hi:
        raise EffectError(f"invalid {key!r} in {where}: must be at most {hi:g}, got {_fmt(value)}")
    return v


def _vector(
    value: Any,
    key: str,
    where: str,
    *,
    sizes: tuple[int, ...] = (2, 3),
    fill: float = 0.0,
    positive: bool = False,
    scalar_ok: bool = False,
) -> tuple[float, float, float]:
    """A 3-vector from a list of 2 or 3 numbers (or one number when ``scalar_ok``)."""
    if scalar_ok and isinstance(value, (int, float)) and not isinstance(value, bool):
        v = _number(value, key, where, positive=positive)
        return (v, v, v)
    sizes_text = " or ".join(str(s) for s in sizes)
    expected = f"{'a number or ' if scalar_ok else ''}a list of {sizes_text} numbers"
    if not isinstance(value, (list, tuple)) or len(value) not in sizes:
        raise _bad(key, where, expected, value)
    nums = [_number(x, key, where, positive=positive) for x in value]
    if len(nums) == 2:
        nums.append(nums[0] if (scalar_ok and positive) else fill)
    return (nums[0], nums[1], nums[2])


def _string(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(key, where, "a non-empty string", value)
    if "\x00" in value:
        raise _bad(key, where, "a string without NUL characters", value)
    return value


def _choice(value: Any, key: str, where: str, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    text = _string(value, key, where).strip().lower()
    if text not in choices:
        raise EffectError(
            f"invalid {key!r} in {where}: {_fmt(value)} is not one of "
            f"{', '.join(choices)}{_suggest(text, choices)}"
        )
    return text


def _bool(value: Any, key: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(key, where, "true or false", value)
    return value


def _joint(value: Any, key: str, where: str) -> str:
    name = _string(value, key, where)
    try:
        return resolve_joint(name)
    except UnknownJointError:
        pass
    # Suggest only the clearly closest names ('left_sholder' -> 'left_shoulder', not also
    # 'left_toe'): keep the matches within 0.1 similarity of the best one.
    key_norm = name.strip().lower().replace("-", "_").replace(" ", "_")
    scored = sorted(
        ((difflib.SequenceMatcher(None, key_norm, c).ratio(), c) for c in (*JOINT_NAMES, *ALIASES)),
        reverse=True,
    )
    close = [c for r, c in scored[:3] if r >= 0.6 and r >= scored[0][0] - 0.1]
    hint = (
        f"; did you mean {' or '.join(repr(c) for c in close)}?"
        if close
        else " (run `arpose joints` for the list)"
    )
    place = where if key == "joint" else f"{key!r} of {where}"
    raise EffectError(f"unknown joint {name!r} in {place}{hint}") from None


def _rgba(parts: list[float]) -> tuple[float, float, float, float]:
    """3 or 4 channels in [0, 1] -> RGBA (opaque when alpha is not given)."""
    r, g, b, a = (parts + [1.0])[:4]
    return (r, g, b, a)


def _color(value: Any, key: str, where: str) -> tuple[float, float, float, float]:
    """``"#rrggbb"``/``"#rrggbbaa"`` or a list of 3-4 numbers in 0..1."""
    if isinstance(value, str):
        text = value.strip().lstrip("#")
        if len(text) in (6, 8):
            try:
                parts = [int(text[i : i + 2], 16) / 255.0 for i in range(0, len(text), 2)]
            except ValueError:
                parts = []
            if parts:
                return _rgba(parts)
        raise _bad(key, where, 'a colour like "#ffcc00" or [1.0, 0.8, 0.0]', value)
    if not isinstance(value, (list, tuple)) or len(value) not in (3, 4):
        raise _bad(key, where, 'a colour like "#ffcc00" or [1.0, 0.8, 0.0]', value)
    parts = [_number(x, key, where, lo=0.0, hi=1.0) for x in value]
    return _rgba(parts)


def _check_keys(table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
    problems = _unknown_keys(table, allowed, where)
    if problems:
        raise EffectError(problems[0])


def _unknown_keys(table: Mapping[str, Any], allowed: Iterable[str], where: str) -> list[str]:
    """One message per key of ``table`` not in ``allowed`` (with a did-you-mean)."""
    allowed = tuple(allowed)
    return [
        f"unknown key {str(key)!r} in {where}{_suggest(key, allowed)} (allowed: {', '.join(allowed)})"
        for key in table
        if key not in allowed
    ]


class EffectProblems(EffectError):
    """Several problems in one effect file: ``problems`` holds one message each (what
    ``arpose check`` prints, a line per problem); ``str()`` is the first and a count."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        more = len(self.problems) - 1
        super().__init__(
            self.problems[0]
            + (f" (and {more} more problem{'s' * (more != 1)}: `arpose check` lists them)" if more else "")
        )


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True, kw_only=True)
class Animation:
    """A simple periodic motion on top of the body-driven transform.

    ``bob`` moves along ``axis`` by ``amplitude`` body units; ``pulse`` scales by
    ``1 +- amplitude``; ``spin`` turns a full circle about ``axis`` every ``period``.
    """

    kind: str
    period: float = 0.0
    """Seconds per cycle (0 = the kind's default: 1 s for bob/pulse, 3 s for spin)."""
    amplitude: float = -1.0
    """Body units for bob (default 0.05), scale fraction for pulse (default 0.1)."""
    axis: str = ""
    """Bob direction / spin axis: x, y or z (default y)."""
    phase: float = 0.0
    """Seconds added to the timeline, to desynchronise copies."""
    where: InitVar[str] = "Animation"

    def __post_init__(self, where: str) -> None:
        kind = _choice(self.kind, "kind", where, ANIMATIONS)
        period = _number(self.period, "period", where, lo=0.0) or (3.0 if kind == "spin" else 1.0)
        amp = _number(self.amplitude, "amplitude", where)
        if amp < 0:
            amp = 0.1 if kind == "pulse" else 0.05
        if kind == "pulse" and amp >= 1.0:
            raise EffectError(
                f"invalid 'amplitude' in {where}: a pulse must stay below 1 "
                f"(a fraction of the size), got {amp:g}"
            )
        axis = _choice(self.axis or "y", "axis", where, AXES)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "period", period)
        object.__setattr__(self, "amplitude", amp)
        object.__setattr__(self, "axis", axis)
        object.__setattr__(self, "phase", _number(self.phase, "phase", where))

    def sample(self, t: float) -> tuple[tuple[float, float, float], tuple[float, float, float], float]:
        """Offset (body units), rotation (degrees about x, y, z) and scale factor at time ``t``."""
        phase = 2.0 * math.pi * ((t + self.phase) / self.period)
        axis = AXES.index(self.axis)
        offset = [0.0, 0.0, 0.0]
        rotation = [0.0, 0.0, 0.0]
        scale = 1.0
        if self.kind == "bob":
            offset[axis] = self.amplitude * math.sin(phase)
        elif self.kind == "pulse":
            scale = 1.0 + self.amplitude * math.sin(phase)
        else:  # spin
            rotation[axis] = math.degrees(phase) % 360.0
        return (offset[0], offset[1], offset[2]), (rotation[0], rotation[1], rotation[2]), scale


ANIMATION_KEYS = ("kind", "period", "amplitude", "axis", "phase")


def _animation(value: Any, where: str) -> Animation | None:
    if value is None or isinstance(value, Animation):
        return value
    place = f"'animation' of {where}"
    if isinstance(value, str):
        return Animation(kind=value, where=place)
    if isinstance(value, Mapping):
        _check_keys(value, ANIMATION_KEYS, place)
        if "kind" not in value:
            raise EffectError(f"missing key 'kind' in {place} (one of {', '.join(ANIMATIONS)})")
        return Animation(**dict(value), where=place)
    raise _bad("animation", where, f"one of {', '.join(ANIMATIONS)} or a table", value)


@dataclass(frozen=True, kw_only=True)
class Asset:
    """A file an effect uses, decoded by the loader of its ``kind`` (sprite, mesh, ...)."""

    name: str
    path: Path
    kind: str = ""
    """Empty: chosen from the file extension."""
    color: tuple[float, float, float, float] | None = None
    """Base colour for meshes without their own colours, tint for sprites (RGBA 0..1)."""
    where: InitVar[str] = "Asset"

    def __post_init__(self, where: str) -> None:
        object.__setattr__(self, "path", Path(self.path))
        try:
            kind = kind_for(self.path, self.kind or None)
        except AssetError as exc:
            raise EffectError(f"{exc} (in {where})") from None
        object.__setattr__(self, "kind", kind)
        if self.color is not None:
            object.__setattr__(self, "color", _color(self.color, "color", where))


ASSET_KEYS = ("path", "kind", "color")


@dataclass(frozen=True, kw_only=True)
class Attachment:
    """One asset on one joint (or on a quad of four joints) of one or all people."""

    asset: str
    """Name of an entry in the effect's ``assets`` table, or a file path relative to the effect."""
    joint: str = ""
    """Anchor joint (any name from ``arpose joints``, aliases allowed)."""
    quad: tuple[str, str, str, str] | None = None
    """Four joints the sprite's corners are pinned to, in order top-left, top-right,
    bottom-right, bottom-left of the image file (e.g. a shirt: right_shoulder,
    left_shoulder, left_hip, right_hip). Replaces ``joint``."""
    margin: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """For ``quad``: grow it by fractions of its width/height: ``[x, y]`` on every side or
    ``[left, top, right, bottom]`` (sides of the image)."""
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """x (toward the second ``rotate_by`` joint: the person's left), y (down), z (away from
    the camera), in units of ``scale_by``."""
    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    """Width of the asset in units of ``scale_by`` (a number, or per axis)."""
    scale_by: str = ""
    """Body measure: head_width, shoulder_width, hip_width, eye_distance, torso_height,
    body_size (default: head_width on the head, shoulder_width elsewhere)."""
    rotate_by: tuple[str, str] | None | bool = True
    """Joint pair whose direction is the local x axis; False for none; True for the default."""
    rotate: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Extra rotation in degrees: a number (roll in the image plane) or [x, y, z]."""
    tilt_3d: bool = False
    """Also turn with the body's yaw and pitch (from the landmarks' z), for 3D meshes."""
    pivot: tuple[float, float] = (0.5, 0.5)
    """Point of a sprite image placed on the joint: (0, 0) top-left, (0.5, 0.5) centre,
    (0.5, 1) bottom centre (a hat sitting on the head)."""
    layer: str = "body"
    min_visibility: float = 0.5
    """Below this joint visibility the attachment fades out."""
    person: int | str = "all"
    """``"all"`` or a player number (1 = first person by id, 2 = second)."""
    opacity: float = 1.0
    animation: Animation | None = None
    rig: str | Mapping[str, str] = ""
    """For a skinned avatar or costume (an ``avatar`` asset: ``.gltf``, ``.vrm``, or a
    ``.glb`` with ``kind = "avatar"``): its bone map. ``"auto"`` (the default for avatars)
    detects the naming convention from the model's bones; a convention name (``vrm``,
    ``vrm0``, ``mixamo``, ``unity``, ``vroid``, ``mannequin``) picks one; a table maps
    arpose's bones (VRM humanoid names: ``hips``, ``leftUpperArm``...) to the model's,
    over what is detected."""
    clip: str = ""
    """For an avatar: play this animation clip of the model instead of following the body."""
    where: InitVar[str] = "Attachment"

    @property
    def is_avatar(self) -> bool:
        """True for a skinned avatar or costume (``rig`` or ``clip`` given)."""
        return bool(self.rig) or bool(self.clip)

    def __post_init__(self, where: str) -> None:
        set_ = object.__setattr__
        set_(self, "asset", _string(self.asset, "asset", where))
        rig = self.rig
        if isinstance(rig, Mapping):
            for k, v in rig.items():
                if not isinstance(v, str) or not v:
                    raise _bad(f"rig.{k}", where, "a bone name of the model", v)
            set_(self, "rig", MappingProxyType(dict(rig)))
        elif not isinstance(rig, str):
            raise _bad("rig", where, '"auto", a convention name or a table of bone names', rig)
        set_(self, "clip", _string(self.clip, "clip", where) if self.clip != "" else "")
        if not self.is_avatar and not self.joint and self.quad is None:
            if Path(self.asset).suffix.lower() in (".vrm", ".gltf"):
                set_(self, "rig", "auto")  # a skinned avatar file named directly
        if self.is_avatar and not self.joint and self.quad is None:
            set_(self, "joint", "mid_hip")  # where an avatar's placeholder goes if it fails
        if self.quad is not None:
            if not isinstance(self.quad, (list, tuple)) or len(self.quad) != 4:
                raise _bad("quad", where, "a list of 4 joint names", self.quad)
            set_(self, "quad", tuple(_joint(j, "quad", where) for j in self.quad))
            joint = _joint(self.joint, "joint", where) if self.joint else "spine"
        else:
            if not self.joint:
                raise EffectError(
                    f"missing key 'joint' in {where} (or give 'quad' with 4 joints, or 'rig' for an avatar)"
                )
            joint = _joint(self.joint, "joint", where)
        set_(self, "joint", joint)
        if not isinstance(self.margin, (list, tuple)) or len(self.margin) not in (2, 4):
            raise _bad("margin", where, "a list of 2 or 4 numbers", self.margin)
        m = [_number(v, "margin", where, lo=-0.45, hi=5.0) for v in self.margin]
        set_(self, "margin", tuple(m * 2 if len(m) == 2 else m))
        set_(self, "offset", _vector(self.offset, "offset", where))
        set_(self, "scale", _vector(self.scale, "scale", where, positive=True, scalar_ok=True))
        set_(
            self,
            "scale_by",
            _choice(self.scale_by, "scale_by", where, MEASURES) if self.scale_by else default_scale_by(joint),
        )
        rb = self.rotate_by
        if rb is True:
            rb = default_rotate_by(joint)
        elif rb is False or rb is None or (isinstance(rb, str) and rb.lower() == "none"):
            rb = None
        elif isinstance(rb, (list, tuple)) and len(rb) == 2:
            a, b = (_joint(j, "rotate_by", where) for j in rb)
            if a == b:
                raise EffectError(
                    f"invalid 'rotate_by' in {where}: the two joints must differ, got {a!r} twice"
                )
            rb = (a, b)
        else:
            raise _bad("rotate_by", where, "a list of 2 joint names, or false", rb)
        set_(self, "rotate_by", rb)
        rot = self.rotate
        if isinstance(rot, (int, float)) and not isinstance(rot, bool):
            rot = (0.0, 0.0, _number(rot, "rotate", where))
        else:
            rot = _vector(rot, "rotate", where, sizes=(3,))
        set_(self, "rotate", rot)
        set_(self, "tilt_3d", _bool(self.tilt_3d, "tilt_3d", where))
        layer = self.layer.strip().lower() if isinstance(self.layer, str) else self.layer
        set_(self, "layer", _choice(LAYER_ALIASES.get(layer, layer), "layer", where, LAYERS))
        px, py, _ = _vector(self.pivot, "pivot", where, sizes=(2,))
        set_(self, "pivot", (px, py))
        set_(self, "min_visibility", _number(self.min_visibility, "min_visibility", where, lo=0.0, hi=1.0))
        person = self.person
        if isinstance(person, str):
            if person.strip().lower() != "all":
                raise _bad("person", where, '"all" or a player number (1, 2, ...)', person)
            person = "all"
        else:
            person = int(_number(person, "person", where, lo=1.0, hi=16.0))
            if person != self.person:
                raise _bad("person", where, '"all" or a whole player number', self.person)
        set_(self, "person", person)
        set_(self, "opacity", _number(self.opacity, "opacity", where, lo=0.0, hi=1.0))
        set_(self, "animation", _animation(self.animation, where))

    def applies_to(self, player: int) -> bool:
        """True when this attachment is drawn on player number ``player`` (1-based)."""
        return self.person == "all" or self.person == player


ATTACHMENT_KEYS = (
    "joint",
    "asset",
    "quad",
    "margin",
    "offset",
    "scale",
    "scale_by",
    "rotate_by",
    "rotate",
    "tilt_3d",
    "pivot",
    "layer",
    "min_visibility",
    "person",
    "opacity",
    "animation",
    "rig",
    "clip",
)
EFFECT_KEYS = ("name", "description", "version", "assets", "attach")


@dataclass(frozen=True, kw_only=True)
class Effect:
    """A named set of attachments and the assets they use.

    Attributes:
        name: shown in the mirror; the file stem for effect files.
        attachments: what goes where.
        assets: asset name -> :class:`Asset` (attachments naming a path get one each).
        root: folder asset paths are relative to (the effect file's folder; the current
            directory when None).
        sandbox: folder asset paths may not leave (absolute paths, ``..``, symlinks out are
            refused); for effect files the file's folder (the gallery's: the whole
            gallery), None for effects built in Python.
        path: the effect file, or None for effects built in Python.
    """

    name: str
    attachments: tuple[Attachment, ...]
    assets: Mapping[str, Asset] = field(default_factory=dict)
    root: Path | None = None
    sandbox: Path | None = None
    path: Path | None = None
    description: str = ""
    where: InitVar[str] = ""

    def __post_init__(self, where: str) -> None:
        where = where or f"effect {self.name!r}"
        set_ = object.__setattr__
        set_(self, "name", _string(self.name, "name", where))
        if not isinstance(self.description, str):
            raise _bad("description", where, "a string", self.description)
        root = Path(self.root) if self.root is not None else None
        set_(self, "root", root)
        sandbox = Path(self.sandbox) if self.sandbox is not None else None
        set_(self, "sandbox", sandbox)
        if not isinstance(self.attachments, (list, tuple)) or not self.attachments:
            raise EffectError(
                f"no attachments in {where}; add at least one [[attach]] table with a 'joint' and an 'asset'"
            )
        assets: dict[str, Asset] = {}
        for name, a in dict(self.assets).items():
            assets[name] = a if isinstance(a, Asset) else _asset(name, a, root, where, sandbox=sandbox)
        for i, att in enumerate(self.attachments, 1):
            if not isinstance(att, Attachment):
                raise _bad(f"attachments[{i}]", where, "an Attachment", att)
            if att.asset not in assets:
                a_where = f"attachment {i} of {where}"
                if not _looks_like_path(att.asset):
                    raise EffectError(
                        f"unknown asset {att.asset!r} in {a_where}: not in [assets] and not a "
                        f"file name{_suggest(att.asset, assets)}"
                        + (f" (assets: {', '.join(assets)})" if assets else "")
                    )
                assets[att.asset] = _asset(att.asset, att.asset, root, a_where, sandbox=sandbox, key="asset")
            a = assets[att.asset]
            if att.is_avatar and a.kind == "mesh" and a.path.suffix.lower() == ".glb":
                # a .glb is a static mesh by extension; with a bone map it is an avatar
                assets[att.asset] = Asset(name=a.name, path=a.path, kind="avatar", color=a.color)
            elif att.is_avatar and assets[att.asset].kind != "avatar":
                raise EffectError(
                    f"'rig' or 'clip' in attachment {i} of {where} needs a skinned glTF avatar "
                    f"(.gltf, .glb or .vrm), but asset {att.asset!r} is a {a.kind}"
                )
        set_(self, "attachments", tuple(self.attachments))
        set_(self, "assets", MappingProxyType(assets))

    def files(self) -> tuple[Path, ...]:
        """The effect file and every asset file (what hot reload watches)."""
        paths = [self.path] if self.path is not None else []
        return tuple(paths + [a.path for a in self.assets.values()])

    def asset_for(self, attachment: Attachment) -> Asset:
        return self.assets[attachment.asset]


def _looks_like_path(text: str) -> bool:
    return "." in Path(text).name or "/" in text or "\\" in text


def _asset(
    name: str, value: Any, root: Path | None, where: str, *, sandbox: Path | None, key: str = "path"
) -> Asset:
    """Validate one asset entry (a path string, or a table with ``path``/``kind``/``color``)
    and check the file: it exists, is a regular file, and stays inside ``root``."""
    place = f"asset {name!r} of {where}" if key == "path" else where
    if isinstance(value, str):
        table: dict[str, Any] = {"path": value}
    elif isinstance(value, Mapping):
        table = dict(value)
        _check_keys(table, ASSET_KEYS, place)
    else:
        raise _bad(name, f"[assets] of {where}", "a file path or a table with 'path'", value)
    if "path" not in table:
        raise EffectError(f"missing key 'path' in {place}")
    rel = _string(table["path"], key, place)
    path = _confined_path(rel, root, place, key, sandbox=sandbox)
    kind = table.get("kind", "")
    if kind != "" and not isinstance(kind, str):
        raise _bad("kind", place, "a string", kind)
    return Asset(name=name, path=path, kind=kind, color=table.get("color"), where=place)


def _confined_path(rel: str, root: Path | None, where: str, key: str, *, sandbox: Path | None) -> Path:
    """Resolve an asset path relative to ``root``; with a ``sandbox`` it must stay inside
    it (no absolute paths, no ``..`` out, no symlinks pointing out)."""
    p = Path(rel)
    base = root if root is not None else Path.cwd()
    if sandbox is not None:
        if p.is_absolute() or p.drive or rel.startswith(("/", "\\")):
            raise EffectError(
                f"asset path {rel!r} in {where} ({key!r}) is absolute; use a path "
                f"relative to the effect file, inside its folder"
            )
    full = base / p
    try:
        resolved = full.resolve()
        box = sandbox.resolve() if sandbox is not None else None
    except (OSError, RuntimeError) as exc:  # symlink loops
        raise EffectError(f"asset path {rel!r} in {where} ({key!r}) cannot be resolved: {exc}") from None
    if box is not None and not resolved.is_relative_to(box):
        raise EffectError(
            f"asset path {rel!r} in {where} ({key!r}) escapes the effect's folder "
            f"{str(sandbox)!r}; keep assets next to the effect file"
        )
    try:
        st = resolved.stat()
    except OSError:
        raise EffectError(
            f"missing asset file {rel!r} in {where} ({key!r}): no such file in {str(full.parent)!r}"
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise EffectError(f"asset path {rel!r} in {where} ({key!r}) is not a regular file")
    return resolved


# ----------------------------------------------------------------------------- parsing


def read_effect_text(path: str | os.PathLike, display: str | None = None) -> str:
    """Read an effect file's text with every check done before and while reading:
    it exists, is a regular file, is at most :data:`MAX_EFFECT_BYTES` (by ``stat``,
    so a huge file is never read), not empty, valid UTF-8."""
    name = display or str(path)
    data = read_small_file(path, MAX_EFFECT_BYTES, "effect", EffectError, name)
    if not data.strip():
        raise EffectError(
            f"{name}: file is empty; an effect needs at least one [[attach]] "
            f"table with a 'joint' and an 'asset'"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EffectError(f"{name}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def parse_effect(
    text: str,
    *,
    name: str,
    root: Path | None,
    path: Path | None = None,
    display: str | None = None,
    sandbox: Path | None = None,
) -> Effect:
    """Parse effect TOML text into an :class:`Effect` (asset files are checked, not decoded).

    Raises:
        EffectError: anything wrong, with file, attachment and key in the message.
    """
    where = display or name
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EffectError(f"{where}: invalid TOML: {exc}") from None
    except (RecursionError, ValueError) as exc:
        raise EffectError(f"{where}: invalid TOML ({type(exc).__name__})") from None
    problems = _unknown_keys(doc, EFFECT_KEYS, where)  # every problem found, in order
    version = doc.get("version", FORMAT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _bad("version", where, "a positive whole number", version)
    if version > FORMAT_VERSION:
        raise EffectError(
            f"{where}: effect format version {version} is newer than this arpose "
            f"understands ({FORMAT_VERSION}); upgrade arpose"
        )
    assets = doc.get("assets", {})
    if not isinstance(assets, Mapping):
        raise _bad("assets", where, "a table ([assets])", assets)
    attach = doc.get("attach")
    if attach is None:
        raise EffectError(
            f"no attachments in {where}; add at least one [[attach]] table with a 'joint' and an 'asset'"
        )
    if not isinstance(attach, list) or not all(isinstance(t, Mapping) for t in attach):
        raise _bad("attach", where, "an array of tables ([[attach]])", attach)
    asset_names: set[str] = set()
    for a_name, value in assets.items():
        try:
            _asset(a_name, value, root, where, sandbox=sandbox)
            asset_names.add(a_name)
        except EffectError as exc:
            problems.append(str(exc))
    attachments = []
    for i, table in enumerate(attach, 1):
        a_where = f"attachment {i} of {where}"
        problems += _unknown_keys(table, ATTACHMENT_KEYS, a_where)
        if "asset" not in table:
            problems.append(f"missing key 'asset' in {a_where}")
            continue
        try:
            known = {k: v for k, v in table.items() if k in ATTACHMENT_KEYS}
            attachments.append(Attachment(**known, where=a_where))
        except EffectError as exc:
            problems.append(str(exc))
        except TypeError as exc:  # unreachable after the key check; kept as a guard
            problems.append(f"{a_where}: {exc}")
        asset = table["asset"]
        if isinstance(asset, str) and asset not in assets and _looks_like_path(asset):
            try:
                _asset(asset, asset, root, a_where, sandbox=sandbox, key="asset")
            except EffectError as exc:
                problems.append(str(exc))
        elif isinstance(asset, str) and asset not in assets:
            problems.append(
                f"unknown asset {asset!r} in {a_where}: not in [assets] and not a "
                f"file name{_suggest(asset, assets)}" + (f" (assets: {', '.join(assets)})" if assets else "")
            )
    if "name" in doc:
        try:
            _string(doc["name"], "name", where)
        except EffectError as exc:
            problems.append(str(exc))
    if problems:
        raise EffectProblems(problems)
    title = doc.get("name", name)
    return Effect(
        name=_string(title, "name", where),
        attachments=tuple(attachments),
        assets=assets,
        root=root,
        sandbox=sandbox,
        path=path,
        description=doc.get("description", ""),
        where=where,
    )


def read_effect_file(
    path: str | os.PathLike, display: str | None = None, *, sandbox: str | os.PathLike | None = None
) -> Effect:
    """Read and validate an effect file (asset files are checked for existence and
    containment here; :func:`arpose.effects.nodes.decode_assets` decodes them).

    Args:
        path: the ``.toml`` file.
        display: how the file is named in messages (default: ``path`` as given).
        sandbox: folder asset paths may not leave; default the file's own folder.

    Raises:
        EffectError: the file or its content is invalid; the message names the file,
            the attachment and the key.
    """
    p = Path(path)
    display = display or str(path)
    text = read_effect_text(p, display)
    try:
        return parse_effect(
            text,
            name=p.stem,
            root=p.parent,
            path=p,
            display=display,
            sandbox=Path(sandbox) if sandbox is not None else p.parent,
        )
    except EffectError:
        raise
    except ArposeError as exc:  # any other library error is still the file's fault
        raise EffectError(f"{display}: {exc}") from None


__all__ = [
    "Effect",
    "EffectProblems",
    "Attachment",
    "Asset",
    "Animation",
    "read_effect_file",
    "parse_effect",
    "read_effect_text",
    "default_scale_by",
    "default_rotate_by",
    "LAYERS",
    "ANIMATIONS",
    "MAX_EFFECT_BYTES",
    "FORMAT_VERSION",
    "ATTACHMENT_KEYS",
    "EFFECT_KEYS",
    "ASSET_KEYS",
    "ANIMATION_KEYS",
]
