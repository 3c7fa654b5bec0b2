// The .NET usage of README.md ("Clients"), as a program: a streamer sends a pose every 50 ms while
// rendering is on, a viewer made through dependency injection prints the first frame it gets.
// Usage: dotnet run -- [SERVER_URL] [RUN]     (default http://127.0.0.1:8000, run "sample")

using Brax.Viewer.Client;
using Microsoft.Extensions.DependencyInjection;

var serverUrl = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:8000");
var run = args.Length > 1 ? args[1] : "sample";
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));

// A viewer, from dependency injection.
var services = new ServiceCollection();
services.AddBraxViewerClient(options =>
{
    options.ServerUrl = serverUrl;
    options.Run = run;
    options.AccessKey = Environment.GetEnvironmentVariable("BRAX_VIEWER_KEY");
});
await using var provider = services.BuildServiceProvider();
var viewer = provider.GetRequiredService<BraxViewerClient>();
await viewer.StartAsync(stop.Token);

// A streamer: a training loop that sends while rendering is on.
await using var streamer = new BraxViewerClient(new BraxViewerClientOptions
{
    ServerUrl = serverUrl,
    Run = run,
    Role = BraxViewerRole.Streamer,
    Protocol = BraxViewerProtocol.MessagePack,
    AccessKey = Environment.GetEnvironmentVariable("BRAX_VIEWER_KEY"),
});
await streamer.StartAsync(stop.Token);
var training = Task.Run(async () =>
{
    for (var step = 0; !stop.IsCancellationRequested; step++)
    {
        if (streamer.RenderingEnabled != false)
        {
            await streamer.SendFrameAsync(Frame.FromPose(positions: [[0.01 * step, 0, 0.5]], rotations: [[1, 0, 0, 0]]));
        }

        await Task.Delay(50);
    }
});

await foreach (var frame in viewer.ReadFramesAsync(stop.Token))
{
    Console.WriteLine(frame);                      // {"x":{"pos":[[0,0,0.5]],"rot":[[1,0,0,0]]}}
    break;
}

await stop.CancelAsync();
await training;
