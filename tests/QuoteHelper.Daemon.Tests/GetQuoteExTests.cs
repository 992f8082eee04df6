using System.Security.Cryptography;
using QuoteHelper.Aesm.Protocol;
using QuoteHelper.Quoting.Simulation;
using QuoteHelper.Sgx;
using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// GetQuoteEx (aesm-protocol.md §6.7): the quote buffer, the qe_report_info echo and QE report, every check in
/// Intel's order, and an independent check of the quote returned.
/// </summary>
public sealed class GetQuoteExTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private static readonly byte[] s_nonce = [.. Enumerable.Range(0xA0, 16).Select(i => (byte)i)];

    private readonly DaemonHost _host = fixture.Host;

    private SimulatedPlatform Platform => _host.Platform;

    [Fact]
    public async Task GetQuoteEx_ValidReportWithQeReportInfo_PaddedQuoteAndFilledQeReport()
    {
        var app = QuoteSupport.AppEnclave(_host);
        var report = QuoteSupport.Report(app, Platform.QeTargetInfo);
        var qeReportInfo = QuoteSupport.QeReportInfo(s_nonce, app.TargetInfo);
        const int bufSize = 8192;

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, qeReportInfo, bufSize));

        var response = reply.Decode().GetQuoteExRes;
        var quote = response.Quote.ToByteArray();
        var returnedInfo = response.QeReportInfo.ToByteArray();
        Assert.Equal(ToHex(GetQuoteExSuccess(quote, returnedInfo)), reply.Hex); // errorCode 0, quote, qe_report_info; nothing else

        // quote: exactly buf_size bytes, the real quote then zeros (§6.7 response rules).
        Assert.Equal(bufSize, quote.Length);
        var length = QuoteSupport.RealLength(quote);
        Assert.InRange(length, 1052, bufSize);
        Assert.Equal(-1, quote.AsSpan(length).IndexOfAnyExcept((byte)0));
        var trimmed = quote[..length];
        var check = IndependentQuoteCheck.Verify(trimmed, _host.Root);
        Assert.Equal(ToHex(report.AsSpan(0, ReportBody.Size)), ToHex(check.IsvReportBody));
        Assert.Equal(Platform.QeSvn, BitConverter.ToUInt16(trimmed, 8));
        Assert.Equal(Platform.PceSvn, BitConverter.ToUInt16(trimmed, 10));
        Assert.Equal(ToHex(Platform.PckCertificate.RawData), ToHex(check.Certificates[0].RawData));

        // qe_report_info: nonce and app target info as sent, QE report filled in (§6.7).
        Assert.Equal(960, returnedInfo.Length);
        Assert.Equal(ToHex(qeReportInfo.AsSpan(0, 528)), ToHex(returnedInfo.AsSpan(0, 528)));
        var qeReport = returnedInfo.AsSpan(528, 432).ToArray();
        byte[] expectedReportData = [.. SHA256.HashData([.. s_nonce, .. trimmed]), .. new byte[32]];
        Assert.Equal(ToHex(expectedReportData), ToHex(qeReport.AsSpan(320, 64)));
        Assert.Equal(ToHex(Platform.QeTargetInfo.MrEnclave), ToHex(qeReport.AsSpan(64, 32)));
        Assert.True(app.VerifyReport(qeReport), "the QE report's MAC does not verify for the app enclave's target");
    }

    [Fact]
    public async Task GetQuoteEx_WithoutQeReportInfo_NoQeReportInfoField()
    {
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(_host), Platform.QeTargetInfo);

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 6000));

        var quote = reply.Decode().GetQuoteExRes.Quote.ToByteArray();
        Assert.Equal(ToHex(GetQuoteExSuccess(quote, null)), reply.Hex);
        Assert.Equal(6000, quote.Length);
        IndependentQuoteCheck.Verify(quote[..QuoteSupport.RealLength(quote)], _host.Root);
    }

    [Fact]
    public async Task GetQuoteEx_BufSizeExactlyQuoteSize_UnpaddedQuote()
    {
        var size = await QuoteSizeAsync();
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(_host), Platform.QeTargetInfo);

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, size));

        var quote = reply.Decode().GetQuoteExRes.Quote.ToByteArray();
        Assert.Equal((int)size, quote.Length);
        Assert.Equal((int)size, QuoteSupport.RealLength(quote));
        IndependentQuoteCheck.Verify(quote, _host.Root);
    }

    [Fact]
    public async Task GetQuoteEx_BufSizeAtCap_WholeBufferReturned()
    {
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(_host), Platform.QeTargetInfo);

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, AesmLimits.MaxQuoteBufferSize));

        var quote = reply.Decode().GetQuoteExRes.Quote.ToByteArray();
        Assert.Equal(AesmLimits.MaxQuoteBufferSize, quote.Length);
        Assert.Equal(-1, quote.AsSpan(QuoteSupport.RealLength(quote)).IndexOfAnyExcept((byte)0));
    }

    [Fact]
    public async Task GetQuoteEx_DebugEnclaveReport_Accepted()
    {
        // Nothing about the app enclave is checked besides the MAC (§6.7 #7): no debug or attribute policy in the QE.
        var app = new Client.SimulatedEnclave(Platform.Cpu)
        {
            Attributes = new SgxAttributes(SgxAttributeFlags.Initted | SgxAttributeFlags.Debug | SgxAttributeFlags.Mode64Bit, 0x3),
        };
        var report = QuoteSupport.Report(app, Platform.QeTargetInfo);

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 8192));

        Assert.Equal(Success, reply.Decode().GetQuoteExRes.ErrorCode);
    }

    [Fact]
    public async Task GetQuoteEx_ExtensionBytesModified_Accepted()
    {
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(_host), Platform.QeTargetInfo);

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyIdWithExtension(0x31), null, 8192));

        Assert.Equal(Success, reply.Decode().GetQuoteExRes.ErrorCode);
    }

    // ---- checks in Intel's order (§6.7) ----

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task GetQuoteEx_RequiredFieldMissing_UnexpectedErrorOnly(bool withReport, bool withBufSize)
    {
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(_host), Platform.QeTargetInfo);
        var info = QuoteSupport.QeReportInfo(s_nonce, QuoteSupport.AppEnclave(_host).TargetInfo);

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(withReport ? report : null, DefaultKeyId, info, withBufSize ? 8192u : null));

        // #1: errorCode 1 only — not even the qe_report_info the request carried.
        Assert.Equal("050000008a01020801", reply.Hex);
    }

    [Fact]
    public async Task GetQuoteEx_KeyIdAbsent_ParameterErrorQeReportInfoEchoed()
    {
        var (report, info) = ValidRequestParts();

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, null, info, 8192));

        Assert.Equal(ToHex(GetQuoteExError(ParameterError, info)), reply.Hex);
    }

    [Fact]
    public async Task GetQuoteEx_KeyId255BytesNoQeReportInfo_ParameterErrorOnly()
    {
        var (report, _) = ValidRequestParts();

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId[..255], null, 8192));

        Assert.Equal("050000008a01020803", reply.Hex);
    }

    [Fact]
    public async Task GetQuoteEx_UnknownBase_UnsupportedQeReportInfoEchoed()
    {
        var (report, info) = ValidRequestParts();
        var keyId = DefaultKeyId;
        keyId[100] = 1; // config_id

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, keyId, info, 8192));

        Assert.Equal(ToHex(GetQuoteExError(UnsupportedAttKeyId, info)), reply.Hex);
    }

    [Fact]
    public async Task GetQuoteEx_UnknownBaseAndShortReport_KeyIdCheckedFirst()
    {
        var (report, _) = ValidRequestParts();
        var keyId = DefaultKeyId;
        keyId[154] = 1;

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report[..431], keyId, null, 8192));

        Assert.Equal(ToHex(ErrorOnly(GetQuoteEx, UnsupportedAttKeyId)), reply.Hex);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(384)]
    [InlineData(431)]
    [InlineData(433)]
    [InlineData(864)]
    public async Task GetQuoteEx_ReportNot432Bytes_ParameterErrorQeReportInfoEchoed(int length)
    {
        var (report, info) = ValidRequestParts();
        var sent = report.Concat(report).Take(length).ToArray();

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(sent, DefaultKeyId, info, 8192));

        Assert.Equal(ToHex(GetQuoteExError(ParameterError, info)), reply.Hex);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(959)]
    [InlineData(961)]
    public async Task GetQuoteEx_QeReportInfoNot960Bytes_ParameterErrorEchoedAsSent(int length)
    {
        var (report, info) = ValidRequestParts();
        var sent = info.Append((byte)0x7E).Take(length).ToArray();

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, sent, 8192));

        Assert.Equal(ToHex(GetQuoteExError(ParameterError, sent)), reply.Hex);
    }

    [Fact]
    public async Task GetQuoteEx_BufSizeOneBelowQuoteSize_ParameterErrorQeReportInfoEchoed()
    {
        var size = await QuoteSizeAsync();
        var (report, info) = ValidRequestParts();

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, info, size - 1));

        Assert.Equal(ToHex(GetQuoteExError(ParameterError, info)), reply.Hex);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(64u)]
    public async Task GetQuoteEx_BufSizeTiny_ParameterError(uint bufSize)
    {
        var (report, _) = ValidRequestParts();

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, bufSize));

        Assert.Equal("050000008a01020803", reply.Hex);
    }

    [Theory]
    [InlineData(AesmLimits.MaxQuoteBufferSize + 1u)]
    [InlineData(0x8000_0000u)]
    [InlineData(uint.MaxValue)]
    public async Task GetQuoteEx_BufSizeAboveCap_ParameterErrorWithoutAllocating(uint bufSize)
    {
        var (report, info) = ValidRequestParts();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, info, bufSize));

        // Intel allocates buf_size unchecked; the daemon answers 3 (checklist item 7) and never allocates it: the
        // whole process allocated far less than the 2–4 GiB the large values ask for.
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.Equal(ToHex(GetQuoteExError(ParameterError, info)), reply.Hex);
        Assert.True(allocated < 256L * 1024 * 1024, $"{allocated} bytes allocated while answering buf_size {bufSize}");
    }

    [Fact]
    public async Task GetQuoteEx_ReportForAnotherTarget_InvalidReportQeReportInfoEchoedUnchanged()
    {
        var app = QuoteSupport.AppEnclave(_host);
        var report = QuoteSupport.Report(app, app.TargetInfo); // MACed for the app itself, not for the QE
        var info = QuoteSupport.QeReportInfo(s_nonce, app.TargetInfo);

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, info, 8192));

        Assert.Equal(ToHex(GetQuoteExError(InvalidReport, info)), reply.Hex);
    }

    [Fact]
    public async Task GetQuoteEx_ReportForOtherQeSvn_InvalidReport()
    {
        var app = QuoteSupport.AppEnclave(_host);
        var report = QuoteSupport.Report(app, SimulatedPlatform.CreateQeTargetInfo((ushort)(Platform.QeSvn + 1)));

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 8192));

        Assert.Equal("050000008a0102082f", reply.Hex);
    }

    [Theory]
    [InlineData(0)]   // cpu_svn
    [InlineData(64)]  // mr_enclave
    [InlineData(320)] // report_data
    [InlineData(383)] // last body byte
    [InlineData(384)] // key_id
    [InlineData(416)] // first MAC byte
    [InlineData(431)] // last MAC byte
    public async Task GetQuoteEx_ReportByteTampered_InvalidReportQeReportInfoEchoedUnchanged(int offset)
    {
        var (report, info) = ValidRequestParts();
        report[offset] ^= 0x01;

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, info, 8192));

        Assert.Equal(ToHex(GetQuoteExError(InvalidReport, info)), reply.Hex);
    }

    [Fact]
    public async Task GetQuoteEx_UnmacedReportAndSmallBuffer_BufferCheckedBeforeMac()
    {
        // §6.7 order: #6 buf_size < quote size (3) comes before #7 the report MAC (47).
        var (report, _) = ValidRequestParts();
        report[400] ^= 0xFF;

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 64));

        Assert.Equal("050000008a01020803", reply.Hex);
    }

    private (byte[] Report, byte[] QeReportInfo) ValidRequestParts()
    {
        var app = QuoteSupport.AppEnclave(_host);
        return (QuoteSupport.Report(app, Platform.QeTargetInfo), QuoteSupport.QeReportInfo(s_nonce, app.TargetInfo));
    }

    private async Task<uint> QuoteSizeAsync()
    {
        var reply = await _host.ExchangeAsync(GetQuoteSizeExRequest(DefaultKeyId));
        return reply.Decode().GetQuoteSizeExRes.QuoteSize;
    }
}
