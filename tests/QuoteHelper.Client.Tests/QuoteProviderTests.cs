using Microsoft.Extensions.Logging;
using QuoteHelper.Daemon;
using QuoteHelper.Quoting.Simulation;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Client.Tests;

/// <summary>
/// The high-level provider against the real daemon on the simulated platform: it must recover by itself from
/// what Intel's library leaves to every application (aesm-protocol.md §10): 42 after a restart, a MAC mismatch
/// after a QE update, and a socket that is briefly gone.
/// </summary>
public sealed class QuoteProviderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string SocketPath => _temp.Combine("run", "aesm.socket");

    private string StateDirectory => _temp.Combine("state");

    public void Dispose() => _temp.Dispose();

    private Task<AesmDaemon> StartAsync(SimulatedPlatformOptions? platform = null) =>
        SimulationDaemon.StartAsync(new AesmDaemonOptions { SocketPath = SocketPath }, StateDirectory,
            platform ?? new SimulatedPlatformOptions(), TimeProvider.System, logging => logging.ClearProviders());

    private QuoteProvider Provider() => new(new AesmClient(new AesmClientOptions { SocketPath = SocketPath }),
        new QuoteProviderOptions { UnavailableRetryDelay = TimeSpan.FromMilliseconds(20), MaxUnavailableRetries = 30 });

    private static async Task<byte[]> QuoteAsync(QuoteProvider provider, SimulatedEnclave enclave, byte tag) =>
        await provider.GetQuoteAsync(target => enclave.CreateReport(target, [tag]));

    private static void AssertGenuine(byte[] quote, AesmDaemon daemon, byte tag)
    {
        var root = ((SimulatedQuotingEnclave)daemon.Backend).Platform.RootCertificate;
        Assert.Equal(tag, IndependentQuoteCheck.Verify(quote, root).IsvReportBody[320]);
    }

    [Theory]
    [InlineData(null, QuotingMode.InProc)]
    [InlineData("", QuotingMode.OutOfProc)]
    [InlineData("1", QuotingMode.OutOfProc)]
    [InlineData("/some/path", QuotingMode.OutOfProc)]
    public void ModeFor_SgxAesmAddr_PresenceAloneSelectsOutOfProc(string? value, QuotingMode expected) =>
        Assert.Equal(expected, QuoteProvider.ModeFor(value));

    [Fact]
    public async Task GetQuote_RunningHelper_ReturnsAGenuineQuote()
    {
        await using var daemon = await StartAsync();
        using var provider = Provider();
        var enclave = SimulatedEnclave.ForSocket(SocketPath);

        var quote = await QuoteAsync(provider, enclave, 7);

        AssertGenuine(quote, daemon, 7);
        Assert.Equal(0, provider.Reinitializations);
    }

    [Fact]
    public async Task GetQuote_WithAppTargetInfo_ReturnsAQeReportBindingNonceAndQuote()
    {
        await using var daemon = await StartAsync();
        using var provider = Provider();
        var enclave = SimulatedEnclave.ForSocket(SocketPath);

        var result = await provider.GetQuoteAsync(target => enclave.CreateReport(target, [1]), enclave.TargetInfo);

        var qeReport = result.QeReportInfo![528..];
        Assert.True(enclave.VerifyReport(qeReport));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData([.. result.Nonce!, .. result.Quote]), qeReport[320..352]);
    }

    [Fact]
    public async Task GetQuote_IntelLikeHelperRestarted_RecoversFrom42()
    {
        var lazy = new SimulatedPlatformOptions { EagerAttestationKey = false };
        using var provider = Provider();
        SimulatedEnclave enclave;
        await using (var daemon = await StartAsync(lazy))
        {
            enclave = SimulatedEnclave.ForSocket(SocketPath);
            AssertGenuine(await QuoteAsync(provider, enclave, 1), daemon, 1);
        }

        await using (var restarted = await StartAsync(lazy))
        {
            // The restarted helper forgot its key (Intel's behaviour): GetQuoteEx answers 42 and the provider
            // re-initialises, makes a new report and retries.
            AssertGenuine(await QuoteAsync(provider, enclave, 2), restarted, 2);
        }

        Assert.Equal(1, provider.Reinitializations);
    }

    [Fact]
    public async Task GetQuote_EagerHelperRestarted_NeedsNoReinitialisation()
    {
        using var provider = Provider();
        SimulatedEnclave enclave;
        await using (var daemon = await StartAsync())
        {
            enclave = SimulatedEnclave.ForSocket(SocketPath);
            await QuoteAsync(provider, enclave, 1);
        }

        await using (var restarted = await StartAsync())
        {
            AssertGenuine(await QuoteAsync(provider, enclave, 2), restarted, 2);
        }

        Assert.Equal(0, provider.Reinitializations);
    }

    [Fact]
    public async Task GetQuote_QeUpdated_RecoversFromMacMismatch()
    {
        using var provider = Provider();
        SimulatedEnclave enclave;
        await using (var daemon = await StartAsync())
        {
            enclave = SimulatedEnclave.ForSocket(SocketPath);
            await QuoteAsync(provider, enclave, 1);
        }

        await using (var updated = await StartAsync(new SimulatedPlatformOptions { QeSvn = SimulatedPlatformOptions.DefaultQeSvn + 1 }))
        {
            var quote = await QuoteAsync(provider, enclave, 2);
            AssertGenuine(quote, updated, 2);
            Assert.Equal(SimulatedPlatformOptions.DefaultQeSvn + 1, BitConverter.ToUInt16(quote, 8));
        }

        Assert.Equal(1, provider.Reinitializations);
    }

    [Fact]
    public async Task GetQuote_SocketBrieflyGone_RetriesUntilTheHelperIsBack()
    {
        using var provider = Provider();
        SimulatedEnclave enclave;
        await using (var daemon = await StartAsync())
        {
            enclave = SimulatedEnclave.ForSocket(SocketPath);
            await QuoteAsync(provider, enclave, 1);
        }

        var quoteTask = QuoteAsync(provider, enclave, 3);
        await Task.Delay(200);
        Assert.False(quoteTask.IsCompleted);
        await using var back = await StartAsync();

        AssertGenuine(await quoteTask.WaitAsync(TimeSpan.FromSeconds(10)), back, 3);
    }

    [Fact]
    public async Task GetQuote_NoHelperAtAll_FailsWithServiceUnavailableAfterBoundedRetries()
    {
        var enclave = new SimulatedEnclave(new Sgx.Simulation.SimulatedCpu(new byte[32], new byte[32], new byte[16]));
        using var provider = new QuoteProvider(new AesmClient(new AesmClientOptions { SocketPath = SocketPath }),
            new QuoteProviderOptions { UnavailableRetryDelay = TimeSpan.FromMilliseconds(1), MaxUnavailableRetries = 3 });

        var error = await Assert.ThrowsAsync<AesmCallException>(() => QuoteAsync(provider, enclave, 1));

        Assert.Equal(SgxStatus.ErrorServiceUnavailable, error.Status);
        Assert.Equal(Quote3Error.ServiceUnavailable, error.DcapStatus);
        Assert.Null(error.ServerError);
        Assert.Equal(SocketPath, error.SocketPath);
        Assert.Equal("ENOENT", error.ConnectFailure!.ErrorName);
        Assert.Matches(@"^InitQuoteEx failed with ErrorServiceUnavailable \(0x4001\) after 3 retries in \d+\.\d s: no socket at ", error.Message);
        Assert.EndsWith($"{error.ConnectFailure.Description} See docs/errors.md §5.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetQuote_NoHelper_RetryWhenCannotConnectOff_FailsAtOnceWithThePathAndTheError()
    {
        var enclave = new SimulatedEnclave(new Sgx.Simulation.SimulatedCpu(new byte[32], new byte[32], new byte[16]));
        Directory.CreateDirectory(Path.GetDirectoryName(SocketPath)!);
        StaleSocket.Create(SocketPath);
        using var provider = new QuoteProvider(new AesmClient(new AesmClientOptions { SocketPath = SocketPath }),
            new QuoteProviderOptions { RetryWhenCannotConnect = false, UnavailableRetryDelay = TimeSpan.FromSeconds(5) });

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var error = await Assert.ThrowsAsync<AesmCallException>(() => QuoteAsync(provider, enclave, 1));

        // One retry would have waited 5 s.
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(4));
        Assert.Equal(QuoteExCall.InitQuoteEx, error.Call);
        Assert.Equal(SgxStatus.ErrorServiceUnavailable, error.Status);
        Assert.Equal(SocketPath, error.SocketPath);
        Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, error.ConnectFailure!.SocketError);
        Assert.Equal($"InitQuoteEx failed with ErrorServiceUnavailable (0x4001): nothing listens on {SocketPath} (ECONNREFUSED): " +
            "a socket left by a helper that stopped or crashed, or a file that is not a socket. Is the quote helper running? " +
            "Starting it replaces a stale socket. See docs/errors.md §5.", error.Message);
    }

    [Fact]
    public async Task GetQuote_RetryWhenCannotConnectOff_HelperRunning_StillQuotes()
    {
        await using var daemon = await StartAsync();
        using var provider = new QuoteProvider(new AesmClient(new AesmClientOptions { SocketPath = SocketPath }),
            new QuoteProviderOptions { RetryWhenCannotConnect = false });

        AssertGenuine(await QuoteAsync(provider, SimulatedEnclave.ForSocket(SocketPath), 5), daemon, 5);
    }
}
