"""Receive arpose's WebSocket stream: one JSON object per frame.

    arpose serve --source 0 --websocket 8765          # in one terminal
    python examples/websocket_receiver.py             # in another

Each message is the JSON contract: {"frame", "t", "width", "height", "people": [{"id",
"landmarks": 33 x [x_px, y_px, z, visibility], "world": 33 x [x, y, z] metres}]}.
"""

import json

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

LEFT_WRIST = 15  # arpose.joints.Landmark.LEFT_WRIST

try:
    with connect("ws://127.0.0.1:8765", proxy=None) as ws:
        for message in ws:
            frame = json.loads(message)
            for person in frame["people"]:
                x, y, _z, vis = person["landmarks"][LEFT_WRIST]
                print(
                    f"t={frame['t']:7.3f}s person {person['id']}: left wrist at "
                    f"({x:.0f}, {y:.0f}) px, visibility {vis:.2f}"
                )
except (ConnectionClosed, OSError) as exc:
    print(f"stream ended: {exc}")
