"""The sequence layers in files: pn.save/pn.load round-trip them bit for bit; the formats that
do not know them (npz, ONNX, standalone Python) refuse them by name."""

import pytest
from sequence_cases import X, Y, every_layer_net, perturb_gains

import purenn as pn


def test_save_and_load_round_trip_bit_exactly(tmp_path):
    net = every_layer_net(seed=3)
    perturb_gains(net)
    path = tmp_path / "gpt.json"
    pn.save(net, path)
    back = pn.load(path)
    assert back.state_dict() == net.state_dict()
    assert back.predict(X) == net.predict(X)
    assert back.gradients(X, Y) == net.gradients(X, Y)
    assert repr(back) == repr(net)


def test_the_microgpt_architecture_round_trips(tmp_path):
    net = pn.models.gpt(7, block_size=5, n_embd=8, n_head=2, n_layer=2, seed=1)
    pn.save(net, tmp_path / "m.json")
    assert pn.load(tmp_path / "m.json").state_dict() == net.state_dict()


def test_a_corrupt_inner_layer_is_refused(tmp_path):
    net = every_layer_net()
    path = tmp_path / "gpt.json"
    pn.save(net, path)
    text = path.read_text().replace('"n_head": 2', '"n_head": 3')
    path.write_text(text)
    with pytest.raises(pn.ModelFormatError, match="n_head 3 must divide dim 4"):
        pn.load(path)


@pytest.mark.parametrize("export, name", [
    (lambda net, path: pn.export_npz(net, path / "m.npz"), "export_npz"),
    (lambda net, path: pn.export_onnx(net, path / "m.onnx"), "export_onnx"),
    (lambda net, path: pn.export_python(net, path / "m.py"), "export_python"),
])
def test_formats_without_the_layers_refuse_them_by_name(tmp_path, export, name):
    refused = (f"{name}: layers\\[0\\] is an Embedding, a layer {name} does not take; the "
               "formats that take an Embedding: save")
    with pytest.raises(pn.ModelFormatError, match=refused):
        export(every_layer_net(), tmp_path)
    assert not list(tmp_path.iterdir())  # nothing half-written
