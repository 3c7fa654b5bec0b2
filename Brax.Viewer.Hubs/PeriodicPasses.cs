using Microsoft.Extensions.Hosting;

namespace Brax.Viewer.Hubs;

/// <summary>
/// A hosted service that makes one pass every <see cref="Interval"/> on the host's
/// <see cref="TimeProvider"/>, never two at once: a pass slower than the interval (a Redis round
/// trip) makes the next tick skip instead of overlap, so passes never act out of order.
/// </summary>
internal abstract class PeriodicPasses(TimeProvider time) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _passing = new(1, 1);
    private ITimer? _timer;

    /// <summary>Time between passes.</summary>
    protected abstract TimeSpan Interval { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(_ => _ = PassAsync(), null, Interval, Interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _passing.Dispose();
    }

    /// <summary>One pass.</summary>
    protected abstract Task PassOnceAsync();

    private async Task PassAsync()
    {
        if (!_passing.Wait(0))
        {
            return;
        }

        try
        {
            await PassOnceAsync();
        }
        finally
        {
            _passing.Release();
        }
    }
}
