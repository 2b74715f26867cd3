"""The scene graph: nodes, joint anchors and content (sprites, meshes, warped quads).

Nothing here needs an OpenGL context: assets are decoded into numpy data now and
uploaded by :mod:`arpose.render` later. Typical use::

    from arpose.scene import Scene, JointAnchor, Sprite, Mesh, box

    scene = Scene()
    head = scene.add(JointAnchor("head_top", scale_by="head_width"))
    head.add(Sprite("crown.png", width=1.2, pivot=(0.5, 1.0)))
    chest = scene.add(JointAnchor("chest", scale_by="shoulder_width", tilt_3d=True))
    chest.add(Mesh(box((0.3, 0.3, 0.1), color=(1, 0.8, 0))))
"""

from __future__ import annotations

from .anchors import BodyQuad, Fader, JointAnchor, PersonSelector, PixelAnchor, basis_from_pair
from .mesh import Mesh, MeshData, box, cone, cylinder, load_mesh, sphere, torus
from .node import LAYERS, Drawable, FrameContext, Node, Scene, quat_from_axis_angle, quat_to_matrix
from .projection import DEFAULT_FOV_Y, Projection
from .sprite import Sprite, TextureData, load_texture

__all__ = [
    "BodyQuad",
    "Fader",
    "JointAnchor",
    "PersonSelector",
    "PixelAnchor",
    "basis_from_pair",
    "DEFAULT_FOV_Y",
    "Projection",
    "Mesh",
    "MeshData",
    "box",
    "cone",
    "cylinder",
    "load_mesh",
    "sphere",
    "torus",
    "LAYERS",
    "Drawable",
    "FrameContext",
    "Node",
    "Scene",
    "quat_from_axis_angle",
    "quat_to_matrix",
    "Sprite",
    "TextureData",
    "load_texture",
]
