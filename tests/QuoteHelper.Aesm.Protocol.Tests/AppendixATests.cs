using Google.Protobuf;
using QuoteHelper.Aesm.Protocol.Messages;
using QuoteHelper.Sgx;

namespace QuoteHelper.Aesm.Protocol.Tests;

/// <summary>
/// aesm-protocol.md Appendix A: Intel's recorded requests decode to the documented values, and the accepted responses
/// are reproduced byte for byte from the generated types (proving errorCode 0 is serialized and fields come in
/// field-number order, §2.1).
/// </summary>
public sealed class AppendixATests
{
    [Fact]
    public void DefaultKeyId_Section5Hex_EqualsSgxDefaultEcdsaP256()
    {
        Assert.Equal(AttestationKeyId.Size, Vectors.DefaultKeyId.Length);
        Assert.Equal(HexText.ToHex(AttestationKeyId.DefaultEcdsaP256.Bytes), HexText.ToHex(Vectors.DefaultKeyId));
    }

    [Fact]
    public void TryParseRequest_A1GetSupportedAttKeyIdNum_TimeoutOnly()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A1GetSupportedAttKeyIdNumRequest));

        Assert.Equal(AesmRequestKind.GetSupportedAttKeyIdNum, AesmDispatch.SelectRequest(request));
        var sub = request.GetSupportedAttKeyIDNumReq;
        Assert.True(sub.HasTimeout);
        Assert.Equal(Vectors.IntelTimeout, sub.Timeout);
        Assert.True(AesmDispatch.HasRequiredFields(request, AesmRequestKind.GetSupportedAttKeyIdNum));
    }

    [Fact]
    public void TryParseRequest_A2GetSupportedAttKeyIds_BufSize256()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A2GetSupportedAttKeyIdsRequest));

        Assert.Equal(AesmRequestKind.GetSupportedAttKeyIds, AesmDispatch.SelectRequest(request));
        var sub = request.GetSupportedAttKeyIDsReq;
        Assert.True(sub.HasBufSize);
        Assert.Equal(256u, sub.BufSize);
        Assert.Equal(Vectors.IntelTimeout, sub.Timeout);
        Assert.True(AesmDispatch.HasRequiredFields(request, AesmRequestKind.GetSupportedAttKeyIds));
    }

    [Fact]
    public void TryParseRequest_A3InitQuoteExSizeQuery_FalseFlagAndNoBufSize()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A3InitQuoteExSizeQueryRequest));

        Assert.Equal(AesmRequestKind.InitQuoteEx, AesmDispatch.SelectRequest(request));
        var sub = request.InitQuoteExReq;
        Assert.Equal(HexText.ToHex(Vectors.DefaultKeyId), HexText.ToHex(sub.AttKeyId.Span));
        Assert.True(sub.HasBPubKeyId);
        Assert.False(sub.BPubKeyId);
        Assert.False(sub.HasBufSize);
        Assert.Equal(Vectors.IntelTimeout, sub.Timeout);

        // buf_size is optional since SGX 2.30.1 (§3 rule 5): this recorded request is complete.
        Assert.True(AesmDispatch.HasRequiredFields(request, AesmRequestKind.InitQuoteEx));
    }

    [Fact]
    public void TryParseRequest_A4InitQuoteExWithKey_TrueFlagAndBufSize32()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A4InitQuoteExWithKeyRequest));

        Assert.Equal(AesmRequestKind.InitQuoteEx, AesmDispatch.SelectRequest(request));
        var sub = request.InitQuoteExReq;
        Assert.Equal(HexText.ToHex(Vectors.DefaultKeyId), HexText.ToHex(sub.AttKeyId.Span));
        Assert.True(sub.BPubKeyId);
        Assert.True(sub.HasBufSize);
        Assert.Equal(32ul, sub.BufSize);
        Assert.Equal(Vectors.IntelTimeout, sub.Timeout);
        Assert.True(AesmDispatch.HasRequiredFields(request, AesmRequestKind.InitQuoteEx));
    }

    [Fact]
    public void TryParseRequest_A5GetQuoteSizeEx_DefaultKeyId()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A5GetQuoteSizeExRequest));

        Assert.Equal(AesmRequestKind.GetQuoteSizeEx, AesmDispatch.SelectRequest(request));
        var sub = request.GetQuoteSizeExReq;
        Assert.Equal(HexText.ToHex(Vectors.DefaultKeyId), HexText.ToHex(sub.AttKeyId.Span));
        Assert.Equal(Vectors.IntelTimeout, sub.Timeout);
        Assert.True(AesmDispatch.HasRequiredFields(request, AesmRequestKind.GetQuoteSizeEx));
    }

    [Fact]
    public void TryParseRequest_A6GetQuoteEx_ReportKeyIdQeReportInfoAndBufSize()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A6GetQuoteExRequest));

        Assert.Equal(AesmRequestKind.GetQuoteEx, AesmDispatch.SelectRequest(request));
        var sub = request.GetQuoteExReq;
        Assert.Equal(Report.Size, sub.Report.Length);
        Assert.Equal(Vectors.Repeat(0x11, Report.Size), sub.Report);
        Assert.Equal(HexText.ToHex(Vectors.DefaultKeyId), HexText.ToHex(sub.AttKeyId.Span));
        Assert.Equal(QeReportInfo.Size, sub.QeReportInfo.Length);
        Assert.Equal(Vectors.A6QeReportInfo, sub.QeReportInfo);
        Assert.Equal(64u, sub.BufSize);
        Assert.Equal(Vectors.IntelTimeout, sub.Timeout);
        Assert.True(AesmDispatch.HasRequiredFields(request, AesmRequestKind.GetQuoteEx));
    }

    [Theory]
    [MemberData(nameof(Vectors.RequestNames), MemberType = typeof(Vectors))]
    public void Encode_ParsedRecordedRequest_ReproducesRecordedBytes(string name)
    {
        byte[] frame = Vectors.RequestFrame(name);

        Request request = Vectors.ParseRequestFrame(frame);

        Assert.Equal(HexText.ToHex(frame), HexText.ToHex(AesmFrame.Encode(request)));
    }

    [Fact]
    public void Encode_A1Response_MatchesRecordedBytes()
    {
        var response = new Response
        {
            GetSupportedAttKeyIDNumRes = new Response.Types.GetSupportedAttKeyIDNumResponse { ErrorCode = 0, AttKeyIdNum = 1 },
        };

        AssertFrame(AppendixA.A1GetSupportedAttKeyIdNumResponse, response);
    }

    [Fact]
    public void Encode_A2Response_MatchesRecordedBytes()
    {
        var response = new Response
        {
            GetSupportedAttKeyIDsRes = new Response.Types.GetSupportedAttKeyIDsResponse
            {
                ErrorCode = 0,
                AttKeyIds = ByteString.CopyFrom(Vectors.DefaultKeyId),
            },
        };

        AssertFrame(AppendixA.A2GetSupportedAttKeyIdsResponse, response);
    }

    [Fact]
    public void Encode_A3Response_MatchesRecordedBytes()
    {
        // Size query: 512 zero bytes of target_info, pub_key_id_size 32, no pub_key_id (§6.5).
        var response = new Response
        {
            InitQuoteExRes = new Response.Types.InitQuoteExResponse
            {
                ErrorCode = 0,
                TargetInfo = Vectors.Repeat(0x00, TargetInfo.Size),
                PubKeyIdSize = 32,
            },
        };

        AssertFrame(AppendixA.A3InitQuoteExSizeQueryResponse, response);
    }

    [Fact]
    public void Encode_A4Response_MatchesRecordedBytes()
    {
        var response = new Response
        {
            InitQuoteExRes = new Response.Types.InitQuoteExResponse
            {
                ErrorCode = 0,
                TargetInfo = Vectors.Repeat(0x00, TargetInfo.Size),
                PubKeyIdSize = 32,
                PubKeyId = Vectors.Repeat(0x44, 32),
            },
        };

        AssertFrame(AppendixA.A4InitQuoteExWithKeyResponse, response);
    }

    [Fact]
    public void Encode_A5Response_MatchesRecordedBytes()
    {
        var response = new Response
        {
            GetQuoteSizeExRes = new Response.Types.GetQuoteSizeExResponse { ErrorCode = 0, QuoteSize = 4702 },
        };

        AssertFrame(AppendixA.A5GetQuoteSizeExResponse, response);
    }

    [Fact]
    public void Encode_A6Response_MatchesRecordedBytes()
    {
        byte[] quote = new byte[64];
        quote[0] = 0x03;
        var response = new Response
        {
            GetQuoteExRes = new Response.Types.GetQuoteExResponse
            {
                ErrorCode = 0,
                Quote = ByteString.CopyFrom(quote),
                QeReportInfo = Vectors.A6QeReportInfo,
            },
        };

        AssertFrame(AppendixA.A6GetQuoteExResponse, response);
    }

    [Fact]
    public void Encode_SuccessWithoutSettingErrorCode_OmitsErrorCode()
    {
        // Guard for the proto2 rule of §2.1: only an explicitly set errorCode is written. A response built without it
        // would be read by Intel's client as the default 1 (§8.3), so success builders must always assign 0.
        var response = new Response
        {
            GetSupportedAttKeyIDNumRes = new Response.Types.GetSupportedAttKeyIDNumResponse { AttKeyIdNum = 1 },
        };

        Assert.Equal("05000000aa01021001", HexText.ToHex(AesmFrame.Encode(response)));
        Assert.Equal(1u, response.GetSupportedAttKeyIDNumRes.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Vectors.ResponseNames), MemberType = typeof(Vectors))]
    public void TryParseResponse_RecordedResponse_SuccessInMatchingField(string name)
    {
        byte[] requestFrame = Vectors.RequestFrame(name);
        byte[] responseFrame = Vectors.ResponseFrame(name);
        AesmRequestKind kind = AesmDispatch.SelectRequest(Vectors.ParseRequestFrame(requestFrame))!.Value;

        Response response = Vectors.ParseResponseFrame(responseFrame);

        IMessage? sub = AesmResponses.GetSubMessage(response, kind);
        Assert.NotNull(sub);
        var errorCode = sub.Descriptor.FindFieldByNumber(1);
        Assert.True(errorCode.Accessor.HasValue(sub));
        Assert.Equal(0u, errorCode.Accessor.GetValue(sub));
        Assert.Equal(HexText.ToHex(responseFrame), HexText.ToHex(AesmFrame.Encode(response)));
    }

    private static void AssertFrame(string expectedHex, Response response) =>
        Assert.Equal(HexText.ToHex(HexText.FromHex(expectedHex)), HexText.ToHex(AesmFrame.Encode(response)));
}
