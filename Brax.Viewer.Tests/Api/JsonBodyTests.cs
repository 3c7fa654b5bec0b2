using System.Net;
using System.Net.Http.Json;
using System.Text;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Api;

/// <summary>State-changing calls take JSON only, so a browser cannot send them cross-site without a preflight.</summary>
public sealed class JsonBodyTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("POST", "api/rendering_status?run=json-only", "text/plain")]
    [InlineData("POST", "api/rendering_status?run=json-only", "application/x-www-form-urlencoded")]
    [InlineData("POST", "api/rendering_status?run=json-only", null)]
    [InlineData("PUT", "api/system?run=json-only", "text/plain")]
    [InlineData("PUT", "api/system?run=json-only", "multipart/form-data; boundary=x")]
    public async Task State_changing_calls_without_a_JSON_content_type_get_415_and_change_nothing(string method, string path, string? contentType)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"rendering_enabled": false}""")),
        };
        request.Content.Headers.ContentType = contentType is null ? null : System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("application/json");
        (await Http.GetFromJsonAsync<System.Text.Json.JsonElement>("api/rendering_status?run=json-only")).GetProperty("rendering_enabled").GetBoolean().Should().BeTrue();
        (await Http.GetAsync("api/system?run=json-only")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    public async Task JSON_content_types_are_accepted(string contentType)
    {
        using var content = new StringContent("""{"rendering_enabled": false}""", Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        using var response = await Http.PostAsync("api/rendering_status?run=json-ok", content);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
