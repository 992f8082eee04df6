using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using QuoteHelper.Aesm.Protocol.Messages;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Aesm.Protocol.Tests;

/// <summary>Error response shapes (aesm-protocol.md §6.8) and the constructed bytes of Appendix B.</summary>
public sealed class AesmResponsesTests
{
    public static TheoryData<AesmRequestKind> AllKinds => [.. Enum.GetValues<AesmRequestKind>()];

    [Fact]
    public void Error_GetQuoteSizeEx42_MatchesAppendixB()
    {
        AssertFrame("07000000 8201 04 082a 1000", AesmResponses.Error(AesmRequestKind.GetQuoteSizeEx, AesmError.AttKeyNotInitialized));
    }

    [Fact]
    public void Error_GetQuoteEx42WithoutQeReportInfo_MatchesAppendixB()
    {
        AssertFrame("05000000 8a01 02 082a", AesmResponses.Error(AesmRequestKind.GetQuoteEx, AesmError.AttKeyNotInitialized));
    }

    [Fact]
    public void Error_InitQuoteEx38WithoutBufSize_MatchesAppendixB()
    {
        AssertFrame("06000000 7a 04 0826 1800", AesmResponses.Error(AesmRequestKind.InitQuoteEx, AesmError.UnsupportedAttKeyId, pubKeyIdSize: 0));
    }

    [Fact]
    public void MissingRequiredField_InitQuoteEx_MatchesAppendixB()
    {
        AssertFrame("06000000 7a 04 0801 1800", AesmResponses.MissingRequiredField(AesmRequestKind.InitQuoteEx));
    }

    [Fact]
    public void Error_GetSupportedAttKeyIdNum30_MatchesAppendixB()
    {
        AssertFrame("07000000 aa01 04 081e 1000", AesmResponses.Error(AesmRequestKind.GetSupportedAttKeyIdNum, AesmError.ServiceUnavailable));
    }

    [Fact]
    public void Error_GetSupportedAttKeyIds3_MatchesAppendixB()
    {
        AssertFrame("05000000 b201 02 0803", AesmResponses.Error(AesmRequestKind.GetSupportedAttKeyIds, AesmError.ParameterError));
    }

    [Fact]
    public void Error_SelectAttKeyId38_MatchesAppendixB()
    {
        AssertFrame("05000000 9a01 02 0826", AesmResponses.Error(AesmRequestKind.SelectAttKeyId, AesmError.UnsupportedAttKeyId));
    }

    [Fact]
    public void Error_LegacyInitQuote30_MatchesAppendixB()
    {
        AssertFrame("04000000 0a 02 081e", AesmResponses.Error(AesmRequestKind.InitQuote, AesmError.ServiceUnavailable));
    }

