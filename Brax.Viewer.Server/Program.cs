using Brax.Viewer.Server;
using Brax.Viewer.Server.Startup;

// A mistake in the command line, the configuration or a file it names ends the start with one
// line naming it and exit code 2 (StartupFailure); anything else is a bug and crashes with its stack.
WebApplication? app = null;
try
{
    app = ViewerServer.Build(args);
    await app.StartAsync();
}
catch (Exception e) when (StartupFailure.Describe(e) is { } problem)
{
    if (app is not null)
    {
        // Flushes what was logged before the failure, so the one line comes last.
        await app.DisposeAsync();
    }

    await Console.Error.WriteLineAsync(StartupFailure.Prefix + problem);
    return StartupFailure.ExitCode;
}

try
{
    await app.WaitForShutdownAsync();
}
finally
{
    await app.DisposeAsync();
}

return 0;
