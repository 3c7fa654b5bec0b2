namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// Tests that measure time or memory run alone: on a 2-core machine, other test classes running
/// beside them would starve their clients and turn CPU contention into false failures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuringGroup
{
    public const string Name = "Measuring";
}
