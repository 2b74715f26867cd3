"""The decoded-mesh cache: a mesh file is decoded by trimesh once, later starts read the
same arrays back without importing trimesh; edits, damage and unwritable folders never
give a wrong mesh."""

from __future__ import annotations

import numpy as np

from arpose.effects import mesh_cache
from arpose.effects.assets import load_mesh_asset, load_trimesh
from arpose.scene.mesh import MeshData

FIELDS = ("positions", "indices", "normals", "uvs", "colors")


def assert_same_mesh(a: MeshData, b: MeshData) -> None:
    for field in FIELDS:
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None) == (y is None), field
        if x is not None:
            assert x.dtype == y.dtype and np.array_equal(x, y), field
    assert (a.texture is None) == (b.texture is None)
    if a.texture is not None:
        assert np.array_equal(a.texture.array, b.texture.array)


def test_first_load_decodes_and_stores_later_loads_read_the_same_arrays(cache, hat):
    decoded = MeshData.from_trimesh(load_trimesh(hat), str(hat))
    first = load_mesh_asset(hat)
    entries = list((cache / "meshes").glob("*.npz"))
    assert len(entries) == 1
    second = load_mesh_asset(hat)
    assert_same_mesh(first, decoded)
    assert_same_mesh(second, decoded)
    assert second.name == str(hat) and second is not first


def test_an_edited_file_is_decoded_again(cache, hat, tmp_path):
    import trimesh

    path = tmp_path / "thing.glb"
    path.write_bytes(hat.read_bytes())
    assert len(load_mesh_asset(path).indices) == len(load_mesh_asset(hat).indices)
    trimesh.creation.box().export(path)  # same name, new content
    assert len(load_mesh_asset(path).indices) == 12
    assert len(list((cache / "meshes").glob("*.npz"))) == 2


def test_a_damaged_entry_is_decoded_again_and_repaired(cache, hat, caplog):
    good = load_mesh_asset(hat)
    (entry,) = (cache / "meshes").glob("*.npz")
    entry.write_bytes(b"PK\x03\x04 not really a zip")
    again = load_mesh_asset(hat)
    assert_same_mesh(again, good)
    assert "unreadable" in caplog.text
    assert_same_mesh(mesh_cache.load(entry.stem, "x"), good)


def test_entries_are_data_only(cache, hat):
    load_mesh_asset(hat)
    (entry,) = (cache / "meshes").glob("*.npz")
    np.savez(entry, positions=np.array([object()], dtype=object))
    assert mesh_cache.load(entry.stem, "x") is None  # pickles are never loaded


def test_an_unwritable_cache_still_loads(tmp_path, monkeypatch, hat):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("ARPOSE_CACHE_DIR", str(blocker))
    mesh = load_mesh_asset(hat)
    assert len(mesh.indices) > 0
