// The .NET client sample of README.md ("SignalR hubs"), as a program: from the first `using` on,
// this file is the README's text (a test checks it), so what the README shows compiles.
// Run it against a server: dotnet run --project docs/samples/Brax.Viewer.Samples -- http://127.0.0.1:8000

using Brax.Viewer.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;   // AddMessagePackProtocol

var server = args.Length > 0 ? args[0] : "http://127.0.0.1:8000";

var viewer = new HubConnectionBuilder()
    .WithUrl(server + FrameHubContract.Path)
    .AddMessagePackProtocol()                      // or leave it out for JSON
    .Build();
var firstFrame = new TaskCompletionSource<Frame>();
viewer.On<Frame>(FrameHubContract.ReceiveFrame, frame => firstFrame.TrySetResult(frame));
await viewer.StartAsync();

var streamer = new HubConnectionBuilder()
    .WithUrl($"{server}{FrameHubContract.Path}?{FrameHubContract.StreamerQuery}=true")
    .Build();
await streamer.StartAsync();
await streamer.InvokeAsync(FrameHubContract.SendFrame,
    Frame.FromPose(positions: [[0, 0, 0.5]], rotations: [[1, 0, 0, 0]]));

Console.WriteLine(await firstFrame.Task);          // {"x":{"pos":[[0,0,0.5]],"rot":[[1,0,0,0]]}}
