using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using QuoteHelper.Client;
using QuoteHelper.Daemon;
using QuoteHelper.Quoting.Hardware;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Quoting.Tests.Hardware;

/// <summary>
/// End to end: <see cref="HardwareDaemon"/> over the fake DCAP library on a temporary Unix socket, the project's
/// <see cref="AesmClient"/> doing InitQuoteEx / GetQuoteSizeEx / GetQuoteEx, and library errors reaching the client
/// through §7.3 (server) and §8.6 (client) of aesm-protocol.md.
/// </summary>
public sealed class HardwareDaemonTests
{
    private static readonly AttestationKeyId s_keyId = AttestationKeyId.DefaultEcdsaP256;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task QuoteFlow_ThroughTheDaemon_TheLibrarysQuote(bool core)
    {
        await using var run = await Run.StartAsync(core, eager: false);
        var client = run.Client;

        var init = Value(await client.InitQuoteExAsync(s_keyId, wantPublicKeyId: true, Ct), QuoteExCall.InitQuoteEx);
        var size = Value(await client.GetQuoteSizeExAsync(s_keyId, Ct), QuoteExCall.GetQuoteSizeEx);
        var report = DcapQuotingBackendTests.AppReport();
        var quote = Value(await client.GetQuoteExAsync(report, s_keyId, null, size + 64, Ct), QuoteExCall.GetQuoteEx).Quote;

        Assert.Equal(Hex.ToHex(DcapQuotingBackendTests.FakeTargetInfo()), Hex.ToHex(init.TargetInfo));
        Assert.Equal(32u, init.PublicKeyIdSize);
        Assert.Equal(run.Fake.QuoteSize, size);
        Assert.True(Quote.TryGetLength(quote, out var length));
        Assert.Equal((int)size, length);
        var parsed = Quote.Parse(quote);
        Assert.Equal(Hex.ToHex(report.AsSpan(0, ReportBody.Size)), Hex.ToHex(parsed.Body.ToArray()));
        Assert.Equal(new BackendIdentity("hardware", FakeDcap.QeSvn, FakeDcap.PceSvn, Hex.ToHex(DcapQuotingBackendTests.ExpectedPublicKeyId())),
            run.Daemon.Backend.Identity);
        if (core)
        {
            Assert.Equal(Hex.ToHex(DcapQuotingBackendTests.ExpectedPublicKeyId()), Hex.ToHex(init.PublicKeyId));
        }
    }

    [Fact]
    public async Task Start_Eager_KeyInitialisedBeforeAnyClient()
    {
        await using var run = await Run.StartAsync(core: true, eager: true);

        // No InitQuoteEx from any client, yet no 42 (design.md §5).
        var size = Value(await run.Client.GetQuoteSizeExAsync(s_keyId, Ct), QuoteExCall.GetQuoteSizeEx);

        Assert.Equal(run.Fake.QuoteSize, size);
        Assert.Equal(1, run.Fake.Calls(FakeDcapFunction.QlInitQuote));
    }

    [Fact]
    public async Task Start_EagerInitialisationFails_StillServesAndClientsSeeTheError()
    {
        using var fake = new FakeDcap();
        fake.SetResult(FakeDcapFunction.QlInitQuote, Quote3Error.NoPlatformCertData);
        await using var run = await Run.StartAsync(core: true, eager: true, fake);

        var reply = await run.Client.InitQuoteExAsync(s_keyId, wantPublicKeyId: true, Ct);

        Assert.Equal(AesmError.NoPlatformCertData, reply.ServerError);
        Assert.Equal(SgxStatus.ErrorPlatformCertUnavailable, reply.Status);
        Assert.Equal(2, fake.Calls(FakeDcapFunction.QlInitQuote));
    }

    [Fact]
    public async Task GetQuoteEx_CoreWithQeReportInfo_QeReportForTheAppsTarget()
    {
        await using var run = await Run.StartAsync(core: true, eager: true);
        var info = new byte[QeReportInfo.Size];
        RandomNumberGenerator.Fill(info.AsSpan(0, 16 + TargetInfo.Size));

        var result = Value(await run.Client.GetQuoteExAsync(DcapQuotingBackendTests.AppReport(), s_keyId, info, 8192, Ct), QuoteExCall.GetQuoteEx);

        Assert.True(Quote.TryGetLength(result.Quote, out var length));
        var returned = result.QeReportInfo!;
        Assert.Equal(Hex.ToHex(info.AsSpan(0, 16 + TargetInfo.Size)), Hex.ToHex(returned.AsSpan(0, 16 + TargetInfo.Size)));
        var expected = SHA256.HashData([.. info.AsSpan(0, 16), .. result.Quote.AsSpan(0, length)]);
        Assert.Equal(Hex.ToHex(expected), Hex.ToHex(returned.AsSpan(QeReportInfo.QeReportOffset + 320, 32)));
    }

