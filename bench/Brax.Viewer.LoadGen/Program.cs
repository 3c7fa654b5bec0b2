using System.Globalization;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.LoadGen.Scenarios;

namespace Brax.Viewer.LoadGen;

/// <summary>
/// <c>Brax.Viewer.LoadGen SCENARIO [options]</c>: runs one named scenario (or <c>all</c>) against a
/// server it starts as a child process, or against <c>--url</c>; prints a table and writes
/// <c>&lt;out&gt;/&lt;scenario&gt;.json</c>.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Brax.Viewer.LoadGen <scenario|all|list|--compare> [options]
          --compare            run t1, t4, t8 and t2 against a Node ws relay (bench/node-relay) and our
                               server, then t3 against ours, and print each target's ratio; each server
                               is a fresh process pinned with taskset to --server-cpu
          --rounds N           with --compare: repeat the whole set N times (default 1)
          --server-cpu N       with --compare: the core the servers run on (default: the last one)
          --url URL            target a running server instead of starting one
          --server-pid PID     that server's process id, for its CPU and memory
          --server-dll PATH    server to start (default Brax.Viewer.Server/bin/Release/net10.0/Brax.Viewer.Server.dll)
          --server-arg ARG     extra server argument, e.g. --server-arg=--Viewer:SendTimeout=00:00:05 (repeatable)
          --server-env K=V     environment variable for the started server only (repeatable)
          --out DIR            where reports go (default bench/results)
          --fixture PATH       frames to shape the load after (default: the repository's testdata/brax/ant.frames.jsonl)
          --raw N --json N --msgpack N --streamers N --fps N --frame-bytes N
          --warmup S --duration S --stalled FRACTION --sources N
          --counters           record the server's allocation and GCs with dotnet-counters (if installed)
          --check              exit 1 when a target is not met
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        if (args[0] == "list")
        {
            foreach (var s in ScenarioCatalog.All)
            {
                Console.WriteLine($"{s.Name,-16} {s.Target}");
            }

            return 0;
        }

        List<Scenario> scenarios;
        RunSettings settings;
        bool check;
        Comparison? comparison;
        try
        {
            (scenarios, settings, check, comparison) = Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var files = OpenFileLimit.Raise();
        Console.WriteLine($"open-file limit {files}");
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        if (comparison is not null)
        {
            var allMet = await comparison.RunAsync(cancel.Token);
            return check && !allMet ? 1 : 0;
        }

        var met = true;
        foreach (var scenario in scenarios)
        {
            var report = await new ScenarioRunner(scenario, settings).RunAsync(cancel.Token);
            Directory.CreateDirectory(settings.OutputDirectory);
            var path = Path.Combine(settings.OutputDirectory, scenario.Name + ".json");
            await File.WriteAllTextAsync(path, report.ToJson(), cancel.Token);
            Console.WriteLine(report.ToTable());
            Console.WriteLine($"report: {path}");
            Console.WriteLine();
            met &= report.Passed;
        }

        return check && !met ? 1 : 0;
    }

    private static (List<Scenario> Scenarios, RunSettings Settings, bool Check, Comparison? Comparison) Parse(string[] args)
    {
        var compare = args[0] == "--compare";
        var scenarios = compare ? []
            : args[0] == "all" ? ScenarioCatalog.All.Where(s => s.Name != "smoke").ToList()
            : [ScenarioCatalog.Find(args[0]) ?? throw new ArgumentException($"unknown scenario '{args[0]}' (try 'list')")];
        var settings = new RunSettings { Log = Console.Out };
        var check = false;
        var serverArgs = new List<string>();
        var rounds = 1;
        var serverCpu = TasksetAvailable() ? LastOnlineCpu() : null;
        Func<Scenario, Scenario> adjust = s => s;
        for (var i = 1; i < args.Length; i++)
        {
            var (name, inline) = args[i].Split('=', 2) is [var n, var inlineValue] ? (n, inlineValue) : (args[i], null);
            string Value() => inline ?? (++i < args.Length ? args[i] : throw new ArgumentException($"{name} needs a value"));
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            double Real() => double.Parse(Value(), CultureInfo.InvariantCulture);
            Func<Scenario, Scenario>? change = null;
            switch (name)
            {
                case "--url": settings = settings with { ServerUrl = new Uri(Value().TrimEnd('/') + "/") }; break;
                case "--server-pid": settings = settings with { ServerPid = Int() }; break;
                case "--server-dll": settings = settings with { ServerDll = Value() }; break;
                case "--server-arg": serverArgs.Add(Value()); break;
                case "--server-env":
                    {
                        var pair = Value().Split('=', 2);
                        settings = settings with { ServerEnvironment = new Dictionary<string, string>(settings.ServerEnvironment) { [pair[0]] = pair.Length > 1 ? pair[1] : string.Empty } };
                        break;
                    }

                case "--out": settings = settings with { OutputDirectory = Value() }; break;
                case "--fixture": settings = settings with { FixturePath = Value() }; break;
                case "--check": check = true; break;
                case "--rounds": rounds = Int(); break;
                case "--server-cpu": serverCpu = Value(); break;
                case "--raw": { var v = Int(); change = s => s with { RawViewers = v }; break; }
                case "--json": { var v = Int(); change = s => s with { JsonViewers = v }; break; }
                case "--msgpack": { var v = Int(); change = s => s with { MessagePackViewers = v }; break; }
                case "--streamers": { var v = Int(); change = s => s with { Streamers = v }; break; }
                case "--fps": { var v = Int(); change = s => s with { Fps = v }; break; }
                case "--frame-bytes": { var v = Int(); change = s => s with { FrameBytes = v }; break; }
                case "--warmup": { var v = Real(); change = s => s with { WarmupSeconds = v }; break; }
                case "--duration": { var v = Real(); change = s => s with { DurationSeconds = v }; break; }
                case "--stalled": { var v = Real(); change = s => s with { StalledFraction = v }; break; }
                case "--sources": { var v = Int(); change = s => s with { SourceAddresses = v }; break; }
                case "--counters": change = s => s with { Counters = true }; break;
                default: throw new ArgumentException($"unknown option {name}");
            }

            if (change is not null)
            {
                scenarios = scenarios.Select(change).ToList();
                var before = adjust;
                adjust = s => change(before(s));
            }
        }

        if (serverArgs.Count > 0)
        {
            scenarios = scenarios.Select(s => s with { ServerArgs = [.. s.ServerArgs, .. serverArgs] }).ToList();
            var before = adjust;
            adjust = s => before(s) with { ServerArgs = [.. s.ServerArgs, .. serverArgs] };
        }

        return (scenarios, settings, check, compare ? new Comparison(settings, rounds, serverCpu, adjust) : null);
    }

    private static bool TasksetAvailable() =>
        LastOnlineCpu() is not (null or "0") && (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => File.Exists(Path.Combine(d, "taskset")));

    // The machine's cores, not this process's: when pinned, Environment.ProcessorCount counts only the pinned one.
    private static string? LastOnlineCpu() =>
        File.Exists("/sys/devices/system/cpu/online") ? File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(',', '-')[^1] : null;
}
