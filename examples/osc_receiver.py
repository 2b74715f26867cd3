"""Receive arpose's OSC stream: print the left wrist of every person, every frame.

    arpose serve --source 0 --osc 127.0.0.1:9000      # in one terminal
    python examples/osc_receiver.py                   # in another

Addresses (see README, "Record, replay, export, stream"):
    /arpose/frame  frame t width height people
    /arpose/pose   frame t id  x0 y0 z0 v0  x1 y1 z1 v1 ...  (33 landmarks, x/y in 0..1)
"""

from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_server import BlockingOSCUDPServer

LEFT_WRIST = 15  # arpose.joints.Landmark.LEFT_WRIST
size = [1, 1]


def on_frame(_address, frame, t, width, height, people):
    size[:] = [width, height]


def on_pose(_address, frame, t, person, *values):
    x, y, z, visibility = values[4 * LEFT_WRIST : 4 * LEFT_WRIST + 4]
    print(
        f"t={t:7.3f}s person {person}: left wrist at "
        f"({x * size[0]:.0f}, {y * size[1]:.0f}) px, visibility {visibility:.2f}"
    )


dispatcher = Dispatcher()
dispatcher.map("/arpose/frame", on_frame)
dispatcher.map("/arpose/pose", on_pose)
BlockingOSCUDPServer(("127.0.0.1", 9000), dispatcher).serve_forever()
