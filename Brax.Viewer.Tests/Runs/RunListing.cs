using System.Net;
using System.Text.Json.Nodes;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Runs;

/// <summary>Reads <c>GET /api/runs</c> and <c>GET /api/runs/{run}</c> of a test server.</summary>
public static class RunListing
{
    /// <summary>The runs of <c>GET /api/runs</c>, in the order listed.</summary>
    public static async Task<List<JsonObject>> ListAsync(this ViewerTestServer server)
    {
        using var response = await server.Client.GetAsync("api/runs");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        return [.. body["runs"]!.AsArray().Select(run => run!.AsObject())];
    }

    /// <summary><paramref name="run"/> as <c>GET /api/runs</c> lists it, or null when it is not listed.</summary>
    public static async Task<JsonObject?> ListedAsync(this ViewerTestServer server, string run) =>
        (await server.ListAsync()).SingleOrDefault(listed => listed["name"]!.GetValue<string>() == run);

    /// <summary><c>GET /api/runs/{run}</c>, or null when it answers 404.</summary>
    public static async Task<JsonObject?> FindRunAsync(this ViewerTestServer server, string run)
    {
        using var response = await server.Client.GetAsync($"api/runs/{run}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Waits until <paramref name="run"/> is listed with <paramref name="viewers"/> viewers and <paramref name="streamers"/> streamers.</summary>
    public static async Task CountsBecomeAsync(this ViewerTestServer server, string run, int viewers, int streamers, TimeSpan? timeout = null)
    {
        var seen = "not listed";
        try
        {
            await Eventually.HoldsAsync(
                async () =>
                {
                    var listed = await server.ListedAsync(run);
                    seen = listed is null ? "not listed" : $"{listed["viewers"]} viewers, {listed["streamers"]} streamers";
                    return listed is not null && listed["viewers"]!.GetValue<int>() == viewers && listed["streamers"]!.GetValue<int>() == streamers;
                },
                $"run {run} is listed with {viewers} viewers and {streamers} streamers",
                timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; last seen: {seen}", ex);
        }
    }

    /// <summary>Waits until <paramref name="run"/> is neither listed nor found.</summary>
    public static Task GoneAsync(this ViewerTestServer server, string run, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(
            async () => await server.ListedAsync(run) is null && await server.FindRunAsync(run) is null,
            $"run {run} is no longer listed",
            timeout);
}