    [Fact]
    public async Task GetQuoteEx_WrapperWithQeReportInfo_49AndTheInfoEchoedUnchanged()
    {
        await using var run = await Run.StartAsync(core: false, eager: true);
        var info = new byte[QeReportInfo.Size];
        RandomNumberGenerator.Fill(info);

        var reply = await run.Client.GetQuoteExAsync(DcapQuotingBackendTests.AppReport(), s_keyId, info, 8192, Ct);

        // 49 → SGX_ERROR_UNEXPECTED in Intel's client (aesm-protocol.md §8.6); qe_report_info echoed even on error (§6.7).
        Assert.Equal(AesmError.UnableToGenerateQeReport, reply.ServerError);
        Assert.Equal(SgxStatus.ErrorUnexpected, reply.Status);
    }

    /// <summary>A library result, the call that meets it, the AESM code (§7.3) and what Intel's client makes of it (§8.6).</summary>
    public static TheoryData<FakeDcapFunction, uint, QuoteExCall, uint, SgxStatus> LibraryErrors => new()
    {
        { FakeDcapFunction.QlInitQuote, 0xE018, QuoteExCall.InitQuoteEx, 50, SgxStatus.ErrorAttKeyCertificationFailure },
        { FakeDcapFunction.QlInitQuote, 0xE011, QuoteExCall.InitQuoteEx, 44, SgxStatus.ErrorPlatformCertUnavailable },
        { FakeDcapFunction.QlInitQuote, 0xE012, QuoteExCall.InitQuoteEx, 29, SgxStatus.ErrorOutOfEpc },
        { FakeDcapFunction.QlInitQuote, 0xE016, QuoteExCall.InitQuoteEx, 48, SgxStatus.ErrorServiceUnavailable },
        { FakeDcapFunction.QlInitQuote, 0xE014, QuoteExCall.InitQuoteEx, 46, SgxStatus.ErrorServiceUnavailable },
        { FakeDcapFunction.QlInitQuote, 0xE019, QuoteExCall.InitQuoteEx, 12, SgxStatus.ErrorNetworkFailure },
        { FakeDcapFunction.QlInitQuote, 0xE003, QuoteExCall.InitQuoteEx, 21, SgxStatus.ErrorOutOfMemory },
        { FakeDcapFunction.QlInitQuote, 0xE03F, QuoteExCall.InitQuoteEx, 1, SgxStatus.ErrorUnexpected },
        { FakeDcapFunction.QlGetQuoteSize, 0xE00F, QuoteExCall.GetQuoteSizeEx, 42, SgxStatus.ErrorAttKeyUninitialized },
        { FakeDcapFunction.QlGetQuoteSize, 0xE010, QuoteExCall.GetQuoteSizeEx, 43, SgxStatus.ErrorUnexpected },
        { FakeDcapFunction.QlGetQuoteSize, 0xE002, QuoteExCall.GetQuoteSizeEx, 3, SgxStatus.ErrorInvalidParameter },
        { FakeDcapFunction.QlGetQuote, 0xE015, QuoteExCall.GetQuoteEx, 47, SgxStatus.ErrorMacMismatch },
        { FakeDcapFunction.QlGetQuote, 0xE013, QuoteExCall.GetQuoteEx, 45, SgxStatus.ErrorMacMismatch },
        { FakeDcapFunction.QlGetQuote, 0xE00F, QuoteExCall.GetQuoteEx, 42, SgxStatus.ErrorAttKeyUninitialized },
        { FakeDcapFunction.QlGetQuote, 0xE012, QuoteExCall.GetQuoteEx, 29, SgxStatus.ErrorOutOfEpc },
        { FakeDcapFunction.QlGetQuote, 0xE017, QuoteExCall.GetQuoteEx, 49, SgxStatus.ErrorUnexpected },
        { FakeDcapFunction.QlGetQuote, 0xE00B, QuoteExCall.GetQuoteEx, 38, SgxStatus.ErrorUnsupportedAttKeyId },
        { FakeDcapFunction.QlGetQuote, 0xE040, QuoteExCall.GetQuoteEx, 1, SgxStatus.ErrorUnexpected },
    };

