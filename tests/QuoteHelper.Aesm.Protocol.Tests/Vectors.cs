using System.Buffers;
using Google.Protobuf;
using QuoteHelper.Aesm.Protocol.Messages;

namespace QuoteHelper.Aesm.Protocol.Tests;

/// <summary>Named access to the Appendix A frames and the values they are documented to carry.</summary>
internal static class Vectors
{
    /// <summary>aesm-protocol.md §5: the 256-byte default ECDSA P-256 attestation key id, 32 bytes per line.</summary>
    public const string DefaultKeyIdHex = """
        0000000020008c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b
        094490c57bff0000000000000000000000000000000001000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000020000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """;

    /// <summary>Intel client's timeout field: IPC_LATENCY in milliseconds (§1.4).</summary>
    public const uint IntelTimeout = 15000;

    public static readonly IReadOnlyDictionary<string, string> Requests = new Dictionary<string, string>
    {
        ["A.1 GetSupportedAttKeyIDNum"] = AppendixA.A1GetSupportedAttKeyIdNumRequest,
        ["A.2 GetSupportedAttKeyIDs"] = AppendixA.A2GetSupportedAttKeyIdsRequest,
        ["A.3 InitQuoteEx size query"] = AppendixA.A3InitQuoteExSizeQueryRequest,
        ["A.4 InitQuoteEx with key"] = AppendixA.A4InitQuoteExWithKeyRequest,
        ["A.5 GetQuoteSizeEx"] = AppendixA.A5GetQuoteSizeExRequest,
        ["A.6 GetQuoteEx"] = AppendixA.A6GetQuoteExRequest,
    };

    public static readonly IReadOnlyDictionary<string, string> Responses = new Dictionary<string, string>
    {
        ["A.1 GetSupportedAttKeyIDNum"] = AppendixA.A1GetSupportedAttKeyIdNumResponse,
        ["A.2 GetSupportedAttKeyIDs"] = AppendixA.A2GetSupportedAttKeyIdsResponse,
        ["A.3 InitQuoteEx size query"] = AppendixA.A3InitQuoteExSizeQueryResponse,
        ["A.4 InitQuoteEx with key"] = AppendixA.A4InitQuoteExWithKeyResponse,
        ["A.5 GetQuoteSizeEx"] = AppendixA.A5GetQuoteSizeExResponse,
        ["A.6 GetQuoteEx"] = AppendixA.A6GetQuoteExResponse,
    };

    public static TheoryData<string> RequestNames => [.. Requests.Keys];

    public static TheoryData<string> ResponseNames => [.. Responses.Keys];

    /// <summary>Every recorded frame, tagged "request:" or "response:".</summary>
    public static TheoryData<string> AllFrameNames =>
        [.. Requests.Keys.Select(k => "request: " + k), .. Responses.Keys.Select(k => "response: " + k)];

    public static byte[] DefaultKeyId => HexText.FromHex(DefaultKeyIdHex);

    public static byte[] RequestFrame(string name) => HexText.FromHex(Requests[name]);

    public static byte[] ResponseFrame(string name) => HexText.FromHex(Responses[name]);

    /// <summary>Frame bytes and the body cap that applies, for an <see cref="AllFrameNames"/> entry.</summary>
    public static (byte[] Frame, int MaxBodyLength, bool IsRequest) TaggedFrame(string tagged) =>
        tagged.StartsWith("request: ", StringComparison.Ordinal)
            ? (RequestFrame(tagged["request: ".Length..]), AesmLimits.MaxRequestBodyLength, true)
            : (ResponseFrame(tagged["response: ".Length..]), AesmLimits.MaxResponseBodyLength, false);

    /// <summary>Reads the one frame of a single-segment buffer and parses it as a request; asserts every step.</summary>
    public static Request ParseRequestFrame(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxRequestBodyLength, out var body));
        Assert.True(buffer.IsEmpty);
        Assert.True(AesmFrame.TryParseRequest(body, out Request? request));
        return request;
    }

    /// <summary>Reads the one frame of a single-segment buffer and parses it as a response; asserts every step.</summary>
    public static Response ParseResponseFrame(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxResponseBodyLength, out var body));
        Assert.True(buffer.IsEmpty);
        Assert.True(AesmFrame.TryParseResponse(body, out Response? response));
        return response;
    }

    /// <summary>A byte string of <paramref name="count"/> copies of <paramref name="value"/>.</summary>
    public static ByteString Repeat(byte value, int count) => ByteString.CopyFrom(Enumerable.Repeat(value, count).ToArray());

    /// <summary>The 960-byte qe_report_info of A.6: nonce 16 × 0x22, then 944 × 0x00.</summary>
    public static ByteString A6QeReportInfo =>
        ByteString.CopyFrom([.. Enumerable.Repeat((byte)0x22, 16), .. new byte[944]]);
}
