"""The playground's server through Starlette's test client: protocol, refusals, files."""

import json
import warnings

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 for its test client
    warnings.filterwarnings("ignore", message="Using `httpx`")
    from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

import glassnet as gn
from glassnet.playground.app import create_app
from glassnet.playground.frames import decode, grid_points
from glassnet.playground.schema import MAX_MESSAGE_BYTES

ORIGIN = {"origin": "http://testserver"}
SMALL = {"type": "setup", "points": 60, "hidden": [4], "activations": ["tanh"], "batch_size": 10}


@pytest.fixture
def client():
    with TestClient(create_app(hosts=("testserver",), max_sessions=2)) as client:
        yield client


def receive_until(ws, kind):
    """The next message of type ``kind`` (JSON text, or a binary frame's header and arrays)."""
    for _ in range(50):
        message = ws.receive()
        if message.get("text") is not None:
            data = json.loads(message["text"])
            if data["type"] == kind:
                return data, None
        else:
            header, arrays = decode(message["bytes"])
            if header["type"] == kind:
                return header, arrays
    raise AssertionError(f"no {kind} message")


def start(ws, **setup):
    hello, _ = receive_until(ws, "hello")
    ws.send_text(json.dumps({**SMALL, **setup}))
    receive_until(ws, "points")
    receive_until(ws, "frame")
    ws.send_text('{"type": "ack"}')
    return hello["session"]


def test_the_page_and_its_module_are_served_with_a_content_security_policy(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_a_step_trains_and_the_frame_holds_the_heatmap_weights_and_gradients(client):
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        start(ws)
        ws.send_text('{"type": "step"}')
        header, arrays = receive_until(ws, "frame")
        assert header["step"] == 1
        assert arrays["heatmap"].shape == (64, 64, 1)
        assert ((arrays["heatmap"] > 0) & (arrays["heatmap"] < 1)).all()  # sigmoid output
        assert arrays["W1"].shape == arrays["dW1"].shape == (2, 4)
        assert np.abs(arrays["dW1"]).sum() > 0
        assert arrays["units1"].shape == (4, 16, 16)
        assert 0 <= header["train_metric"] <= 1 and header["train_loss"] > 0


def test_malformed_unknown_and_oversized_messages_get_error_frames_and_the_session_lives_on(
    client,
):
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        start(ws)
        ws.send_text("{not json")
        assert "malformed JSON" in receive_until(ws, "error")[0]["message"]
        ws.send_text('{"type": "format_disk"}')
        assert "unknown message type 'format_disk'" in receive_until(ws, "error")[0]["message"]
        ws.send_text(json.dumps({"type": "play", "x": "a" * (MAX_MESSAGE_BYTES + 1)}))
        assert "too large" in receive_until(ws, "error")[0]["message"]
        ws.send_bytes(b"\x00\x01")
        assert "binary" in receive_until(ws, "error")[0]["message"]
        ws.send_text(json.dumps({**SMALL, "learning_rate": "fast"}))
        assert "learning_rate" in receive_until(ws, "error")[0]["message"]
        ws.send_text(json.dumps({**SMALL, "hidden": [4] * 7, "activations": ["relu"] * 7}))
        assert "hidden" in receive_until(ws, "error")[0]["message"]
        ws.send_text('{"type": "step"}')  # still alive: the step trains
        assert receive_until(ws, "frame")[0]["step"] == 1


def test_a_wrong_origin_is_refused_for_the_websocket_and_the_upload(client):
    for headers in ({"origin": "http://evil.example"}, {}):
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect("/ws", headers=headers) as ws,
        ):
            ws.receive()
        assert refused.value.code == 1008
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        session = start(ws)
        bad = client.post(
            f"/upload?session={session}",
            content=b"a,b,c\n1,2,0\n",
            headers={"origin": "http://evil.example"},
        )
        assert bad.status_code == 403


