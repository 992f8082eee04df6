using QuoteHelper.Quoting.Simulation;
using QuoteHelper.Sgx;
using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// Restarts over the same state directory (aesm-protocol.md §10): the attestation key survives (eager by default),
/// Intel's "42 until InitQuoteEx" when eager loading is off, and a QE update changes the target info.
/// </summary>
public sealed class RestartTests
{
    [Fact]
    public async Task RestartAsync_SameStateDirectory_SameKeyAndQuoteWithoutInitQuoteEx()
    {
        await using var host = await DaemonHost.StartAsync();
        var before = (await host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, true, 32))).Hex;
        var rootBefore = host.Root.RawData;

        await host.RestartAsync();

        // GetQuoteEx first, without any InitQuoteEx since the restart: the key was loaded at start.
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(host), host.Platform.QeTargetInfo);
        var quoteReply = await host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 8192));
        var quote = quoteReply.Decode().GetQuoteExRes.Quote.ToByteArray();
        var check = IndependentQuoteCheck.Verify(quote[..QuoteSupport.RealLength(quote)], host.Root);
        Assert.Equal(rootBefore, host.Root.RawData);

        var after = await host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, true, 32));
        Assert.Equal(before, after.Hex); // same target info, same pub_key_id
        Assert.Equal(ToHex(PublicKeyId(check.AttestationPublicKey)), ToHex(after.Decode().InitQuoteExRes.PubKeyId.Span));
    }

    [Fact]
    public async Task GetQuoteEx_EagerKeyOff_AttKeyNotInitializedUntilInitQuoteEx()
    {
        await using var host = await DaemonHost.StartAsync(platformOptions: new SimulatedPlatformOptions { EagerAttestationKey = false });
        var app = QuoteSupport.AppEnclave(host);
        var report = QuoteSupport.Report(app, host.Platform.QeTargetInfo);
        var info = QuoteSupport.QeReportInfo(new byte[16], app.TargetInfo);

        // Appendix B rows for 42: quote_size 0 present; GetQuoteEx errorCode only (or with the qe_report_info echo).
        Assert.Equal("07000000820104082a1000", (await host.ExchangeAsync(GetQuoteSizeExRequest(DefaultKeyId))).Hex);
        Assert.Equal("050000008a0102082a", (await host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 8192))).Hex);
        Assert.Equal(ToHex(GetQuoteExError(AttKeyNotInitialized, info)), (await host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, info, 8192))).Hex);

        // The size query does not create the key (§6.5).
        await host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, false, null));
        Assert.Equal("07000000820104082a1000", (await host.ExchangeAsync(GetQuoteSizeExRequest(DefaultKeyId))).Hex);

        var init = (await host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, true, 32))).Decode().InitQuoteExRes;
        Assert.Equal(Success, init.ErrorCode);

        Assert.Equal(Success, (await host.ExchangeAsync(GetQuoteSizeExRequest(DefaultKeyId))).Decode().GetQuoteSizeExRes.ErrorCode);
        var quote = (await host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 8192))).Decode().GetQuoteExRes.Quote.ToByteArray();
        var check = IndependentQuoteCheck.Verify(quote[..QuoteSupport.RealLength(quote)], host.Root);
        Assert.Equal(ToHex(PublicKeyId(check.AttestationPublicKey)), ToHex(init.PubKeyId.Span));
    }

    [Fact]
    public async Task RestartAsync_EagerKeyOffWithPersistedKey_AttKeyNotInitializedThenSameKey()
    {
        await using var host = await DaemonHost.StartAsync();
        var before = (await host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, true, 32))).Hex;

        await host.RestartAsync(new SimulatedPlatformOptions { EagerAttestationKey = false });

        // Intel's behaviour after any restart (§10.1): 42 until InitQuoteEx; the persisted key then comes back.
        Assert.Equal("07000000820104082a1000", (await host.ExchangeAsync(GetQuoteSizeExRequest(DefaultKeyId))).Hex);
        Assert.Equal(before, (await host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, true, 32))).Hex);
    }

    [Fact]
    public async Task RestartAsync_HigherQeSvn_OldReportInvalidNewTargetInfoWorks()
    {
        await using var host = await DaemonHost.StartAsync();
        var oldTarget = (await host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, true, 32))).Decode().InitQuoteExRes.TargetInfo.ToByteArray();
        var oldKeyId = (await host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, true, 32))).Decode().InitQuoteExRes.PubKeyId.ToByteArray();
        var app = QuoteSupport.AppEnclave(host);
        var oldReport = QuoteSupport.Report(app, TargetInfo.Read(oldTarget));
        var oldQeSvn = host.Platform.QeSvn;
        var newQeSvn = (ushort)(oldQeSvn + 1);

        await host.RestartAsync(new SimulatedPlatformOptions { QeSvn = newQeSvn });

        // A report made for the previous QE's target info no longer verifies (§10.2): 47.
        Assert.Equal("050000008a0102082f", (await host.ExchangeAsync(GetQuoteExRequest(oldReport, DefaultKeyId, null, 8192))).Hex);

        // The client's recovery (§10.3): InitQuoteEx again, new target info (new MRENCLAVE), new report.
        var init = (await host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, true, 32))).Decode().InitQuoteExRes;
        var newTarget = init.TargetInfo.ToByteArray();
        Assert.NotEqual(ToHex(oldTarget.AsSpan(0, 32)), ToHex(newTarget.AsSpan(0, 32)));
        Assert.Equal(ToHex(SimulatedPlatform.QeMrEnclave(newQeSvn)), ToHex(newTarget.AsSpan(0, 32)));
        Assert.NotEqual(ToHex(oldKeyId), ToHex(init.PubKeyId.Span)); // a new QE certifies a new attestation key

        var newReport = QuoteSupport.Report(app, TargetInfo.Read(newTarget));
        var quote = (await host.ExchangeAsync(GetQuoteExRequest(newReport, DefaultKeyId, null, 8192))).Decode().GetQuoteExRes.Quote.ToByteArray();
        var trimmed = quote[..QuoteSupport.RealLength(quote)];
        var check = IndependentQuoteCheck.Verify(trimmed, host.Root);
        Assert.Equal(newQeSvn, BitConverter.ToUInt16(trimmed, 8));
        Assert.Equal(ToHex(newReport.AsSpan(0, 384)), ToHex(check.IsvReportBody));
        Assert.Equal(ToHex(SimulatedPlatform.QeMrEnclave(newQeSvn)), ToHex(check.QeReportBody.AsSpan(64, 32)));
    }
}
