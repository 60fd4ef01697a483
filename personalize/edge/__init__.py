"""The ASGI edge and what only it uses: resolving visitors, filling slots, leads, beacons, the event writer."""