def test_the_session_cap_refuses_the_next_tab_with_a_message(client):
    with (
        client.websocket_connect("/ws", headers=ORIGIN) as one,
        client.websocket_connect("/ws", headers=ORIGIN) as two,
    ):
        receive_until(one, "hello")
        receive_until(two, "hello")  # both sessions are open
        with client.websocket_connect("/ws", headers=ORIGIN) as third:
            refusal = json.loads(third.receive_text())
            assert refusal["type"] == "error" and "2 tabs at once" in refusal["message"]
            with pytest.raises(WebSocketDisconnect) as closed:
                third.receive_text()
            assert closed.value.code == 1013


def test_an_oversized_upload_and_a_bad_csv_are_refused_with_the_readers_error(client):
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        session = start(ws)
        url = f"/upload?session={session}"
        big = client.post(url, content=b"a,b,c\n" + b"1,2,3\n" * (2 * 2**20), headers=ORIGIN)
        assert big.status_code == 413 and "10 MB" in big.json()["error"]
        bad = client.post(url, content=b"a,b,c\n1,2,3\n4,5,6,7\n", headers=ORIGIN)
        assert bad.status_code == 400
        assert "line 3" in bad.json()["error"] and "the upload" in bad.json()["error"]
        assert client.post(url, content=b"", headers=ORIGIN).status_code == 400


def test_an_uploaded_csv_trains_on_the_chosen_columns(client):
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(80, 3))
    text = "height,width,noise,kind\n" + "".join(
        f"{a},{b},{c},{'big' if a + b > 0 else 'small'}\n" for a, b, c in rows
    )
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        session = start(ws)
        summary = client.post(f"/upload?session={session}", content=text.encode(), headers=ORIGIN)
        assert summary.json() == {"columns": ["height", "width", "noise", "kind"], "rows": 80}
        ws.send_text(
            json.dumps(
                {
                    **SMALL,
                    "data": "csv",
                    "csv_x1": "height",
                    "csv_x2": "width",
                    "csv_target": "kind",
                }
            )
        )
        points, arrays = receive_until(ws, "points")
        assert points["classes"] == ["big", "small"] and points["names"] == [
            "height",
            "width",
            "kind",
        ]
        assert arrays["points"].shape == (80, 2)
        assert abs(float(arrays["points"][:, 0].mean())) < 1e-5  # standardised


def test_two_sessions_do_not_share_state(client):
    with (
        client.websocket_connect("/ws", headers=ORIGIN) as one,
        client.websocket_connect("/ws", headers=ORIGIN) as two,
    ):
        start(one)
        start(two, hidden=[3, 2], activations=["relu", "tanh"])
        one.send_text('{"type": "step"}')
        header, arrays = receive_until(one, "frame")
        assert header["step"] == 1 and arrays["W1"].shape == (2, 4)
        two.send_text('{"type": "inspect", "layer": 1, "unit": 0, "source": -1}')
        assert "take a step first" in receive_until(two, "error")[0]["message"]


def test_the_glass_box_of_a_weight_shows_w_dw_and_the_update(client):
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        start(ws, optimizer="gd", learning_rate=0.5)
        ws.send_text('{"type": "step"}')
        _, arrays = receive_until(ws, "frame")
        ws.send_text('{"type": "inspect", "layer": 2, "unit": 0, "source": 1}')
        view, _ = receive_until(ws, "glassbox")
        _, dW, update, after = (value["value"] for value in view["values"])
        assert update == pytest.approx(-0.5 * dW)  # W := W - lr dW
        assert after == pytest.approx(float(arrays["W2"][1, 0]), abs=1e-6)
        assert view["values"][1]["formula"] == "dW2 = A1^T dZ2 / m  (+ l2 W2)"
        ws.send_text('{"type": "inspect", "layer": 1, "unit": 2, "source": -1}')
        unit, _ = receive_until(ws, "glassbox")
        assert [v["formula"] for v in unit["values"]][1] == "A1 = tanh(Z1)"
        ws.send_text('{"type": "inspect", "layer": 9, "unit": 0, "source": -1}')
        assert "layer must be 1 to 2" in receive_until(ws, "error")[0]["message"]


def test_a_diverging_learning_rate_pauses_with_a_message(client):
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        start(
            ws, data="plane", learning_rate=100.0, optimizer="gd", hidden=[8], activations=["relu"]
        )
        ws.send_text('{"type": "epoch"}')
        for _ in range(20):
            ws.send_text('{"type": "epoch"}')
        diverged, _ = receive_until(ws, "diverged")
        assert "smaller learning rate" in diverged["hint"]


