"""The skinned pass: glTF avatars and costumes, skinned on the GPU.

Linear blend skinning runs in the vertex shader (``shaders/skinned.vert.glsl``: up to four
``uniform mat4 u_joints[N]`` per vertex). Lighting is the mesh pass's model computed per
vertex (an avatar covers many pixels, and software GL pays per pixel: measured, the mesh
pass's per-pixel lighting doubled the avatar's fragment cost); depth and body occlusion
are those of :class:`~.meshes.MeshPass` (``skinned.frag.glsl``). Vertex
and index buffers are made once per :class:`~arpose.scene.skinned.SkinPart`; per frame
only the joint matrices (a few kB) are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...errors import RenderError
from ...scene.node import Drawable
from ...scene.skinned import SkinnedMesh, SkinPart
from ..resources import Gpu, load_shader, mat_bytes
from .base import FrameState, LayerState, RenderPass
from .meshes import LIGHT_DIR

_FORMAT = ("3f 3f 2f 4f 4f", "in_pos", "in_normal", "in_uv", "in_joints", "in_weights")
JOINT_BUCKETS = (64, 128, 256)
"""Sizes of ``u_joints`` the shader is compiled with (the smallest that fits a model)."""


class SkinnedPass(RenderPass):
    """Draws :class:`~arpose.scene.skinned.SkinnedMesh` nodes: one draw per primitive."""

    name = "skinned"
    stage = "overlay"
    no_blend_when_opaque = True
    node_types: tuple[type[Drawable], ...] = (SkinnedMesh,)

    def setup(self, gpu: Gpu) -> None:
        self.gpu = gpu
        self._programs: dict[tuple[int, bool, bool], Any] = {}
        self._prepared: dict[int, tuple[int, int]] = {}
        self._frame: FrameState | None = None

    def prepare(self, frame: FrameState) -> None:
        self._frame = frame
        self._prepared.clear()

    def program(self, joints: int, *, capture: bool = False, opaque: bool = False) -> Any:
        """The program for skins of up to ``joints`` joints (compiled once per size).

        ``capture`` writes positions instead of colours (:meth:`capture_positions`);
        ``opaque`` drops the fragment shader's ``discard`` (for content that is fully
        opaque and not cut by the body mask): a shader that may discard turns off the
        early depth test, and software GL then shades every hidden layer of a body too
        (measured: the mannequin at 1280x720 cost about 2x more with it)."""
        size = next((b for b in JOINT_BUCKETS if joints <= b), None)
        if size is None:
            raise RenderError(
                f"a skin with {joints} joints is more than the renderer supports ({JOINT_BUCKETS[-1]})"
            )
        key = (size, capture, opaque)
        prog = self._programs.get(key)
        if prog is None:
            src = load_shader("skinned.vert").replace("#define MAX_JOINTS 64", f"#define MAX_JOINTS {size}")
            if capture:
                src = src.replace("#version 330\n", "#version 330\n#define CAPTURE 1\n", 1)
            frag = load_shader("capture.frag" if capture else "skinned.frag")
            if opaque:
                frag = frag.replace("if (a < 0.004) discard;", "")
            try:
                prog = self.gpu.ctx.program(vertex_shader=src, fragment_shader=frag)
            except Exception as exc:
                raise RenderError(f"skinned shader ({size} joints) failed to compile: {exc}") from exc
            self._programs[key] = prog
        return prog

    def _program(self, node: SkinnedMesh, opaque: bool, frame: FrameState, layer: LayerState) -> Any:
        prog = self.program(node.max_joints, opaque=opaque)
        key = (id(frame), id(layer))
        if self._prepared.get(id(prog)) != key:
            prog["u_use_mask"].value = frame.use_mask
            prog["u_viewport"].value = tuple(float(v) for v in frame.viewport)
            prog["u_tex"].value = 0
            prog["u_mask"].value = 1
            prog["u_light_dir"].value = LIGHT_DIR
            prog["u_mirror"].value = layer.flip
            prog["u_proj"].write(layer.proj_bytes)
            self._prepared[id(prog)] = key
        return prog

    def draw_nodes(self, nodes: Sequence[Drawable], frame: FrameState, layer: LayerState) -> None:
        for node in nodes:
            assert isinstance(node, SkinnedMesh)
            self.draw_node(node, frame, layer)

    def draw_node(self, node: SkinnedMesh, frame: FrameState, layer: LayerState) -> None:
        c = node.color
        alpha = c[3] * node.world_opacity
        occlusion = frame.occlusion_code(node, layer.name)
        opaque = occlusion == 0 and alpha >= 1.0 and all(p.color[3] >= 1.0 for p in node.parts)
        prog = self._program(node, opaque, frame, layer)
        model = np.asarray(node.world_matrix, np.float64)
        prog["u_model"].write(mat_bytes(model))
        prog["u_lit"].value = bool(node.lit)
        prog["u_occlusion"].value = float(occlusion)
        prog["u_body_depth"].value = (frame.body_depth(node), frame.body_margin)
        ctx, mgl = self.gpu.ctx, self.gpu.mgl
        # glTF's front faces wind counter-clockwise seen from the front; the view turns
        # that clockwise when it mirrors, and so does a model matrix with a reflection
        ctx.front_face = "ccw" if (np.linalg.det(model[:3, :3]) > 0) != layer.flip else "cw"
        if opaque and self.no_blend_when_opaque:
            ctx.disable(mgl.BLEND)  # nothing to blend: skip the read-modify-write per pixel
        skin = -1
        try:
            for part in node.parts:
                if part.skin != skin:
                    skin = part.skin
                    _write_joints(prog, node.joint_matrices[skin])
                pc = part.color
                prog["u_color"].value = (c[0] * pc[0], c[1] * pc[1], c[2] * pc[2], alpha * pc[3])
                prog["u_use_texture"].value = part.texture is not None
                (self.gpu.texture(part.texture) if part.texture is not None else self.gpu.white).use(
                    location=0
                )
                if part.double_sided:
                    ctx.disable(mgl.CULL_FACE)
                else:
                    ctx.enable(mgl.CULL_FACE)
                vao, count = self._vao(part, prog)
                vao.render(mgl.TRIANGLES, vertices=count)
                frame.stats["draw_calls"] += 1
        finally:
            ctx.disable(mgl.CULL_FACE)
            ctx.enable(mgl.BLEND)
            ctx.front_face = "ccw"
        frame.stats["meshes"] += 1

    def _vao(self, part: SkinPart, prog: Any) -> tuple[Any, int]:
        cache = self.gpu.cache.meshes
        entry = cache.get(part)
        if entry is None:
            ctx = self.gpu.ctx
            entry = {
                "vbo": ctx.buffer(part.vertices.tobytes()),
                "ibo": ctx.buffer(part.indices.tobytes()),
                "vaos": {},
            }
            cache.put(part, entry)
        vao = entry["vaos"].get(id(prog))
        if vao is None:
            vao = entry["vaos"][id(prog)] = self.gpu.ctx.vertex_array(
                prog, [(entry["vbo"], *_FORMAT)], entry["ibo"]
            )
        return vao, part.indices.size

    def release(self) -> None:
        for p in self._programs.values():
            p.release()
        self._programs.clear()

    def capture_positions(self, node: SkinnedMesh, model: np.ndarray | None = None) -> list[np.ndarray]:
        """The vertex positions this pass's shader computes, read back: per part, (V, 3).

        Runs the same vertex shader in capture mode, writing each vertex's position into
        one texel of a float texture (transform feedback returns zeros under EGL on
        llvmpipe). ``model`` defaults to the identity (model space). Tests compare this
        with :func:`arpose.rig.gltf.skin_vertices`.
        """
        ctx, mgl = self.gpu.ctx, self.gpu.mgl
        prog = self.program(node.max_joints, capture=True)
        prog["u_model"].write(mat_bytes(np.eye(4) if model is None else model))
        out = []
        for part in node.parts:
            n = len(part.vertices)
            w = min(n, 1024)
            h = (n + w - 1) // w
            tex = ctx.texture((w, h), 4, dtype="f4")
            fbo = ctx.framebuffer(color_attachments=[tex])
            vbo = ctx.buffer(part.vertices.tobytes())
            vao = ctx.vertex_array(prog, [(vbo, *_FORMAT)], skip_errors=True)
            try:
                fbo.use()
                fbo.clear(0.0, 0.0, 0.0, 0.0)
                ctx.disable(mgl.DEPTH_TEST | mgl.BLEND)
                prog["u_capture_size"].value = (float(w), float(h))
                _write_joints(prog, node.joint_matrices[part.skin])
                vao.render(mgl.POINTS, vertices=n)
                data = np.frombuffer(fbo.read(components=4, dtype="f4"), np.float32).reshape(h, w, 4)
                out.append(data.reshape(-1, 4)[:n, :3].copy())
            finally:
                for obj in (vao, vbo, fbo, tex):
                    obj.release()
        return out


def _write_joints(prog: Any, m: np.ndarray) -> None:
    """Write (J, 4, 4) row-major matrices into ``u_joints`` (column-major, padded to the
    array's declared length, which moderngl requires)."""
    u = prog["u_joints"]
    buf = np.zeros((u.array_length, 4, 4), np.float32)
    buf[: len(m)] = np.asarray(m, np.float32).transpose(0, 2, 1)
    u.write(buf.tobytes())
