using System.Diagnostics;
using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>AesmDaemonOptions.MaxConnections: connections above it are closed at once without a reply.</summary>
public sealed class ConnectionLimitTests
{
    private const string A1Response = "07000000aa010408001001";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Exchange_LimitReachedBySilentClients_ClosedThenServedAfterTheyTimeOut()
    {
        var readTimeout = TimeSpan.FromMilliseconds(800);
        await using var host = await DaemonHost.StartAsync(o =>
        {
            o.MaxConnections = 4;
            o.ReadTimeout = readTimeout;
        });
        var started = Stopwatch.StartNew();
        var silent = new List<System.Net.Sockets.Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                silent.Add(await RawAesm.ConnectAsync(host.SocketPath, Hex.FromHex("06000000"), Ct));
            }

            await DaemonInternals.WaitUntilAsync(() => DaemonInternals.ActiveConnections(host.Daemon) == 4, TimeSpan.FromSeconds(5), "4 connections are served");
            var silentReads = silent.Select(s => RawAesm.ReadToEndAsync(s, started, TimeSpan.FromSeconds(10), Ct)).ToList();

            var refused = await host.ExchangeAsync(GetSupportedAttKeyIdNumRequest());

            Assert.Equal(RawOutcome.ClosedWithoutReply, refused.Outcome);
            Assert.True(started.Elapsed < readTimeout, $"the fifth connection was closed only after {started.Elapsed}");
            Assert.True(host.Logs.Contains(1004), "no ConnectionLimit (1004) log entry");

            Assert.All(await Task.WhenAll(silentReads), r => Assert.Equal(RawOutcome.ClosedWithoutReply, r.Outcome));
            await DaemonInternals.WaitUntilAsync(() => DaemonInternals.ActiveConnections(host.Daemon) == 0, TimeSpan.FromSeconds(5), "the silent connections are released");
            Assert.Equal(A1Response, (await host.ExchangeAsync(GetSupportedAttKeyIdNumRequest())).Hex);
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Exchange_AtLimitMinusOne_Served()
    {
        await using var host = await DaemonHost.StartAsync(o => o.MaxConnections = 4);
        var silent = new List<System.Net.Sockets.Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                silent.Add(await RawAesm.ConnectAsync(host.SocketPath, Hex.FromHex("06000000"), Ct));
            }

            await DaemonInternals.WaitUntilAsync(() => DaemonInternals.ActiveConnections(host.Daemon) == 3, TimeSpan.FromSeconds(5), "3 connections are served");

            Assert.Equal(A1Response, (await host.ExchangeAsync(GetSupportedAttKeyIdNumRequest())).Hex);
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }
}
