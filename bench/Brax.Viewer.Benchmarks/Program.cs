using BenchmarkDotNet.Running;

namespace Brax.Viewer.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Brax.Viewer.Benchmarks -- --filter '*'</c>; any
/// BenchmarkDotNet option works (<c>--filter '*FanOut*'</c>, <c>--job short</c>).
/// </summary>
internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