    [Theory]
    [MemberData(nameof(LibraryErrors))]
    public async Task LibraryError_ReachesTheClientMapped(FakeDcapFunction function, uint quote3, QuoteExCall call, uint aesm, SgxStatus status)
    {
        await using var run = await Run.StartAsync(core: true, eager: true);
        run.Fake.SetResult(function, (Quote3Error)quote3);

        var (serverError, clientStatus) = call switch
        {
            QuoteExCall.InitQuoteEx => Outcome(await run.Client.InitQuoteExAsync(s_keyId, wantPublicKeyId: true, Ct)),
            QuoteExCall.GetQuoteSizeEx => Outcome(await run.Client.GetQuoteSizeExAsync(s_keyId, Ct)),
            _ => Outcome(await run.Client.GetQuoteExAsync(DcapQuotingBackendTests.AppReport(), s_keyId, null, 8192, Ct)),
        };

        Assert.Equal((AesmError)aesm, serverError);
        Assert.Equal(status, clientStatus);
    }

    [Fact]
    public async Task GetQuoteEx_BufferSmallerThanTheQuote_3()
    {
        await using var run = await Run.StartAsync(core: true, eager: true);

        var reply = await run.Client.GetQuoteExAsync(DcapQuotingBackendTests.AppReport(), s_keyId, null, run.Fake.QuoteSize - 1, Ct);

        Assert.Equal(AesmError.ParameterError, reply.ServerError);
        Assert.Equal(SgxStatus.ErrorInvalidParameter, reply.Status);
    }

    [Fact]
    public async Task Start_LibraryMissing_TypedErrorAndNoSocket()
    {
        using var directory = new TempDirectory();
        var socket = directory.Combine("aesm.socket");
        var dcap = new DcapQuotingOptions { LibraryPath = directory.Combine("missing", "libsgx_dcap_ql.so.1") };

        var e = await Assert.ThrowsAsync<DcapLibraryException>(() =>
            HardwareDaemon.StartAsync(new AesmDaemonOptions { SocketPath = socket }, dcap, NoLogs, Ct));

        Assert.Equal(DcapLibraryError.LoadFailed, e.Reason);
        Assert.False(File.Exists(socket));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void NoLogs(ILoggingBuilder logging) => logging.ClearProviders();

    private static T Value<T>(AesmReply<T> reply, QuoteExCall call) => reply.GetValueOrThrow(call);

    private static (AesmError?, SgxStatus) Outcome<T>(AesmReply<T> reply) => (reply.ServerError, reply.Status);

    /// <summary>A fake library copy, the daemon over it on a temporary socket, and a client for that socket.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private readonly TempDirectory _directory;
        private readonly bool _ownsFake;

        private Run(TempDirectory directory, FakeDcap fake, bool ownsFake, AesmDaemon daemon)
        {
            _directory = directory;
            _ownsFake = ownsFake;
            Fake = fake;
            Daemon = daemon;
            Client = new AesmClient(new AesmClientOptions { SocketPath = daemon.Options.SocketPath });
        }

        public FakeDcap Fake { get; }

        public AesmDaemon Daemon { get; }

        public AesmClient Client { get; }

        public static async Task<Run> StartAsync(bool core, bool eager, FakeDcap? fake = null)
        {
            var directory = new TempDirectory();
            var ownsFake = fake is null;
            fake ??= new FakeDcap();
            try
            {
                var dcap = fake.Options(core);
                dcap.EagerAttestationKey = eager;
                var daemon = await HardwareDaemon.StartAsync(new AesmDaemonOptions { SocketPath = directory.Combine("aesm.socket") }, dcap, NoLogs, Ct);
                return new Run(directory, fake, ownsFake, daemon);
            }
            catch
            {
                if (ownsFake)
                {
                    fake.Dispose();
                }

                directory.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Daemon.DisposeAsync();
            if (_ownsFake)
            {
                Fake.Dispose();
            }

            _directory.Dispose();
        }
    }
}
