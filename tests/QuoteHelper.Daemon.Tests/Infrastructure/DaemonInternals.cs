using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace QuoteHelper.Daemon.Tests;

/// <summary>Test-only view into the running server, to wait for a state instead of sleeping.</summary>
internal static class DaemonInternals
{
    /// <summary>Connections the server is serving right now (accepted, not yet closed).</summary>
    public static int ActiveConnections(AesmDaemon daemon)
    {
        var hosted = daemon.Services.GetServices<IHostedService>().OfType<AesmServerHostedService>().Single();
        var field = typeof(AesmServerHostedService).GetField("_server", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new MissingFieldException(nameof(AesmServerHostedService), "_server");
        return field.GetValue(hosted) is AesmSocketServer server ? server.ActiveConnections : 0;
    }

    /// <summary>Polls <paramref name="condition"/> every 5 ms until it holds; fails after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 5 ms until it holds; fails after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
