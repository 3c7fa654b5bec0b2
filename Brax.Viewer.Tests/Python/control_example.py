import websockets
import json

async def control_client():
    uri = "ws://127.0.0.1:8000/ws/control"
    async with websockets.connect(uri) as websocket:
        # Send toggle command
        await websocket.send(json.dumps({
            "type": "toggle_render",
            "enabled": False
        }))
        
        # Listen for state updates
        async for message in websocket:
            data = json.loads(message)
            if data["type"] == "set_render_state":
                print(f"Rendering enabled: {data['enabled']}")
