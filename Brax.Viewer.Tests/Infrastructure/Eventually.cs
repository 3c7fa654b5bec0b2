namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>Waits for a condition that the server reaches asynchronously, failing with a message after a timeout.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until " + because);
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The same, for a condition that is read asynchronously (over HTTP, say).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until " + because);
            }

            await Task.Delay(20);
        }
    }
}
