using System.Security.Cryptography;
using QuoteHelper.Quoting.Simulation;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;
using QuoteHelper.Sgx.Simulation;

namespace QuoteHelper.Quoting.Tests.Simulation;

/// <summary>QE3 emulation: key certification, quote assembly, MAC checks (dcap-quote.md §3, §8.2).</summary>
public sealed class SimulatedQuotingEnclaveTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private SimulatedPlatform Open(SimulatedPlatformOptions? options = null) =>
        SimulatedPlatform.Open(_temp.Path, options ?? new SimulatedPlatformOptions(), TimeProvider.System);

    private static byte[] AppReport(SimulatedPlatform platform, TargetInfo target, byte fill = 0x42)
    {
        var body = new ReportBody
        {
            MrEnclave = Enumerable.Repeat((byte)0x11, 32).ToArray(),
            MrSigner = Enumerable.Repeat((byte)0x22, 32).ToArray(),
            Attributes = new SgxAttributes(SgxAttributeFlags.Initted | SgxAttributeFlags.Mode64Bit, 0xE7),
            IsvProdId = 7,
            IsvSvn = 3,
            ReportData = Enumerable.Repeat(fill, 64).ToArray(),
        };
        return SimulatedReportKey.CreateReport(platform.Cpu, body, target).ToArray();
    }

    private static (byte[] TargetInfo, byte[] PublicKeyId) Init(SimulatedQuotingEnclave qe)
    {
        var target = new byte[TargetInfo.Size];
        var id = new byte[32];
        Assert.Equal(AesmError.Success, qe.InitializeAttestationKey(target, id));
        return (target, id);
    }

    [Fact]
    public void GetQuote_ValidReport_ProducesAQuoteThatVerifiesIndependently()
    {
        using var platform = Open();
        using var qe = new SimulatedQuotingEnclave(platform, eagerAttestationKey: true);
        var report = AppReport(platform, platform.QeTargetInfo);
        Assert.Equal(AesmError.Success, qe.GetQuoteSize(out var size));
        var buffer = new byte[size + 100];

        Assert.Equal(AesmError.Success, qe.GetQuote(report, [], buffer, out var length));

        Assert.Equal((int)size, length);
        Assert.Equal(1052 + platform.PckChainPem.Length + 1, length); // + the trailing NUL (dcap-quote.md §1.5)
        Assert.All(buffer[length..], b => Assert.Equal(0, b)); // nothing written past the quote
        var quote = buffer[..length];
        var checkedQuote = IndependentQuoteCheck.Verify(quote, platform.RootCertificate);
        Assert.Equal(report[..384], checkedQuote.IsvReportBody);
        Assert.Equal(platform.QeSvn, BitConverter.ToUInt16(quote, 8));
        Assert.Equal(platform.PceSvn, BitConverter.ToUInt16(quote, 10));
        Assert.Equal([.. platform.QeId, 0, 0, 0, 0], quote[28..48]);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), quote[1014..1046]); // auth data 00..1f
        Assert.Equal(platform.QeSvn, BitConverter.ToUInt16(checkedQuote.QeReportBody, 258));
        Assert.Equal(SimulatedPlatform.QeMrEnclave(platform.QeSvn), checkedQuote.QeReportBody[64..96]);
    }

    [Fact]
    public void InitializeAttestationKey_ReturnsQeTargetAndSha256OfKeyAndAuthData()
    {
        using var platform = Open();
        using var qe = new SimulatedQuotingEnclave(platform, eagerAttestationKey: true);
        var (target, id) = Init(qe);
        qe.GetQuoteSize(out var size);
        var quote = new byte[size];
        qe.GetQuote(AppReport(platform, platform.QeTargetInfo), [], quote, out _);

        Assert.Equal(platform.QeTargetInfo.ToArray(), target);
        Assert.Equal(SHA256.HashData([.. quote[500..564], .. Enumerable.Range(0, 32).Select(i => (byte)i)]), id);
        Assert.Equal(Convert.ToHexStringLower(id), qe.Identity.AttestationKeyId);
    }

    [Fact]
    public void Restart_SameStateDirectory_KeepsTheAttestationKey()
    {
        byte[] first;
        using (var platform = Open())
        using (var qe = new SimulatedQuotingEnclave(platform, eagerAttestationKey: true))
        {
            first = Init(qe).PublicKeyId;
        }

        using var again = Open();
        using var restarted = new SimulatedQuotingEnclave(again, eagerAttestationKey: true);

        // Served at once, without InitQuoteEx: the key was re-loaded eagerly.
        Assert.Equal(AesmError.Success, restarted.GetQuoteSize(out var size));
        var quote = new byte[size];
        Assert.Equal(AesmError.Success, restarted.GetQuote(AppReport(again, again.QeTargetInfo), [], quote, out _));
        Assert.Equal(first, Init(restarted).PublicKeyId);
    }

    [Fact]
    public void Lazy_BeforeInitialization_Answers42LikeIntel()
    {
        using var platform = Open();
        using var qe = new SimulatedQuotingEnclave(platform, eagerAttestationKey: false);

        Assert.Equal(AesmError.AttKeyNotInitialized, qe.GetQuoteSize(out var size));
        Assert.Equal(0u, size);
        Assert.Equal(AesmError.AttKeyNotInitialized, qe.GetQuote(AppReport(platform, platform.QeTargetInfo), [], new byte[8192], out _));
        Assert.Equal(string.Empty, qe.Identity.AttestationKeyId);

        Init(qe);
        Assert.Equal(AesmError.Success, qe.GetQuoteSize(out _));
    }

    [Fact]
    public void GetQuote_BufferOneByteTooSmall_Answers3()
    {
        using var platform = Open();
        using var qe = new SimulatedQuotingEnclave(platform, eagerAttestationKey: true);
        qe.GetQuoteSize(out var size);

        Assert.Equal(AesmError.ParameterError, qe.GetQuote(AppReport(platform, platform.QeTargetInfo), [], new byte[size - 1], out var length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void GetQuote_ReportForAnotherTargetOrTampered_Answers47()
    {
        using var platform = Open();
        using var qe = new SimulatedQuotingEnclave(platform, eagerAttestationKey: true);
        qe.GetQuoteSize(out var size);
        var other = SimulatedPlatform.CreateQeTargetInfo((ushort)(platform.QeSvn + 1));
        var tampered = AppReport(platform, platform.QeTargetInfo);
        tampered[368] ^= 1; // report_data

        Assert.Equal(AesmError.InvalidReport, qe.GetQuote(AppReport(platform, other), [], new byte[size], out _));
        Assert.Equal(AesmError.InvalidReport, qe.GetQuote(tampered, [], new byte[size], out _));
    }

    [Fact]
    public void GetQuote_WithQeReportInfo_FillsAReportForTheAppBindingNonceAndQuote()
    {
        using var platform = Open();
        using var qe = new SimulatedQuotingEnclave(platform, eagerAttestationKey: true);
        qe.GetQuoteSize(out var size);
        var appTarget = new TargetInfo { MrEnclave = Enumerable.Repeat((byte)0x11, 32).ToArray(), Attributes = new SgxAttributes(SgxAttributeFlags.Initted, 0xE7) };
        var nonce = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();
        var info = new QeReportInfo { Nonce = nonce, AppEnclaveTargetInfo = appTarget }.ToArray();
        var sent = (byte[])info.Clone();
        var quote = new byte[size];

        Assert.Equal(AesmError.Success, qe.GetQuote(AppReport(platform, platform.QeTargetInfo), info, quote, out var length));

        Assert.Equal(sent[..528], info[..528]); // nonce and target info untouched
        var qeReport = info[528..];
        Assert.True(SimulatedReportKey.Verify(platform.ReportSecret, appTarget, qeReport));
        Assert.Equal(SHA256.HashData([.. nonce, .. quote[..length]]), qeReport[320..352]);
        Assert.Equal(new byte[32], qeReport[352..384]);
        Assert.Equal(SimulatedPlatform.QeMrEnclave(platform.QeSvn), qeReport[64..96]);
    }

    [Fact]
    public void QeUpdate_NewKeyCertifiedAndOldReportsRejected()
    {
        byte[] oldTarget;
        byte[] oldId;
        using (var platform = Open())
        using (var qe = new SimulatedQuotingEnclave(platform, eagerAttestationKey: true))
        {
            (oldTarget, oldId) = Init(qe);
        }

        using var updated = Open(new SimulatedPlatformOptions { QeSvn = SimulatedPlatformOptions.DefaultQeSvn + 1 });
        using var newQe = new SimulatedQuotingEnclave(updated, eagerAttestationKey: true);
        var (newTarget, newId) = Init(newQe);
        newQe.GetQuoteSize(out var size);

        Assert.NotEqual(oldTarget, newTarget);
        Assert.NotEqual(oldId, newId);
        Assert.Equal(AesmError.InvalidReport, newQe.GetQuote(AppReport(updated, TargetInfo.Read(oldTarget)), [], new byte[size], out _));
        var quote = new byte[size];
        Assert.Equal(AesmError.Success, newQe.GetQuote(AppReport(updated, TargetInfo.Read(newTarget)), [], quote, out _));
        var checkedQuote = IndependentQuoteCheck.Verify(quote, updated.RootCertificate);
        Assert.Equal(updated.QeSvn, BitConverter.ToUInt16(checkedQuote.QeReportBody, 258));
    }

    [Fact]
    public void GetQuote_ConcurrentCallers_AllQuotesVerify()
    {
        using var platform = Open();
        using var qe = new SimulatedQuotingEnclave(platform, eagerAttestationKey: true);
        qe.GetQuoteSize(out var size);
        var quotes = new byte[64][];

        Parallel.For(0, quotes.Length, i =>
        {
            var quote = new byte[size];
            Assert.Equal(AesmError.Success, qe.GetQuote(AppReport(platform, platform.QeTargetInfo, (byte)i), [], quote, out _));
            quotes[i] = quote;
        });

        for (var i = 0; i < quotes.Length; i++)
        {
            var result = IndependentQuoteCheck.Verify(quotes[i], platform.RootCertificate);
            Assert.Equal((byte)i, result.IsvReportBody[320]);
        }
    }
}
