import websockets
import json

async def send_frames():
    uri = "ws://127.0.0.1:8000/ws/frame?is_streamer=true"
    async with websockets.connect(uri) as websocket:
        while True:
            frame_data = {
                "x": {
                    "pos": [[0, 0, 0], [1, 1, 1]],
                    "rot": [[1, 0, 0, 0], [0, 1, 0, 0]]
                }
            }
            await websocket.send(json.dumps(frame_data))
            await asyncio.sleep(0.016)  # ~60 FPS
