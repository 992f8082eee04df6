using System.Diagnostics;
using QuoteHelper.Client;
using QuoteHelper.Quoting;
using QuoteHelper.Quoting.Simulation;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;
using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// Stopping (aesm-protocol.md §10.1, checklist item 11): no new connections, requests in flight answered in full,
/// silent connections closed, the socket file removed — and never a truncated reply.
/// </summary>
public sealed class StopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StopAsync_QuoteBeingSigned_CompletesWithFullReplyThenSocketRemoved()
    {
        using var directory = new TempDirectory("qh-daemon-tests-");
        var socketPath = directory.Combine("run", "aesm.socket");
        using var platform = SimulatedPlatform.Open(directory.Combine("state"), new SimulatedPlatformOptions(), TimeProvider.System);
        using var quotingEnclave = new SimulatedQuotingEnclave(platform, eagerAttestationKey: true);
        using var backend = new GatedBackend(quotingEnclave);
        var options = new AesmDaemonOptions { SocketPath = socketPath, ShutdownTimeout = TimeSpan.FromSeconds(10) };
        await using var daemon = await AesmDaemon.StartAsync(options, backend, new LogCapture().Configure, Ct);
        var report = new SimulatedEnclave(platform.Cpu).CreateReport(platform.QeTargetInfo, new byte[64]).ToArray();

        var exchange = RawAesm.ExchangeAsync(socketPath, GetQuoteExRequest(report, DefaultKeyId, null, 8192), cancellationToken: Ct);
        Assert.True(await backend.Entered.WaitAsync(TimeSpan.FromSeconds(5), Ct), "the request never reached the backend");

        // StopAsync joins the accept threads, one of which is inside the backend: run it off this thread.
        var stop = Task.Run(() => daemon.StopAsync(Ct), Ct);
        await DaemonInternals.WaitUntilAsync(
            async () => (await RawAesm.ExchangeAsync(socketPath, GetSupportedAttKeyIdNumRequest(), cancellationToken: Ct)).Outcome == RawOutcome.ConnectFailed,
            TimeSpan.FromSeconds(5), "the daemon stops accepting");
        Assert.False(stop.IsCompleted, "StopAsync returned while a request was in flight");

        backend.Release.Set();
        var reply = await exchange;
        await stop;

        var response = reply.Decode().GetQuoteExRes;
        Assert.Equal(Success, response.ErrorCode);
        var quote = response.Quote.ToByteArray();
        Assert.Equal(8192, quote.Length);
        IndependentQuoteCheck.Verify(quote[..QuoteSupport.RealLength(quote)], platform.RootCertificate);
        Assert.False(File.Exists(socketPath));
    }

    [Fact]
    public async Task StopAsync_SuccessorStartedWhileDraining_SuccessorSocketKept()
    {
        // Regression: the stopping daemon deleted the socket path after draining in-flight requests (up to the
        // shutdown timeout). The path is free as soon as the listener closes, so a successor (a restarted service, a
        // new pod on the same hostPath) may already have bound it by then: the late delete removed the successor's
        // socket and left it running but unreachable.
        using var directory = new TempDirectory("qh-daemon-tests-");
        var socketPath = directory.Combine("run", "aesm.socket");
        using var platform = SimulatedPlatform.Open(directory.Combine("state"), new SimulatedPlatformOptions(), TimeProvider.System);
        using var quotingEnclave = new SimulatedQuotingEnclave(platform, eagerAttestationKey: true);
        using var backend = new GatedBackend(quotingEnclave);
        var options = new AesmDaemonOptions { SocketPath = socketPath, ShutdownTimeout = TimeSpan.FromSeconds(10) };
        await using var daemon = await AesmDaemon.StartAsync(options, backend, new LogCapture().Configure, Ct);
        var report = new SimulatedEnclave(platform.Cpu).CreateReport(platform.QeTargetInfo, new byte[64]).ToArray();
        var exchange = RawAesm.ExchangeAsync(socketPath, GetQuoteExRequest(report, DefaultKeyId, null, 8192), cancellationToken: Ct);
        Assert.True(await backend.Entered.WaitAsync(TimeSpan.FromSeconds(5), Ct), "the request never reached the backend");
        var stop = Task.Run(() => daemon.StopAsync(Ct), Ct);
        await DaemonInternals.WaitUntilAsync(async () => (await RawAesm.ExchangeAsync(socketPath, GetSupportedAttKeyIdNumRequest(), cancellationToken: Ct)).Outcome == RawOutcome.ConnectFailed,
            TimeSpan.FromSeconds(5), "the old daemon stops accepting");

        await using var successor = await SimulationDaemon.StartAsync(new AesmDaemonOptions { SocketPath = socketPath },
            directory.Combine("state2"), new SimulatedPlatformOptions(), TimeProvider.System, new LogCapture().Configure, Ct);
        backend.Release.Set();
        Assert.Equal(Success, (await exchange).Decode().GetQuoteExRes.ErrorCode);
        await stop;

        Assert.True(File.Exists(socketPath), "the old daemon deleted its successor's socket");
        Assert.Equal("07000000aa010408001001", (await RawAesm.ExchangeAsync(socketPath, GetSupportedAttKeyIdNumRequest(), cancellationToken: Ct)).Hex);
    }

    [Fact]
    public async Task StopAsync_SilentConnectionOpen_ClosedWithoutWaitingForReadDeadline()
    {
        await using var host = await DaemonHost.StartAsync(o => o.ReadTimeout = TimeSpan.FromSeconds(30));
        using var silent = await RawAesm.ConnectAsync(host.SocketPath, Hex.FromHex("06000000aa"), Ct);
        await DaemonInternals.WaitUntilAsync(() => DaemonInternals.ActiveConnections(host.Daemon) == 1, TimeSpan.FromSeconds(5), "the connection is served");
        var read = RawAesm.ReadToEndAsync(silent, Stopwatch.StartNew(), TimeSpan.FromSeconds(20), Ct);
        var stopping = Stopwatch.StartNew();

        await host.Daemon.StopAsync(Ct);

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"StopAsync took {stopping.Elapsed}");
        Assert.Equal(RawOutcome.ClosedWithoutReply, (await read).Outcome);
        Assert.False(File.Exists(host.SocketPath));
    }

    [Fact]
    public async Task StopAsync_RacingConcurrentGetQuoteEx_EveryReplyCompleteOrNone()
    {
        await using var host = await DaemonHost.StartAsync();
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(host), host.Platform.QeTargetInfo);
        var request = GetQuoteExRequest(report, DefaultKeyId, null, 8192);
        var root = host.Root;
        var replies = new System.Collections.Concurrent.ConcurrentBag<RawReply>();

        async Task ClientAsync()
        {
            while (true)
            {
                var reply = await RawAesm.ExchangeAsync(host.SocketPath, request, cancellationToken: Ct);
                replies.Add(reply);
                if (reply.Outcome == RawOutcome.ConnectFailed)
                {
                    return;
                }
            }
        }

        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(ClientAsync, Ct)).ToArray();
        await DaemonInternals.WaitUntilAsync(() => replies.Count(r => r.Outcome == RawOutcome.Replied) >= 20, TimeSpan.FromSeconds(10), "20 quotes were served");
        await host.Daemon.StopAsync(Ct);
        await Task.WhenAll(clients);

        // Every exchange is a complete, valid quote reply, or no reply at all: never a cut-off frame.
        var answered = replies.Where(r => r.Outcome == RawOutcome.Replied).ToList();
        Assert.All(replies, r => Assert.Contains(r.Outcome, new[] { RawOutcome.Replied, RawOutcome.ClosedWithoutReply, RawOutcome.ConnectFailed }));
        Assert.All(answered, r =>
        {
            var response = r.Decode().GetQuoteExRes;
            Assert.Equal(Success, response.ErrorCode);
            Assert.Equal(8192, response.Quote.Length);
        });
        var last = answered[^1].Decode().GetQuoteExRes.Quote.ToByteArray();
        IndependentQuoteCheck.Verify(last[..QuoteSupport.RealLength(last)], root);
        Assert.False(File.Exists(host.SocketPath));
    }

    /// <summary>A backend that holds GetQuote until released, to have a request in flight at a chosen moment.</summary>
    private sealed class GatedBackend(IQuotingBackend inner) : IQuotingBackend, IDisposable
    {
        public SemaphoreSlim Entered { get; } = new(0);

        public ManualResetEventSlim Release { get; } = new(false);

        public BackendIdentity Identity => inner.Identity;

        public IReadOnlyList<AttestationKeyId> SupportedAttestationKeyIds => inner.SupportedAttestationKeyIds;

        public AesmError InitializeAttestationKey(Span<byte> targetInfo, Span<byte> publicKeyId) =>
            inner.InitializeAttestationKey(targetInfo, publicKeyId);

        public AesmError GetQuoteSize(out uint quoteSize) => inner.GetQuoteSize(out quoteSize);

        public AesmError GetQuote(ReadOnlySpan<byte> report, Span<byte> qeReportInfo, Span<byte> quote, out int quoteLength)
        {
            Entered.Release();
            Release.Wait(TimeSpan.FromSeconds(10));
            return inner.GetQuote(report, qeReportInfo, quote, out quoteLength);
        }

        public void Dispose()
        {
            Release.Set();
            Entered.Dispose();
            Release.Dispose();
        }
    }
}
