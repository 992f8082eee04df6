using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// aesm-protocol.md Appendix A: the requests Intel's client put on the wire, sent byte for byte; each is answered in
/// the same response field, and where the answer does not depend on the platform it equals the recorded response
/// exactly.
/// </summary>
public sealed class AppendixATests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    // A.6: prefix 4 + "8a01 fe0c" 4 + "0a b003" 3 + report 432 + "12 8002" 3 + key id 256 + "1a c007" 3.
    private const int A6QeReportInfoOffset = 705;

    private readonly DaemonHost _host = fixture.Host;

    [Fact]
    public async Task A1GetSupportedAttKeyIdNum_RecordedRequest_RecordedResponseExactly()
    {
        var reply = await _host.ExchangeAsync(Hex.FromHex(AppendixA.A1GetSupportedAttKeyIdNumRequest));

        Assert.Equal("07000000aa010408001001", reply.Hex);
        Assert.Equal(Hex.ToHex(Hex.FromHex(AppendixA.A1GetSupportedAttKeyIdNumResponse)), reply.Hex);
    }

    [Fact]
    public async Task A2GetSupportedAttKeyIds_RecordedRequest_RecordedResponseExactly()
    {
        var reply = await _host.ExchangeAsync(Hex.FromHex(AppendixA.A2GetSupportedAttKeyIdsRequest));

        Assert.Equal(Hex.ToHex(Hex.FromHex(AppendixA.A2GetSupportedAttKeyIdsResponse)), reply.Hex);
    }

    [Fact]
    public async Task A3InitQuoteExSizeQuery_RecordedRequest_RecordedResponseExactly()
    {
        var reply = await _host.ExchangeAsync(Hex.FromHex(AppendixA.A3InitQuoteExSizeQueryRequest));

        // 512 zero bytes of target_info, pub_key_id_size 32, no pub_key_id (§6.5).
        Assert.Equal(Hex.ToHex(Hex.FromHex(AppendixA.A3InitQuoteExSizeQueryResponse)), reply.Hex);
    }

    [Fact]
    public async Task A4InitQuoteEx_RecordedRequest_RecordedShapeWithRealTargetInfoAndKeyId()
    {
        var reply = await _host.ExchangeAsync(Hex.FromHex(AppendixA.A4InitQuoteExWithKeyRequest));

        var response = reply.Decode().InitQuoteExRes;
        Assert.Equal(Success, response.ErrorCode);
        Assert.Equal(Hex.ToHex(_host.Platform.QeTargetInfo.ToArray()), Hex.ToHex(response.TargetInfo.Span));
        Assert.Equal(32UL, response.PubKeyIdSize);
        Assert.Equal(32, response.PubKeyId.Length);

        // Same bytes as the recorded response once its placeholder values (512 zeros, 32 × 0x44) are put back:
        // prefix, tags, lengths and field order are identical. Target info is at 12..523
        // (after "2c020000 7a a904 0800 12 8004"), pub_key_id the last 32.
        var recorded = Hex.FromHex(AppendixA.A4InitQuoteExWithKeyResponse);
        var ours = reply.Bytes.ToArray();
        Assert.Equal(recorded.Length, ours.Length);
        ours.AsSpan(12, 512).Clear();
        ours.AsSpan(ours.Length - 32).Fill(0x44);
        Assert.Equal(Hex.ToHex(recorded), Hex.ToHex(ours));
    }

    [Fact]
    public async Task A5GetQuoteSizeEx_RecordedRequest_RecordedShapeWithOurSize()
    {
        var reply = await _host.ExchangeAsync(Hex.FromHex(AppendixA.A5GetQuoteSizeExRequest));

        // "08000000 8201 05 0800 10 <2-byte varint>": the recorded 4702 is another platform's size.
        var size = reply.Decode().GetQuoteSizeExRes.QuoteSize;
        Assert.InRange(size, 128u, (128u * 128) - 1); // a 2-byte varint like the recorded one
        Assert.Equal(ToHex(GetQuoteSizeExResponse(Success, size)), reply.Hex);
        Assert.Equal(AppendixA.A5GetQuoteSizeExResponse[..20], reply.Hex[..20]);
    }

    [Fact]
    public async Task A6GetQuoteEx_RecordedRequest_ParameterErrorQeReportInfoEchoedExactly()
    {
        var request = Hex.FromHex(AppendixA.A6GetQuoteExRequest);
        var qeReportInfo = request.AsSpan(A6QeReportInfoOffset, 960).ToArray();
        Assert.Equal(Enumerable.Repeat((byte)0x22, 16), qeReportInfo[..16]);

        var reply = await _host.ExchangeAsync(request);

        // The recording asks for buf_size = 64, far below our quote size: §6.7 check #6 (buffer too small → 3) comes
        // before #7 (report MAC → 47), so the unMACed 432 × 0x11 report is not looked at. qe_report_info is echoed.
        Assert.Equal(ToHex(GetQuoteExError(ParameterError, qeReportInfo)), reply.Hex);
    }

    [Fact]
    public async Task A6GetQuoteEx_RecordedValuesWithLargeBuffer_InvalidReportQeReportInfoEchoedExactly()
    {
        var recorded = Hex.FromHex(AppendixA.A6GetQuoteExRequest);
        var report = recorded.AsSpan(11, 432).ToArray();
        var keyId = recorded.AsSpan(446, 256).ToArray();
        var qeReportInfo = recorded.AsSpan(A6QeReportInfoOffset, 960).ToArray();
        Assert.All(report, b => Assert.Equal(0x11, b));
        Assert.Equal(ToHex(DefaultKeyId), ToHex(keyId));

        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, keyId, qeReportInfo, 8192));

        // 432 × 0x11 is not MACed for our QE: 47 (§6.7 #7), qe_report_info echoed byte for byte.
        Assert.Equal(ToHex(GetQuoteExError(InvalidReport, qeReportInfo)), reply.Hex);
    }

    [Fact]
    public async Task A6GetQuoteEx_RebuiltWithProto_EqualsRecordedRequest()
    {
        // The hand-written request builder used throughout these tests produces Intel's bytes exactly.
        var recorded = Hex.FromHex(AppendixA.A6GetQuoteExRequest);
        var report = recorded.AsSpan(11, 432).ToArray();
        var qeReportInfo = recorded.AsSpan(A6QeReportInfoOffset, 960).ToArray();

        Assert.Equal(ToHex(recorded), ToHex(GetQuoteExRequest(report, DefaultKeyId, qeReportInfo, 64)));
        Assert.Equal(Hex.ToHex(Hex.FromHex(AppendixA.A3InitQuoteExSizeQueryRequest)), ToHex(InitQuoteExRequest(DefaultKeyId, false, null)));
        Assert.Equal(Hex.ToHex(Hex.FromHex(AppendixA.A4InitQuoteExWithKeyRequest)), ToHex(InitQuoteExRequest(DefaultKeyId, true, 32)));
        Assert.Equal(Hex.ToHex(Hex.FromHex(AppendixA.A5GetQuoteSizeExRequest)), ToHex(GetQuoteSizeExRequest(DefaultKeyId)));
        Assert.Equal(Hex.ToHex(Hex.FromHex(AppendixA.A2GetSupportedAttKeyIdsRequest)), ToHex(GetSupportedAttKeyIdsRequest(256)));
        Assert.Equal(Hex.ToHex(Hex.FromHex(AppendixA.A1GetSupportedAttKeyIdNumRequest)), ToHex(GetSupportedAttKeyIdNumRequest()));
    }
}
