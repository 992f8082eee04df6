using System.Buffers;
using QuoteHelper.Aesm.Protocol.Messages;

namespace QuoteHelper.Aesm.Protocol.Tests;

/// <summary>Body parsing (aesm-protocol.md §3 rule 2): malformed bytes are a false, never an exception.</summary>
public sealed class AesmParseTests
{
    [Theory]
    [InlineData("ffffff")]
    [InlineData("ff")]
    [InlineData("7a")]                   // tag, no length
    [InlineData("7a05")]                 // length beyond the end
    [InlineData("7a8080808080808080808001")] // over-long varint length
    [InlineData("00")]                   // field number 0
    [InlineData("7a020801ff")]           // inner message truncated inside
    [InlineData("0c")]                   // end-group without start-group
    public void TryParseRequest_Garbage_False(string hex)
    {
        var body = new ReadOnlySequence<byte>(HexText.FromHex(hex));

        Assert.False(AesmFrame.TryParseRequest(body, out Request? request));
        Assert.Null(request);
        Assert.False(AesmFrame.TryParseResponse(body, out Response? response));
        Assert.Null(response);
    }

    [Theory]
    [MemberData(nameof(Vectors.RequestNames), MemberType = typeof(Vectors))]
    public void TryParseRequest_EveryTruncationOfRecordedBody_False(string name)
    {
        // Each recorded body is one length-delimited field, so any proper prefix is truncated inside it.
        byte[] body = Vectors.RequestFrame(name)[AesmLimits.LengthPrefixSize..];
        var fragmented = SegmentedSequence.OneBytePerSegment(body);

        for (int length = 1; length < body.Length; length++)
        {
            Assert.False(AesmFrame.TryParseRequest(new ReadOnlySequence<byte>(body, 0, length), out _), $"prefix {length}");
            Assert.False(AesmFrame.TryParseRequest(fragmented.Slice(0, length), out _), $"fragmented prefix {length}");
        }
    }

    [Fact]
    public void TryParseRequest_UnknownFieldWithInvalidWireType_ToleratedButSelectsNothing()
    {
        // Google.Protobuf skips an unknown tag of wire type 7 without complaint (Intel's C++ parser would reject the
        // body). Recorded here so a library upgrade that changes it is noticed; either way no reply is sent (§3 rule 4).
        Assert.True(AesmFrame.TryParseRequest(new ReadOnlySequence<byte>(HexText.FromHex("0f")), out Request? request));

        Assert.Null(AesmDispatch.SelectRequest(request));
    }

    [Fact]
    public void TryParseRequest_DeeplyNestedUnknownGroups_FalseWithoutStackOverflow()
    {
        // 10 000 nested start-groups of unknown field 100: the parser's recursion limit must turn this into a false.
        byte[] body = [.. Enumerable.Repeat<byte[]>([0xa3, 0x06], 10_000).SelectMany(b => b)];

        Assert.False(AesmFrame.TryParseRequest(new ReadOnlySequence<byte>(body), out _));
        Assert.False(AesmFrame.TryParseResponse(new ReadOnlySequence<byte>(body), out _));
    }

    [Fact]
    public void TryParseRequest_RandomBytes_NeverThrows()
    {
        // Pinned seed (house-style habit 14): only true or false may come out, for arbitrary input.
        var random = new Random(20250730);
        byte[] recorded = Vectors.RequestFrame("A.6 GetQuoteEx")[AesmLimits.LengthPrefixSize..];
        for (int i = 0; i < 20_000; i++)
        {
            byte[] body;
            if (i % 2 == 0)
            {
                body = new byte[random.Next(1, 64)];
                random.NextBytes(body);
            }
            else
            {
                // One-byte mutations of a real request reach deeper into the parser than pure noise.
                body = (byte[])recorded.Clone();
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }

            _ = AesmFrame.TryParseRequest(new ReadOnlySequence<byte>(body), out Request? request);
            if (request is not null)
            {
                _ = AesmDispatch.SelectRequest(request);
            }

            _ = AesmFrame.TryParseResponse(new ReadOnlySequence<byte>(body), out _);
        }
    }

    [Fact]
    public void TryParseRequest_UnknownFieldsBesideKnownOne_IgnoredAndDropped()
    {
        // A.1 body plus unknown field 30 (varint): the request is still GetSupportedAttKeyIDNum (§2.1).
        byte[] body = [.. HexText.FromHex("aa0103489875"), .. HexText.FromHex("f00101")];

        Assert.True(AesmFrame.TryParseRequest(new ReadOnlySequence<byte>(body), out Request? request));

        Assert.Equal(AesmRequestKind.GetSupportedAttKeyIdNum, AesmDispatch.SelectRequest(request));
        Assert.Equal("aa0103489875", HexText.ToHex(AesmFrame.Encode(request).AsSpan(AesmLimits.LengthPrefixSize)));
    }
}
