using System.Diagnostics;
using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// Clients that send part of a frame and go silent (aesm-protocol.md §1.3, §1.4, checklist item 8): each is closed
/// at the read deadline without a reply, and none of them keeps other clients from being served.
/// </summary>
public sealed class SlowClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("")]                // connected, nothing sent
    [InlineData("0600")]            // half a length prefix
    [InlineData("06000000")]        // the prefix only
    [InlineData("06000000 aa0103")] // half the body
    public async Task Exchange_FewerBytesThanPrefixThenSilence_ClosedAtReadDeadline(string partialHex)
    {
        var readTimeout = TimeSpan.FromMilliseconds(500);
        await using var host = await DaemonHost.StartAsync(o => o.ReadTimeout = readTimeout);
        var started = Stopwatch.StartNew();
        using var socket = await RawAesm.ConnectAsync(host.SocketPath, Hex.FromHex(partialHex), Ct);

        var reply = await RawAesm.ReadToEndAsync(socket, started, TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(RawOutcome.ClosedWithoutReply, reply.Outcome);
        Assert.InRange(reply.Elapsed, readTimeout * 0.9, readTimeout * 5);
        Assert.True(host.Logs.Contains(2001), "no ReadTimeout (2001) log entry");
    }

    [Fact]
    public async Task Exchange_TwentySilentConnectionsOpen_OtherClientGetsQuoteMeanwhile()
    {
        // Regression guard for Intel's pre-2.30 behaviour: one half-sent frame stalled the whole daemon (§1.3).
        var readTimeout = TimeSpan.FromSeconds(1.5);
        await using var host = await DaemonHost.StartAsync(o => o.ReadTimeout = readTimeout);
        var silent = new List<(System.Net.Sockets.Socket Socket, Task<RawReply> Reply)>();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            var socket = await RawAesm.ConnectAsync(host.SocketPath, Hex.FromHex("82060000 8a01fe0c"), Ct);
            silent.Add((socket, RawAesm.ReadToEndAsync(socket, started, TimeSpan.FromSeconds(10), Ct)));
        }

        try
        {
            // A complete client flow while all twenty are open: InitQuoteEx, report for the QE, GetQuoteEx.
            var init = (await host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, true, 32))).Decode().InitQuoteExRes;
            var report = QuoteSupport.Report(QuoteSupport.AppEnclave(host), Sgx.TargetInfo.Read(init.TargetInfo.Span));
            var reply = await host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 8192));
            var servedAfter = started.Elapsed;

            Assert.All(silent, s => Assert.False(s.Reply.IsCompleted, "a silent connection was closed before the flow finished"));
            Assert.True(servedAfter < readTimeout, $"the other client took {servedAfter}, as long as the read deadline");
            var quote = reply.Decode().GetQuoteExRes.Quote.ToByteArray();
            IndependentQuoteCheck.Verify(quote[..QuoteSupport.RealLength(quote)], host.Root);

            foreach (var (_, pending) in silent)
            {
                var closed = await pending;
                Assert.Equal(RawOutcome.ClosedWithoutReply, closed.Outcome);
                Assert.InRange(closed.Elapsed, readTimeout * 0.9, readTimeout * 4);
            }
        }
        finally
        {
            foreach (var (socket, _) in silent)
            {
                socket.Dispose();
            }
        }
    }
}
