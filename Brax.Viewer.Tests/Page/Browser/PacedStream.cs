using System.Globalization;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>
/// Streams numbered cart-pole frames at a training loop's pace until stopped. Frame <c>i</c> puts
/// both links at x = <c>i</c> mm, so any pose the page shows names the frame it came from.
/// </summary>
internal sealed class PacedStream : IAsyncDisposable
{
    public const double Step = 0.001;

    private readonly RawStreamer _streamer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _sent;

    private PacedStream(RawStreamer streamer, int first, TimeSpan interval)
    {
        _streamer = streamer;
        _sent = first;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                await _streamer.SendAsync(Frame(_sent));
                Interlocked.Increment(ref _sent);
                try
                {
                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    /// <summary>Index of the next frame to go out; the last one sent is this minus one.</summary>
    public int Next => Volatile.Read(ref _sent);

    public static PacedStream Start(RawStreamer streamer, int first = 0, int framesPerSecond = 50)
        => new(streamer, first, TimeSpan.FromSeconds(1.0 / framesPerSecond));

    /// <summary>Frame <paramref name="index"/> of a cart-pole stream: both links at x = index mm, the pole tilted by index mrad.</summary>
    public static string Frame(int index)
    {
        var x = index * Step;
        var half = index * 0.0005;
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"x\": {{\"pos\": [[{x}, 0.0, 0.5], [{x}, 0.0, 0.5]], \"rot\": [[1.0, 0.0, 0.0, 0.0], [{Math.Cos(half)}, 0.0, {Math.Sin(half)}, 0.0]]}}}}");
    }

    /// <summary>Which frame a link x position came from.</summary>
    public static int IndexOf(double x) => (int)Math.Round(x / Step);

    /// <summary>Stops streaming; returns the index of the last frame sent.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Next - 1;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}
