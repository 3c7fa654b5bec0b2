namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>
/// The <c>reason</c> label values of <c>brax.viewer.refusals</c>. Whatever refuses a client passes
/// one of a small fixed set of constants to <see cref="ViewerMetrics.Refused"/>, never anything the
/// client sent, so the metric keeps a handful of series.
/// </summary>
public static class RefusalReasons
{
    /// <summary>401: keys are configured and the request presented none.</summary>
    public const string KeyMissing = "key_missing";

    /// <summary>401: the request presented a key that matches no configured key.</summary>
    public const string KeyInvalid = "key_invalid";

    /// <summary>403: a valid key that does not allow this (the viewer key where the streamer key is needed).</summary>
    public const string KeyInsufficient = "key_insufficient";

    /// <summary>403: a browser page from an origin that may not use this server.</summary>
    public const string Origin = "origin";
}
