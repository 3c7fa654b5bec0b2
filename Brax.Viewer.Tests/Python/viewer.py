"""A raw viewer written with the websockets library: prints each frame it receives, as received."""
import asyncio
import sys

import websockets


async def main(port, count):
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/frame") as websocket:
        print("connected", flush=True)
        for _ in range(count):
            print(await websocket.recv(), flush=True)


asyncio.run(main(sys.argv[1], int(sys.argv[2])))
