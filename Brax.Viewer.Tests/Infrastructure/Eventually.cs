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
}
