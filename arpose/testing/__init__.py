"""Synthetic people and hands, for tests, benchmarks and headless demos.

* :mod:`.bodies` - synthetic bodies and motions (squats, arm raises, swipes...) as PoseFrames
* :mod:`.hands`  - synthetic hands in the hand shapes of :mod:`arpose.input.handshapes`
"""
