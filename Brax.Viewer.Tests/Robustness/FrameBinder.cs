using Brax.Viewer.Client;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>What a SignalR client's binder says about <c>ReceiveFrame</c>: one <see cref="Frame"/> argument.</summary>
internal sealed class FrameBinder : IInvocationBinder
{
    public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(Frame)];

    public Type GetReturnType(string invocationId) => typeof(object);

    public Type GetStreamItemType(string streamId) => typeof(object);
}
