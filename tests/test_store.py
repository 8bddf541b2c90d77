import json

import numpy as np
import pytest

from rnnclf.classifier import load_run
from rnnclf.store import RunError, RunStore


@pytest.fixture()
def store(tmp_path):
    return RunStore(tmp_path / "runs")


def test_save_load_gives_identical_predictions(store, trained_gru, marker_data):
    _, (test_texts, _) = marker_data
    path = store.save(trained_gru, "gru-run", metrics={"accuracy": 1.0}, dataset={"name": "marker", "fingerprint": "abc"})
    assert sorted(p.name for p in path.iterdir()) == ["encoder.json", "meta.json", "model.keras", "seen-texts.npy"]
    loaded = load_run("gru-run", root=store.root)
    np.testing.assert_allclose(loaded.predict_proba(test_texts), trained_gru.predict_proba(test_texts), atol=1e-6)
    assert loaded.classes_.tolist() == trained_gru.classes_.tolist()
    assert loaded.get_params() == trained_gru.get_params()
    assert loaded.encoder_.get_config() == trained_gru.encoder_.get_config()
    meta = json.loads((path / "meta.json").read_text())
    assert meta["dataset"]["fingerprint"] == "abc" and meta["history"] == trained_gru.history_
    assert {"tensorflow", "keras", "rnnclf", "python"} <= set(meta["versions"])
    # loading by path works too
    assert load_run(str(path)).classes_.tolist() == ["negative", "positive"]


def test_a_run_holds_only_json_and_a_keras_archive_without_pickles(store, trained_gru):
    import zipfile

    import numpy as np

    path = store.save(trained_gru, "plain")
    assert sorted(file.name for file in path.iterdir()) == ["encoder.json", "meta.json", "model.keras", "seen-texts.npy"]
    # The texts the model saw, as sorted unique 64-bit fingerprints: a plain array, loadable without pickle.
    seen = np.load(path / "seen-texts.npy", allow_pickle=False)
    assert seen.dtype == np.uint64 and np.all(np.diff(seen.astype(np.float64)) > 0) and len(seen) == 320
    for name in ("meta.json", "encoder.json"):
        assert isinstance(json.loads((path / name).read_text(encoding="utf-8")), dict)
    with zipfile.ZipFile(path / "model.keras") as archive:
        # The safe-mode format: JSON config and metadata plus HDF5 weights; no pickled layer or lambda.
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        json.loads(archive.read("config.json"))
        assert archive.read("model.weights.h5")[:8] == b"\x89HDF\r\n\x1a\n"
        assert b"Lambda" not in archive.read("config.json")


def test_crash_mid_save_leaves_nothing(store, trained_gru, monkeypatch):
    def explode():
        raise RuntimeError("disk full")

    monkeypatch.setattr(trained_gru.encoder_, "to_json", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        store.save(trained_gru, "half")
    assert not (store.root / "half").exists()
    assert list(store.root.iterdir()) == []


def test_overwrite_is_explicit(store, trained_gru):
    store.save(trained_gru, "same")
    with pytest.raises(RunError, match="already exists"):
        store.save(trained_gru, "same")
    store.save(trained_gru, "same", overwrite=True, metrics={"accuracy": 0.5})
    assert store.meta("same")["metrics"]["accuracy"] == 0.5
    assert [p.name for p in store.root.iterdir()] == ["same"]


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", ".hidden", "", "x" * 101])
def test_unsafe_run_names_are_refused(store, trained_gru, name):
    with pytest.raises(ValueError, match="Invalid run name"):
        store.save(trained_gru, name)


def test_list_and_delete(store, trained_gru):
    store.save(trained_gru, "one", metrics={"accuracy": 0.9})
    (store.root / "junk").mkdir()
    runs = {run["name"]: run for run in store.list()}
    assert runs["one"]["accuracy"] == 0.9 and runs["one"]["cell_type"] == "gru"
    assert "not an rnnclf run" in runs["junk"]["error"]
    store.delete("one")
    assert not store.exists("one")
    with pytest.raises(RunError, match="No run named 'one'"):
        store.delete("one")


def test_corrupt_model_file_gives_a_clear_error(store, trained_gru):
    path = store.save(trained_gru, "broken")
    (path / "model.keras").write_bytes(b"this is not a zip archive")
    with pytest.raises(RunError, match=r"broken/model.keras is damaged: it is not a .keras \(zip\) archive.*rnnclf runs delete broken"):
        load_run("broken", root=store.root)


def test_corrupt_meta_and_foreign_directories(store, trained_gru, tmp_path):
    path = store.save(trained_gru, "meta-broken")
    (path / "meta.json").write_text("{ not json")
    with pytest.raises(RunError, match="corrupt"):
        load_run("meta-broken", root=store.root)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "meta.json").write_text(json.dumps({"hello": "world"}))
    with pytest.raises(RunError, match="not an rnnclf run"):
        load_run(str(foreign))
    with pytest.raises(RunError, match="No run at"):
        load_run(str(tmp_path / "missing"))


def test_routing_between_bundled_models_by_language(trained_gru, tmp_path, monkeypatch):
    from rnnclf.data import paths
    from rnnclf.store import resolve_run, route_bundled_model

    monkeypatch.setattr(paths, "_BUNDLED_PLACES", (tmp_path,))
    trained_gru.save(tmp_path / "default-sentiment")
    assert resolve_run("default") == tmp_path / "default-sentiment"
    # No Chinese model installed: the English default keeps answering (and its warnings say why it is unreliable).
    assert route_bundled_model("default", "质量很好") == ("default", None)
    with pytest.raises(RunError, match="The bundled model 'default-zh' is not installed here"):
        resolve_run("default-zh")
    trained_gru.save(tmp_path / "default-sentiment-zh")
    assert route_bundled_model("default", "质量很好") == (
        "default-zh", "This text looks Chinese, so the bundled Chinese model ('default-zh') answered it instead of 'default'.")
    assert route_bundled_model("default-zh", "what a lovely cafe")[0] == "default"
    assert route_bundled_model("default", "😀") == ("default", None)
    assert route_bundled_model("my-run", "质量很好") == ("my-run", None)  # a user's own model is never swapped


def test_a_damaged_record_of_seen_texts_is_named_with_the_way_out(store, trained_gru):
    from rnnclf.classifier import load_run
    from rnnclf.errors import RunError

    path = store.save(trained_gru, "damaged-seen")
    (path / "seen-texts.npy").write_bytes(b"not an array")
    with pytest.raises(RunError, match=r"seen-texts\.npy cannot be read .*; delete that file to use the run without its record of seen texts\."):
        load_run(path)
    (path / "seen-texts.npy").unlink()
    restored = load_run(path)  # without the record the run still works, and says what it cannot tell
    assert restored.predict(["the zing movie"])[0] == "positive"
    with pytest.raises(RunError, match="does not record the texts it trained on"):
        restored.texts_seen(["the zing movie"])
