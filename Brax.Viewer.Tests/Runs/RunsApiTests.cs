using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;

namespace Brax.Viewer.Tests.Runs;

/// <summary><c>GET /api/runs</c> and <c>GET /api/runs/{run}</c> on one real server, with real raw and SignalR clients.</summary>
public sealed class RunsApiTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Raw_and_SignalR_viewers_and_streamers_are_counted_as_they_connect_and_disconnect()
    {
        const string run = "counted";
        await using var rawViewer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run={run}"));
        await using var hubViewer = await SignalRClient.ConnectAsync(_server, $"{FrameHubContract.Path}?run={run}", HubProtocolKind.Json);
        await using var rawStreamer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run={run}&is_streamer=true"));
        await _server.CountsBecomeAsync(run, viewers: 2, streamers: 1);

        await using (var hubStreamer = await SignalRClient.ConnectAsync(_server, $"{FrameHubContract.Path}?run={run}&is_streamer=true", HubProtocolKind.MessagePack))
        {
            await _server.CountsBecomeAsync(run, viewers: 2, streamers: 2);
            (await _server.FindRunAsync(run))!["streamers"]!.GetValue<int>().Should().Be(2, "one run alone is counted as the listing counts it");
        }

        await _server.CountsBecomeAsync(run, viewers: 2, streamers: 1);
        await rawViewer.DisposeAsync();
        await _server.CountsBecomeAsync(run, viewers: 1, streamers: 1);
        await hubViewer.DisposeAsync();
        await rawStreamer.DisposeAsync();

        // No client, no scene and no frame: nothing to list.
        await _server.GoneAsync(run);
    }

    [Fact]
    public async Task A_runs_history_and_a_replay_into_it_show_in_its_listing()
    {
        const string run = "kept";
        var sent = Enumerable.Range(0, 12).Select(number => TestFrames.Numbered(number)).ToList();
        await RecordingApiTests.StreamNumberedAsync(_server, run, sent.Count, first: 0);
        var listed = (await _server.ListedAsync(run))!;
        listed["history"]!["frames"]!.GetValue<int>().Should().Be(sent.Count);
        listed["history"]!["bytes"]!.GetValue<long>().Should().Be(sent.Sum(frame => (long)Encoding.UTF8.GetByteCount(frame)), "the history holds each frame's bytes once");
        listed["replaying"]!.GetValue<bool>().Should().BeFalse();

        // Two frames a minute apart: the replay runs until it is cancelled.
        var recording = ReplayApiTests.RecordingOf([0, 60_000], sent[..2]);
        using (var content = new StringContent(recording, Encoding.UTF8, "application/x-ndjson"))
        {
            (await _server.Client.PostAsync("api/runs/replayed-into/replay", content)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        (await _server.FindRunAsync("replayed-into"))!["replaying"]!.GetValue<bool>().Should().BeTrue("a replay runs into the run");
        (await _server.Client.DeleteAsync("api/runs/replayed-into/replay")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _server.FindRunAsync("replayed-into"))!["replaying"]!.GetValue<bool>().Should().BeFalse("the replay was cancelled; the run stays listed for its history");
    }

    [Fact]
    public async Task Frame_rate_mean_size_and_newest_frame_time_describe_the_stream()
    {
        const string run = "measured";
        const int Frames = 40;
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run={run}&is_streamer=true"));
        var sent = Enumerable.Range(0, Frames).Select(number => TestFrames.Numbered(number, padBytes: number % 2 == 0 ? 100 : 900)).ToList();
        var meanBytes = Math.Round(sent.Average(frame => (double)Encoding.UTF8.GetByteCount(frame)), MidpointRounding.AwayFromZero);

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var frame in sent)
        {
            await streamer.SendAsync(frame);
        }

        // Every frame was taken once the rate shows all of them; well inside the window, none has left it.
        var expectedRate = Frames / RunDirectory.StatisticsWindow.TotalSeconds;
        JsonObject? listed = null;
        await Eventually.HoldsAsync(async () => (listed = await _server.ListedAsync(run))?["frames_per_second"]!.GetValue<double>() == expectedRate, $"the run shows {expectedRate} frames per second");
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        listed!["bytes_per_frame"]!.GetValue<long>().Should().Be((long)meanBytes);
        listed["last_frame_ms"]!.GetValue<long>().Should().BeInRange(before, after);
        listed["streamers"]!.GetValue<int>().Should().Be(1);
        listed["viewers"]!.GetValue<int>().Should().Be(0);
        listed["has_scene"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task A_run_without_frames_has_zero_rate_and_no_newest_frame_time()
    {
        const string run = "quiet";
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run={run}"));
        await _server.CountsBecomeAsync(run, viewers: 1, streamers: 0);

        var listed = await _server.ListedAsync(run);

        JsonNode.DeepEquals(listed, JsonNode.Parse("""{"name":"quiet","viewers":1,"streamers":0,"frames_per_second":0,"bytes_per_frame":0,"has_scene":false,"last_frame_ms":null,"history":{"frames":0,"bytes":0},"replaying":false}""")).Should().BeTrue(listed!.ToJsonString());
    }

    [Fact]
    public async Task A_run_with_a_scene_is_listed_with_has_scene_until_the_scene_is_deleted()
    {
        using var put = await _server.Client.PutAsync("api/runs/scened/system", new ByteArrayContent(BraxFixtures.System("cartpole")) { Headers = { ContentType = new("application/json") } });
        put.StatusCode.Should().Be(HttpStatusCode.NoContent);

        var listed = await _server.ListedAsync("scened");
        listed.Should().NotBeNull();
        listed!["has_scene"]!.GetValue<bool>().Should().BeTrue();
        listed["viewers"]!.GetValue<int>().Should().Be(0);
        (await _server.FindRunAsync("scened"))!["has_scene"]!.GetValue<bool>().Should().BeTrue();

        using var delete = await _server.Client.DeleteAsync("api/runs/scened/system");
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _server.ListedAsync("scened")).Should().BeNull();
    }

    [Fact]
    public async Task Runs_are_listed_sorted_by_name()
    {
        foreach (var run in (string[])["sort-b", "sort-C", "sort-a"])
        {
            using var put = await _server.Client.PutAsync($"api/runs/{run}/system", new ByteArrayContent(BraxFixtures.System("cartpole")) { Headers = { ContentType = new("application/json") } });
            put.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        var names = (await _server.ListAsync()).Select(run => run["name"]!.GetValue<string>()).Where(name => name.StartsWith("sort-", StringComparison.Ordinal));

        names.Should().Equal("sort-C", "sort-a", "sort-b");
    }

    [Fact]
    public async Task An_unknown_run_is_404_and_an_invalid_name_400_with_the_json_error()
    {
        using var unknown = await _server.Client.GetAsync("api/runs/never-seen");
        using var invalid = await _server.Client.GetAsync("api/runs/bad!name");

        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await unknown.Content.ReadFromJsonAsync<ErrorBody>())!.Status.Should().Be("error");
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        RunContract.TryResolve("bad!name", out _, out var expected).Should().BeFalse();
        (await invalid.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Be(expected);
    }
}
