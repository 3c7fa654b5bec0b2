using Brax.Viewer.Server.Api;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// In the host's namespace, beside ViewerServer that calls them, so wiring needs no extra using.
namespace Brax.Viewer.Server;

/// <summary>Registers the request body limit of the HTTP API.</summary>
public static class RequestBodyLimitServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="RequestBodyOptions"/> and makes its limit Kestrel's default body
    /// limit, in place of Kestrel's own 30 MB, so every endpoint without a limit of its own has it.
    /// </summary>
    public static IServiceCollection AddRequestBodyLimit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RequestBodyOptions>().Bind(configuration.GetSection(RequestBodyOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RequestBodyOptions>, RequestBodyOptionsValidator>());
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestBodyOptions>>((kestrel, body) =>
            kestrel.Limits.MaxRequestBodySize = body.Value.MaxRequestBodyBytes);
        return services;
    }
}
