using System.Reflection;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Server;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Tests.Diagnostics;

/// <summary>An event id names one message across the whole log, so a filter or an alert on it catches that message and no other.</summary>
public sealed class EventIdTests
{
    private static readonly Assembly[] Assemblies = [typeof(HubDiagnostics).Assembly, typeof(ViewerServer).Assembly];

    [Fact]
    public void Every_log_message_has_an_event_id()
    {
        var messages = LogMessages();

        messages.Should().HaveCountGreaterThan(10, "the reflection must find the source-generated log methods of both assemblies");
        messages.Where(m => m.Attribute.EventId <= 0).Select(m => m.Name)
            .Should().BeEmpty("a message without an id (or with id 0) cannot be told apart by id");
    }

    [Fact]
    public void No_two_log_messages_share_an_event_id()
    {
        var shared = LogMessages()
            .GroupBy(m => m.Attribute.EventId)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(m => m.Name))}");

        shared.Should().BeEmpty();
    }

    [Fact]
    public void Every_event_id_is_a_named_constant_of_its_areas_EventIds()
    {
        var unnamed = LogMessages()
            .Where(m =>
            {
                var ids = m.Method.DeclaringType!.Assembly.GetType(m.Method.DeclaringType.Namespace + ".EventIds");
                var field = m.Attribute.EventName is { } name ? ids?.GetField(name, BindingFlags.Public | BindingFlags.Static) : null;
                return field is not { IsLiteral: true } || (int)field.GetRawConstantValue()! != m.Attribute.EventId;
            })
            .Select(m => $"{m.Name} ({m.Attribute.EventId}, {m.Attribute.EventName ?? "no name"})");

        unnamed.Should().BeEmpty("each message takes EventId = EventIds.X and EventName = nameof(EventIds.X) from the EventIds of its own namespace");
    }

    [Fact]
    public void The_areas_EventIds_never_repeat_a_number()
    {
        var constants = Assemblies.SelectMany(assembly => assembly.GetTypes())
            .Where(type => type.Name == "EventIds")
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(field => field.IsLiteral)
                .Select(field => (Name: $"{type.FullName}.{field.Name}", Id: (int)field.GetRawConstantValue()!)))
            .ToList();

        constants.Select(c => c.Name).Should().Contain(name => name.Contains(".Server.", StringComparison.Ordinal), "the server's areas have ids too");
        constants.GroupBy(c => c.Id).Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(c => c.Name))}")
            .Should().BeEmpty();
    }

    private static List<(string Name, MethodInfo Method, LoggerMessageAttribute Attribute)> LogMessages() =>
        Assemblies.SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => ($"{m.Method.DeclaringType!.FullName}.{m.Method.Name}", m.Method, m.Attribute!))
            .ToList();
}
