using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Hubs.ScaleOut;
using Brax.Viewer.Hubs.State;
using Brax.Viewer.Server.Api;
using Brax.Viewer.Server.Forwarding;
using Brax.Viewer.Server.Scenes;
using Brax.Viewer.Server.Transport;

namespace Brax.Viewer.Server.Configuration;

/// <summary>
/// Every options type bound under the <c>Viewer</c> configuration section: the one list that says
/// which <c>Viewer:*</c> keys exist (see <see cref="ViewerSettingsCheck"/>). Each type names its
/// section in a <c>public const string SectionName</c>, and each of its public settable properties
/// is a key of that section. A new options type is one more line here.
/// </summary>
internal static class ViewerOptionsTypes
{
    public static IReadOnlyList<Type> All { get; } =
    [
        typeof(ViewerOptions),
        typeof(FanoutOptions),
        typeof(AccessOptions),
        typeof(SceneOptions),
        typeof(RedisScaleOutOptions),
        typeof(TrustedProxyOptions),
        typeof(SceneStoreOptions),
        typeof(RequestBodyOptions),
        typeof(HistoryOptions),
        typeof(TransportOptions),
    ];
}
