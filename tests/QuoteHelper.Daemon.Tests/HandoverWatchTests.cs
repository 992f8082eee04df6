using System.Net.Sockets;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// The handover watch in-process (protocol.md §8): once another socket is renamed over the public path, the daemon
/// stops being ready and counts a handover out, and the path is left to the successor.
/// </summary>
public sealed class HandoverWatchTests
{
    [Fact]
    public async Task PathTakenOver_ZeroPollInterval_DaemonNoticesAndLeavesThePathAlone()
    {
        // A zero interval counts as the 10 ms minimum: noticed at once, without a busy loop.
        await using var host = await DaemonHost.StartAsync(options =>
        {
            options.HandoverPollInterval = TimeSpan.Zero;
            options.StayAfterHandover = true;
        });
        Assert.True(host.Daemon.Ready);

        // What a successor does: bind a socket elsewhere in the directory, then rename(2) it over the public path.
        var successorPath = host.Directory.Combine("run", "successor.socket");
        using var successor = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        successor.Bind(new UnixDomainSocketEndPoint(successorPath));
        successor.Listen(4);
        File.Move(successorPath, host.SocketPath, overwrite: true);

        await DaemonInternals.WaitUntilAsync(() => host.Daemon.HandedOver, TimeSpan.FromSeconds(5), "the daemon notices the handover");
        await DaemonInternals.WaitUntilAsync(() => !host.Daemon.Ready, TimeSpan.FromSeconds(5), "the daemon stops being ready");
        Assert.Equal(1, host.Daemon.Metrics.Handovers.WithLabels("out").Value);

        await host.StopAsync();
        Assert.True(File.Exists(host.SocketPath), "the successor's socket must stay");
    }
}
