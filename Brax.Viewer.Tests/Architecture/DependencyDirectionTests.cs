using System.Reflection;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Server;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Architecture;

/// <summary>
/// The stages of a frame's path depend on each other in one direction only:
/// RawShim → Protocols → hubs → Fanout ← ScaleOut, with State beside the hubs, Access (who a
/// connection is and what it may do) used by the shim and the hubs, and Diagnostics usable by all. Read from the compiled assemblies, so a reference in a method body counts too.
/// </summary>
public sealed class DependencyDirectionTests
{
    private const string Composition = "composition";

    private static readonly Assembly Hubs = typeof(FrameHub).Assembly;

    // What each stage may use besides itself. The composition root (AddViewerHubs, MapViewerHubs)
    // wires every stage and may use them all; nothing may use it.
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["RawShim"] = ["Protocols", "Hubs", "Access", "Diagnostics"],
        ["Protocols"] = ["Diagnostics"],
        ["Hubs"] = ["Fanout", "State", "Access", "Diagnostics"],
        ["Access"] = ["Diagnostics"],
        ["Fanout"] = ["Diagnostics"],
        ["ScaleOut"] = ["Fanout", "State", "Runs", "Diagnostics"],
        ["Runs"] = ["Hubs", "Fanout", "State", "Diagnostics"],
        ["State"] = [],
        ["Diagnostics"] = [],
    };

    [Fact]
    public void Stages_of_the_hubs_library_depend_on_each_other_in_one_direction()
    {
        var backEdges = new List<string>();
        foreach (var type in Hubs.GetTypes())
        {
            if (StageOf(type) is not { } from)
            {
                continue;
            }

            foreach (var used in TypeReferences.Of(type))
            {
                if (used.Assembly == Hubs && StageOf(used) is { } to && to != from && (from != Composition && !Allowed[from].Contains(to)))
                {
                    backEdges.Add($"{from} -> {to}: {type.FullName} uses {used.FullName}");
                }
            }
        }

        backEdges.Distinct().Should().BeEmpty("every stage may use only the stages after it on a frame's path");
    }

    [Fact]
    public void Every_namespace_of_the_hubs_library_is_a_known_stage()
    {
        var stages = Hubs.GetTypes().Select(StageOf).OfType<string>().Distinct();

        stages.Should().BeSubsetOf(Allowed.Keys.Append(Composition), "a new folder needs its place in the dependency rule");
    }

    [Fact]
    public void The_server_uses_only_the_public_surface_of_the_hubs_library()
    {
        var friends = Hubs.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>().Select(friend => friend.AssemblyName);
        friends.Should().NotContain(typeof(ViewerServer).Assembly.GetName().Name);

        var hidden = typeof(ViewerServer).Assembly.GetTypes()
            .SelectMany(type => TypeReferences.Of(type).Select(used => (type, used)))
            .Where(pair => pair.used.Assembly == Hubs && !pair.used.IsVisible)
            .Select(pair => $"{pair.type.FullName} uses {pair.used.FullName}");
        hidden.Should().BeEmpty();
    }

    [Fact]
    public void Client_contracts_depend_on_no_server_code()
    {
        var references = typeof(Frame).Assembly.GetReferencedAssemblies().Select(reference => reference.Name);

        references.Should().NotContain([Hubs.GetName().Name, typeof(ViewerServer).Assembly.GetName().Name]);
        Hubs.GetReferencedAssemblies().Select(reference => reference.Name).Should().NotContain(typeof(ViewerServer).Assembly.GetName().Name);
    }

    [Fact]
    public void Every_source_file_of_the_hubs_library_sits_in_the_folder_of_its_namespace()
    {
        var root = Path.Combine(BraxFixtures.RepositoryRoot, "Brax.Viewer.Hubs");
        var misplaced = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(relative)!.Replace(Path.DirectorySeparatorChar, '.');
            var declared = File.ReadLines(file).First(line => line.StartsWith("namespace ", StringComparison.Ordinal))["namespace ".Length..].TrimEnd(';');
            var expected = folder.Length == 0 ? "Brax.Viewer.Hubs" : "Brax.Viewer.Hubs." + folder;
            var isCompositionRoot = folder.Length == 0 && declared is "Microsoft.Extensions.DependencyInjection" or "Microsoft.AspNetCore.Builder";
            if (declared != expected && !isCompositionRoot)
            {
                misplaced.Add($"{relative} declares {declared}");
            }
        }

        misplaced.Should().BeEmpty();
    }

    /// <summary>The stage a type of the hubs library belongs to, by namespace; null for compiler-made types without one.</summary>
    private static string? StageOf(Type type) => type.Namespace switch
    {
        null => null,
        "Brax.Viewer.Hubs" => "Hubs",
        "Microsoft.Extensions.DependencyInjection" or "Microsoft.AspNetCore.Builder" => Composition,
        var name when name.StartsWith("Brax.Viewer.Hubs.", StringComparison.Ordinal) => name["Brax.Viewer.Hubs.".Length..],
        var name => name,
    };
}
