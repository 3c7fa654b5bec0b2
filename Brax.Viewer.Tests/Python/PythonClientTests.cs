using System.Diagnostics;
using System.Text.Json.Nodes;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Tests.Python;

/// <summary>The documented Python examples, run with Python's websockets library against the server.</summary>
public sealed class PythonClientTests : IAsyncLifetime
{
    // Debian's interpreter: the one python3-websockets installs into.
    private const string Python = "/usr/bin/python3";
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_documented_Python_streamer_reaches_raw_and_SignalR_viewers()
    {
        await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var signalR = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.MessagePack);
        await _server.ViewersJoinedAsync(2);

        using var streamer = StartPython("streamer_example.py", "send_frames", _server.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            // Exactly what Python's json.dumps writes for the example's frame_data.
            const string expected = """{"x": {"pos": [[0, 0, 0], [1, 1, 1]], "rot": [[1, 0, 0, 0], [0, 1, 0, 0]]}}""";
            for (var i = 0; i < 5; i++)
            {
                (await raw.ReceiveAsync(TimeSpan.FromSeconds(20))).Should().Be(expected);
                JsonNode.DeepEquals(JsonNode.Parse((await signalR.NextFrameAsync(TimeSpan.FromSeconds(20))).ToString()), JsonNode.Parse(expected)).Should().BeTrue();
            }
        }
        finally
        {
            streamer.Kill();
        }
    }

    [Fact]
    public async Task The_documented_Python_control_client_toggles_every_client_and_hears_the_state()
    {
        await using var signalR = await SignalRClient.ConnectAsync(_server, "hubs/control", HubProtocolKind.Json);
        (await signalR.NextRenderStateAsync()).Should().BeTrue();

        using var control = StartPython("control_example.py", "control_client", _server.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            (await signalR.NextRenderStateAsync(TimeSpan.FromSeconds(20))).Should().BeFalse("the Python client's toggle reaches SignalR clients");
            (await ReadLineAsync(control)).Should().Be("Rendering enabled: True", "the server sends the current state on connect");
            (await ReadLineAsync(control)).Should().Be("Rendering enabled: False", "the sender hears its own toggle");

            await signalR.Connection.InvokeAsync(ControlHubContract.ToggleRender, true);
            (await ReadLineAsync(control)).Should().Be("Rendering enabled: True", "toggles from SignalR clients reach the Python client");
        }
        finally
        {
            control.Kill();
        }
    }

    [Fact]
    public async Task A_Python_viewer_gets_frames_from_a_SignalR_streamer_as_JSON()
    {
        using var viewer = StartScript("viewer.py", _server.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "3");
        try
        {
            (await ReadLineAsync(viewer)).Should().Be("connected");
            await _server.ViewersJoinedAsync(1);
            await using var streamer = await SignalRClient.ConnectAsync(_server, "hubs/frame?is_streamer=true", HubProtocolKind.MessagePack);

            var frames = BraxFixtures.Frames("cartpole").Take(3).ToList();
            foreach (var frame in frames)
            {
                await streamer.Connection.InvokeAsync(FrameHubContract.SendFrame, Frame.Parse(frame));
            }

            foreach (var frame in frames)
            {
                JsonNode.DeepEquals(JsonNode.Parse(await ReadLineAsync(viewer)), JsonNode.Parse(frame)).Should().BeTrue();
            }
        }
        finally
        {
            viewer.Kill();
        }
    }

    private static Process StartPython(string example, string coroutine, string port) =>
        StartScript("run_example.py", Path.Combine(ScriptDirectory, example), coroutine, port);

    private static string ScriptDirectory => Path.Combine(BraxFixtures.RepositoryRoot, "Brax.Viewer.Tests", "Python");

    private static Process StartScript(string script, params string[] arguments)
    {
        File.Exists(Python).Should().BeTrue("the test command installs Debian's python3 with python3-websockets");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(Path.Combine(ScriptDirectory, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static async Task<string> ReadLineAsync(Process process)
    {
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return line ?? throw new InvalidOperationException("the Python client ended: " + await process.StandardError.ReadToEndAsync());
    }
}