    [Fact]
    public void ErrorForRequest_RecordedSizeQueryWithoutBufSize38_MatchesAppendixB()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A3InitQuoteExSizeQueryRequest));

        AssertFrame("06000000 7a 04 0826 1800", AesmResponses.Error(request, AesmRequestKind.InitQuoteEx, AesmError.UnsupportedAttKeyId));
    }

    [Fact]
    public void ErrorForRequest_InitQuoteExWithBufSize_EchoesBufSize()
    {
        // §6.5: on key-id errors pub_key_id_size is the request's buf_size echoed (here 32, as in A.4).
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A4InitQuoteExWithKeyRequest));

        AssertFrame("06000000 7a 04 0826 1820", AesmResponses.Error(request, AesmRequestKind.InitQuoteEx, AesmError.UnsupportedAttKeyId));
    }

    [Fact]
    public void ErrorForRequest_InitQuoteExWithUninitialisedBufSize_EchoesItAsUint64()
    {
        // §9.3: DCAP's first call sends an arbitrary 64-bit buf_size; Intel echoes whatever arrived (§6.5).
        var request = new Request
        {
            InitQuoteExReq = new Request.Types.InitQuoteExRequest { BPubKeyId = false, BufSize = ulong.MaxValue },
        };

        AssertFrame("0f000000 7a 0d 0803 18ffffffffffffffffff01", AesmResponses.Error(request, AesmRequestKind.InitQuoteEx, AesmError.ParameterError));
    }

    [Fact]
    public void ErrorForRequest_InitQuoteExMissingBPubKeyIdButWithBufSize_EchoesNothing()
    {
        // §6.5 row 1: the presence check fails first; pub_key_id_size is 0 whatever buf_size said (Appendix B row 4).
        var request = new Request { InitQuoteExReq = new Request.Types.InitQuoteExRequest { BufSize = 32 } };

        AssertFrame("06000000 7a 04 0801 1800", AesmResponses.Error(request, AesmRequestKind.InitQuoteEx, AesmError.UnexpectedError));
    }

    [Fact]
    public void ErrorForRequest_RecordedGetQuoteEx42_EchoesQeReportInfo()
    {
        // §6.7: qe_report_info is echoed whenever the request carried it, even on error.
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A6GetQuoteExRequest));
        string qeReportInfo = HexText.ToHex(Vectors.A6QeReportInfo.Span);

        // Body 969 = 8a01 (2) + varint 965 (c507, 2) + 082a (2) + 1a c007 (3) + 960.
        AssertFrame("c9030000 8a01 c507 082a 1ac007" + qeReportInfo, AesmResponses.Error(request, AesmRequestKind.GetQuoteEx, AesmError.AttKeyNotInitialized));
    }

    [Fact]
    public void ErrorForRequest_GetQuoteExMissingReport_ErrorCodeOnly()
    {
        // §6.7 check 1: errorCode only, no echo, even though qe_report_info was sent.
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A6GetQuoteExRequest));
        request.GetQuoteExReq.ClearReport();

        AssertFrame("05000000 8a01 02 0801", AesmResponses.Error(request, AesmRequestKind.GetQuoteEx, AesmError.UnexpectedError));
        AssertFrame("05000000 8a01 02 0801", AesmResponses.MissingRequiredField(AesmRequestKind.GetQuoteEx));
    }

    [Fact]
    public void ErrorForRequest_GetQuoteExWithEmptyQeReportInfo_NoEcho()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A6GetQuoteExRequest));
        request.GetQuoteExReq.QeReportInfo = ByteString.Empty;

        AssertFrame("05000000 8a01 02 0803", AesmResponses.Error(request, AesmRequestKind.GetQuoteEx, AesmError.ParameterError));
    }

    [Fact]
    public void Error_GetQuoteExWithEcho_EchoesBytesUnchanged()
    {
        ByteString echo = ByteString.CopyFrom(0xaa, 0xbb);

        AssertFrame("09000000 8a01 06 0803 1a02aabb", AesmResponses.Error(AesmRequestKind.GetQuoteEx, AesmError.ParameterError, qeReportInfoEcho: echo));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Error_EveryKind_OnlyMatchingFieldWithErrorCodeAndAlwaysPresentFields(AesmRequestKind kind)
    {
        Response response = AesmResponses.Error(kind, AesmError.ServiceUnavailable);
        byte[] frame = AesmFrame.Encode(response);

        // Round trip through the wire: exactly one top-level field, number n; errorCode 30 serialized first.
        Response parsed = Vectors.ParseResponseFrame(frame);
        var present = Response.Descriptor.Fields.InFieldNumberOrder().Where(f => f.Accessor.GetValue(parsed) is not null).ToList();
        FieldDescriptor only = Assert.Single(present);
        Assert.Equal((int)kind, only.FieldNumber);

        IMessage sub = AesmResponses.GetSubMessage(parsed, kind)!;
        var set = sub.Descriptor.Fields.InFieldNumberOrder().Where(f => f.Accessor.HasValue(sub)).Select(f => f.Name).ToArray();
        string[] expected = kind switch
        {
            AesmRequestKind.InitQuoteEx => ["errorCode", "pub_key_id_size"],
            AesmRequestKind.GetQuoteSizeEx => ["errorCode", "quote_size"],
            AesmRequestKind.GetSupportedAttKeyIdNum => ["errorCode", "att_key_id_num"],
            _ => ["errorCode"],
        };
        Assert.Equal(expected, set);
        Assert.Equal(30u, sub.Descriptor.FindFieldByNumber(1).Accessor.GetValue(sub));
    }

    [Fact]
    public void Error_CodeNotInEnum_KeptAsNumber()
    {
        AssertFrame("06000000 9a01 03 08e807", AesmResponses.Error(AesmRequestKind.SelectAttKeyId, (AesmError)1000));
    }

    [Fact]
    public void Error_Success_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AesmResponses.Error(AesmRequestKind.GetQuoteEx, AesmError.Success));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Error_PubKeyIdSizeForOtherKind_ThrowsArgumentException(AesmRequestKind kind)
    {
        if (kind == AesmRequestKind.InitQuoteEx)
        {
            Assert.Equal(5ul, AesmResponses.Error(kind, AesmError.ParameterError, pubKeyIdSize: 5).InitQuoteExRes.PubKeyIdSize);
            return;
        }

        Assert.Throws<ArgumentException>(() => AesmResponses.Error(kind, AesmError.ParameterError, pubKeyIdSize: 5));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Error_QeReportInfoForOtherKind_ThrowsArgumentException(AesmRequestKind kind)
    {
        ByteString echo = ByteString.CopyFrom(1);
        if (kind == AesmRequestKind.GetQuoteEx)
        {
            Assert.Equal(echo, AesmResponses.Error(kind, AesmError.ParameterError, qeReportInfoEcho: echo).GetQuoteExRes.QeReportInfo);
            return;
        }

        Assert.Throws<ArgumentException>(() => AesmResponses.Error(kind, AesmError.ParameterError, qeReportInfoEcho: echo));

        // An empty echo means "not sent" and is accepted for any kind.
        Assert.NotNull(AesmResponses.GetSubMessage(AesmResponses.Error(kind, AesmError.ParameterError, qeReportInfoEcho: ByteString.Empty), kind));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(99)]
    public void Error_UndefinedKind_ThrowsArgumentOutOfRange(int value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AesmResponses.Error((AesmRequestKind)value, AesmError.ServiceUnavailable));
        Assert.Throws<ArgumentOutOfRangeException>(() => AesmResponses.GetSubMessage(new Response(), (AesmRequestKind)value));
    }

    [Fact]
    public void ErrorForRequest_KindAbsent_ThrowsArgumentException()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A1GetSupportedAttKeyIdNumRequest));

        Assert.Throws<ArgumentException>(() => AesmResponses.Error(request, AesmRequestKind.GetQuoteEx, AesmError.ServiceUnavailable));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void GetSubMessage_ResponseWithOtherFieldOnly_Null(AesmRequestKind kind)
    {
        // A client must notice a reply in the wrong field; Intel's client crashes on it (§8.3).
        AesmRequestKind other = kind == AesmRequestKind.GetQuoteEx ? AesmRequestKind.GetQuoteSizeEx : AesmRequestKind.GetQuoteEx;
        Response response = AesmResponses.Error(other, AesmError.ServiceUnavailable);

        Assert.Null(AesmResponses.GetSubMessage(response, kind));
    }

    [Theory]
    [InlineData(AesmRequestKind.InitQuote, true)]
    [InlineData(AesmRequestKind.GetQuote, true)]
    [InlineData(AesmRequestKind.GetLaunchToken, true)]
    [InlineData(AesmRequestKind.ReportAttestationError, true)]
    [InlineData(AesmRequestKind.GetWhiteListSize, true)]
    [InlineData(AesmRequestKind.GetWhiteList, true)]
    [InlineData(AesmRequestKind.SgxGetExtendedEpidGroupId, true)]
    [InlineData(AesmRequestKind.SgxSwitchExtendedEpidGroup, true)]
    [InlineData(AesmRequestKind.SgxRegister, true)]
    [InlineData(AesmRequestKind.InitQuoteEx, false)]
    [InlineData(AesmRequestKind.GetQuoteSizeEx, false)]
    [InlineData(AesmRequestKind.GetQuoteEx, false)]
    [InlineData(AesmRequestKind.CheckUpdateStatus, true)]
    [InlineData(AesmRequestKind.SelectAttKeyId, false)]
    [InlineData(AesmRequestKind.GetSupportedAttKeyIdNum, false)]
    [InlineData(AesmRequestKind.GetSupportedAttKeyIds, false)]
    public void IsLegacy_EveryKind_MatchesSection3Rule6(AesmRequestKind kind, bool legacy)
    {
        Assert.Equal(legacy, kind.IsLegacy());
    }

    [Fact]
    public void IsLegacy_UndefinedKind_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((AesmRequestKind)20).IsLegacy());
    }

    private static void AssertFrame(string expectedHex, Response response)
    {
        byte[] frame = AesmFrame.Encode(response);
        Assert.Equal(HexText.ToHex(HexText.FromHex(expectedHex)), HexText.ToHex(frame));

        // The bytes also read back through the client path.
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxResponseBodyLength, out var body));
        Assert.True(AesmFrame.TryParseResponse(body, out Response? parsed));
        Assert.Equal(response, parsed);
    }
}
