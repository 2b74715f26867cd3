"""GPU resources: one upload per data object, released when the data object dies."""

from __future__ import annotations

import gc

from arpose.render.resources import GpuResources


class _Data:
    """A stand-in key: any object the cache can hold a weak reference to."""


def released(obj) -> bool:
    """moderngl swaps a released object's handle for an InvalidObject."""
    return type(obj.mglo).__name__ == "InvalidObject"


def test_a_dead_key_releases_its_gl_object_on_purge(offscreen):
    ctx = offscreen.ctx
    res = GpuResources()
    alive, dying = _Data(), _Data()
    kept, freed = ctx.texture((4, 4), 4), ctx.texture((4, 4), 4)
    res.textures.put(alive, (kept, 1))
    res.textures.put(dying, (freed, 1))
    assert res.textures.get(alive)[0] is kept
    del dying
    gc.collect()
    res.purge()
    assert len(res.textures.items) == 1
    assert released(freed) and not released(kept)
    res.clear()
    assert res.textures.items == {} and released(kept)


def test_put_releases_what_it_replaces_and_replace_keeps_it(offscreen):
    ctx = offscreen.ctx
    res = GpuResources()
    key = _Data()
    first, second = ctx.buffer(reserve=16), ctx.buffer(reserve=16)
    res.meshes.put(key, {"vbo": first})
    res.meshes.replace(key, {"vbo": first})  # reused in place: not released
    assert not released(first)
    res.meshes.put(key, {"vbo": second})  # a new object: the old one is released
    assert released(first) and not released(second)
    res.clear()
