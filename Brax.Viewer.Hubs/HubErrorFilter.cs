using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs;

/// <summary>
/// Logs what a hub method throws, once and as much as it deserves. A client's mistake (a
/// <see cref="HubException"/> the hub throws for it, such as a viewer calling <c>SendFrame</c>, or
/// a null argument) is one Warning line without a stack, at most five per 10 s per connection, and
/// the client still gets a <see cref="HubException"/> saying what was wrong. Anything else is a
/// server error, logged at Error with its exception, unless it is the cancellation of a call whose
/// caller has gone away, which is nobody's error. SignalR's dispatcher would log every one of
/// them again, with a stack, at Error ("Failed to invoke hub method"): the server's defaults turn
/// that category down, which hides nothing: every hub method call passes through here, and a hub
/// that cannot even be created fails its connection first, which SignalR's connection handler logs.
/// </summary>
internal sealed partial class HubErrorFilter(ILogger<HubErrorFilter> logger, TimeProvider time) : IHubFilter
{
    private static readonly object ThrottleKey = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocation);
        }
        catch (HubException ex)
        {
            // Thrown by a hub on purpose, for the client: its message is meant for it as it stands.
            ReportClientError(invocation, ex.Message);
            throw;
        }
        catch (ArgumentNullException ex) when (IsNullArgument(invocation, ex.ParamName))
        {
            // The client sent null where the method needs a value; without a HubException it would only hear "an unexpected error".
            var message = $"{invocation.HubMethodName} needs a value for '{ex.ParamName}', not null.";
            ReportClientError(invocation, message);
            throw new HubException(message, ex);
        }
        catch (OperationCanceledException) when (invocation.Context.ConnectionAborted.IsCancellationRequested)
        {
            // The caller went away mid-call, which cancelled it: nothing went wrong on the server.
            throw;
        }
        catch (Exception ex)
        {
            Log.MethodFailed(logger, invocation.Hub.GetType().Name, invocation.HubMethodName, invocation.Context.ConnectionId, ex);
            throw;
        }
    }

    // Whether the argument the client sent for the parameter named in the exception was null: then
    // the null is the client's, not one the server made further down.
    private static bool IsNullArgument(HubInvocationContext invocation, string? name)
    {
        var parameters = invocation.HubMethod.GetParameters();
        for (var i = 0; i < parameters.Length && i < invocation.HubMethodArguments.Count; i++)
        {
            if (parameters[i].Name == name)
            {
                return invocation.HubMethodArguments[i] is null;
            }
        }

        return false;
    }

    private void ReportClientError(HubInvocationContext invocation, string reason)
    {
        // One throttle per connection, kept with it. A connection's invocations run one at a time
        // (SignalR's default of one parallel invocation per client), so the lookup needs no lock.
        var items = invocation.Context.Items;
        if (!items.TryGetValue(ThrottleKey, out var kept) || kept is not LogThrottle throttle)
        {
            throttle = new LogThrottle(time: time);
            items[ThrottleKey] = throttle;
        }

        if (throttle.TryEnter(out var suppressed))
        {
            Log.ClientCallRefused(logger, invocation.Hub.GetType().Name, invocation.HubMethodName, invocation.Context.ConnectionId, reason, suppressed);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ClientCallRefused, EventName = nameof(EventIds.ClientCallRefused), Level = LogLevel.Warning, Message = "{Hub}.{Method} refused a call from connection {ConnectionId}: {Reason} ({Suppressed} similar reports for this connection suppressed before this one.)")]
        public static partial void ClientCallRefused(ILogger logger, string hub, string method, string connectionId, string reason, long suppressed);

        [LoggerMessage(EventId = EventIds.HubMethodFailed, EventName = nameof(EventIds.HubMethodFailed), Level = LogLevel.Error, Message = "{Hub}.{Method} failed for connection {ConnectionId}.")]
        public static partial void MethodFailed(ILogger logger, string hub, string method, string connectionId, Exception exception);
    }
}
