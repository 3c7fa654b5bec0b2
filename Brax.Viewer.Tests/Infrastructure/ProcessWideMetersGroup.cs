namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// Tests of a server whose metrics pipeline listens to meters by name across the whole process (the
/// Azure Monitor distro does, for ASP.NET Core's meters): another server running in this test process
/// at the same time would show up in its series, which one server per process never sees.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetersGroup
{
    public const string Name = "Process-wide meters";
}