def test_the_model_file_loads_and_predicts_as_the_frame_did(client, tmp_path):
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        hello, _ = receive_until(ws, "hello")
        session = hello["session"]
        ws.send_text(json.dumps({**SMALL, "features": ["x1", "x2", "x1*x2"]}))
        points, _ = receive_until(ws, "points")
        for _ in range(3):
            ws.send_text('{"type": "epoch"}')
        header = {"epoch": -1}
        for _ in range(5):  # the mailbox keeps the latest frame: fewer frames than epochs, on load
            header, arrays = receive_until(ws, "frame")
            ws.send_text('{"type": "ack"}')
            if header["epoch"] == 3:
                break
        assert header["epoch"] == 3
        download = client.get(f"/model.npz?session={session}")
        assert download.status_code == 200
        path = tmp_path / "model.npz"
        path.write_bytes(download.content)
        model = gn.load(path)
        assert model.feature_names == ["x1", "x2", "x1*x2"]
        P = grid_points(tuple(points["domain"]))
        X = np.column_stack([P, P[:, 0] * P[:, 1]])
        page = arrays["heatmap"].ravel()
        np.testing.assert_allclose(model.predict_proba(X)[:, 1], page, rtol=1e-5, atol=1e-6)
        assert set(model.predict(X)) <= {0, 1}
        exported = client.get(f"/export?session={session}").json()
        assert "--features 'x1,x2,x1*x2'" in exported["command"]
        assert "gn.Network([3, 4, 1]" in exported["python"]
        data = client.get(f"/data.csv?session={session}").text
        assert data.splitlines()[0] == "x1,x2,x1*x2,label,part"
        assert len(data.splitlines()) == 61


def test_import_glassnet_loads_neither_starlette_nor_uvicorn():
    import subprocess
    import sys

    code = (
        "import sys, glassnet; "
        "print(any(m.split('.')[0] in ('starlette', 'uvicorn') for m in sys.modules))"
    )
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
        == "False"
    )


def test_grid_points_cover_the_view_from_the_top_row_down():
    grid = grid_points((0.0, 4.0, 0.0, 2.0), side=2)
    assert grid.tolist() == [[1.0, 1.5], [3.0, 1.5], [1.0, 0.5], [3.0, 0.5]]


def test_the_command_warns_off_loopback_and_names_its_options():
    from click.testing import CliRunner

    from glassnet.cli import cli
    from glassnet.playground.server import exposed_warning, missing_extra

    result = CliRunner().invoke(cli, ["playground", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--host", "--no-browser", "--data"):
        assert option in result.output
    assert exposed_warning("127.0.0.1") is None
    assert "anyone who can reach this machine" in exposed_warning("0.0.0.0")
    assert missing_extra() is None


def test_squared_error_on_a_sigmoid_trains_with_its_own_gradient_and_says_so(client, tmp_path):
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        session = start(ws, output="sigmoid_squared_error", optimizer="gd", learning_rate=0.5)
        ws.send_text('{"type": "step"}')
        receive_until(ws, "frame")
        ws.send_text('{"type": "inspect", "layer": 2, "unit": 0, "source": -1}')
        unit, _ = receive_until(ws, "glassbox")
        dZ = unit["values"][-1]
        assert dZ["formula"] == "dZ2 = (A2 - Y) * A2 * (1 - A2)"
        assert "not fused" in dZ["note"]
        assert all(abs(d) <= 0.25 * 1.0001 for d in dZ["rows"])  # |(A - Y) A (1 - A)| <= 1/4
        path = tmp_path / "model.npz"
        path.write_bytes(client.get(f"/model.npz?session={session}").content)
        assert gn.load(path).network.loss.name == "squared_error"
        assert "loss='squared_error'" in client.get(f"/export?session={session}").json()["python"]
        ws.send_text(
            json.dumps({**SMALL, "data": "spiral", "classes": 3, "output": "sigmoid_squared_error"})
        )
        assert "is for two classes" in receive_until(ws, "error")[0]["message"]
