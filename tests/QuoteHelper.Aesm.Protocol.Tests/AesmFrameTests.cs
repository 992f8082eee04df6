using System.Buffers;
using System.Buffers.Binary;
using QuoteHelper.Aesm.Protocol.Messages;

namespace QuoteHelper.Aesm.Protocol.Tests;

/// <summary>Framing (aesm-protocol.md §1.2): every split, incomplete input, caps, encoding.</summary>
public sealed class AesmFrameTests
{
    [Theory]
    [MemberData(nameof(Vectors.AllFrameNames), MemberType = typeof(Vectors))]
    public void TryReadFrame_RecordedFrameSplitAtEveryOffset_SameAsOneShot(string tagged)
    {
        var (frame, maxBodyLength, isRequest) = Vectors.TaggedFrame(tagged);
        var oneShot = new ReadOnlySequence<byte>(frame);
        Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref oneShot, maxBodyLength, out var oneShotBody));
        Assert.True(oneShot.IsEmpty);
        Assert.Equal(frame.AsSpan(AesmLimits.LengthPrefixSize).ToArray(), oneShotBody.ToArray());
        string expectedMessage = ParseToText(oneShotBody, isRequest);

        for (int cut = 0; cut <= frame.Length; cut++)
        {
            var buffer = SegmentedSequence.Split(frame, cut);

            Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref buffer, maxBodyLength, out var body));
            Assert.True(buffer.IsEmpty, $"cut {cut}: frame not fully consumed");
            Assert.True(oneShotBody.ToArray().AsSpan().SequenceEqual(body.ToArray()), $"cut {cut}: body differs");
            Assert.Equal(expectedMessage, ParseToText(body, isRequest));
        }
    }

    [Theory]
    [MemberData(nameof(Vectors.AllFrameNames), MemberType = typeof(Vectors))]
    public void TryReadFrame_RecordedFrameOneBytePerSegment_SameAsOneShot(string tagged)
    {
        var (frame, maxBodyLength, isRequest) = Vectors.TaggedFrame(tagged);
        var buffer = SegmentedSequence.OneBytePerSegment(frame);

        Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref buffer, maxBodyLength, out var body));

        Assert.True(buffer.IsEmpty);
        Assert.Equal(frame.AsSpan(AesmLimits.LengthPrefixSize).ToArray(), body.ToArray());
        Assert.Equal(ParseToText(new ReadOnlySequence<byte>(frame, AesmLimits.LengthPrefixSize, frame.Length - AesmLimits.LengthPrefixSize), isRequest), ParseToText(body, isRequest));
    }

    [Theory]
    [MemberData(nameof(Vectors.AllFrameNames), MemberType = typeof(Vectors))]
    public void TryReadFrame_EveryIncompletePrefixOfRecordedFrame_NeedMoreDataAndNothingConsumed(string tagged)
    {
        var (frame, maxBodyLength, _) = Vectors.TaggedFrame(tagged);
        var contiguous = new ReadOnlySequence<byte>(frame);
        var fragmented = SegmentedSequence.OneBytePerSegment(frame);

        for (int length = 0; length < frame.Length; length++)
        {
            // The same prefix as one segment, as one byte per segment, and cut in two in the middle.
            ReadOnlySequence<byte>[] shapes =
            [
                contiguous.Slice(0, length),
                fragmented.Slice(0, length),
                SegmentedSequence.Split(frame[..length], length / 2),
            ];
            foreach (var shape in shapes)
            {
                var buffer = shape;

                Assert.Equal(OperationStatus.NeedMoreData, AesmFrame.TryReadFrame(ref buffer, maxBodyLength, out var body));
                AssertUnchanged(shape, buffer);
                Assert.True(body.IsEmpty);
            }
        }
    }

    [Fact]
    public void TryReadFrame_FrameFollowedByExtraBytes_ConsumesOnlyTheFrame()
    {
        // Intel ignores bytes sent after the first frame (§1.3); framing must leave them untouched.
        byte[] frame = HexText.FromHex(AppendixA.A1GetSupportedAttKeyIdNumRequest);
        byte[] input = [.. frame, 0xde, 0xad];
        var buffer = new ReadOnlySequence<byte>(input);

        Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxRequestBodyLength, out var body));

        Assert.Equal("aa0103489875", HexText.ToHex(body.ToArray()));
        Assert.Equal("dead", HexText.ToHex(buffer.ToArray()));
    }

    [Fact]
    public void TryReadFrame_TwoFramesBackToBack_ReadsThemInOrder()
    {
        byte[] first = HexText.FromHex(AppendixA.A1GetSupportedAttKeyIdNumRequest);
        byte[] second = HexText.FromHex(AppendixA.A2GetSupportedAttKeyIdsRequest);
        var buffer = SegmentedSequence.Split([.. first, .. second], first.Length + 3);

        Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxRequestBodyLength, out var body1));
        Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxRequestBodyLength, out var body2));
        Assert.Equal(OperationStatus.NeedMoreData, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxRequestBodyLength, out _));

        Assert.Equal("aa0103489875", HexText.ToHex(body1.ToArray()));
        Assert.Equal("b20106088002489875", HexText.ToHex(body2.ToArray()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ff")]
    [InlineData("ffff")]
    [InlineData("ffffff")]
    [InlineData("000000")]
    public void TryReadFrame_FewerThanFourPrefixBytes_NeedMoreData(string hex)
    {
        byte[] input = HexText.FromHex(hex);
        foreach (var shape in new[] { new ReadOnlySequence<byte>(input), SegmentedSequence.OneBytePerSegment(input) })
        {
            var buffer = shape;

            Assert.Equal(OperationStatus.NeedMoreData, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxRequestBodyLength, out _));
            AssertUnchanged(shape, buffer);
        }
    }

    [Fact]
    public void TryReadFrame_LengthPrefixZero_InvalidData()
    {
        // An empty body is never valid: no sub-message in a request (§3 rule 4), a client crash as a response (§8.3).
        AssertInvalidPrefixOnly(0, AesmLimits.MaxRequestBodyLength);
        AssertInvalid([0, 0, 0, 0, 0x0a, 0x00], AesmLimits.MaxRequestBodyLength);
    }

    [Fact]
    public void TryReadFrame_MaxRequestBodyLength_NeedMoreDataUntilBodyPresentThenDone()
    {
        const int Length = AesmLimits.MaxRequestBodyLength;
        byte[] frame = FrameOfLength(Length);

        for (int present = AesmLimits.LengthPrefixSize; present < frame.Length; present += 4099)
        {
            var partial = new ReadOnlySequence<byte>(frame, 0, present);
            Assert.Equal(OperationStatus.NeedMoreData, AesmFrame.TryReadFrame(ref partial, Length, out _));
            Assert.Equal(present, partial.Length);
        }

        var lastByteMissing = new ReadOnlySequence<byte>(frame, 0, frame.Length - 1);
        Assert.Equal(OperationStatus.NeedMoreData, AesmFrame.TryReadFrame(ref lastByteMissing, Length, out _));

        var buffer = SegmentedSequence.Split(frame, 2, frame.Length / 2);
        Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxRequestBodyLength, out var body));
        Assert.Equal(Length, body.Length);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryReadFrame_MaxRequestBodyLengthPlusOne_InvalidDataWithOnlyPrefixPresent()
    {
        AssertInvalidPrefixOnly(AesmLimits.MaxRequestBodyLength + 1u, AesmLimits.MaxRequestBodyLength);
    }

    [Fact]
    public void TryReadFrame_MaxResponseBodyLength_AcceptedOnClientCapOnly()
    {
        var buffer = new ReadOnlySequence<byte>(Prefix(AesmLimits.MaxResponseBodyLength));
        Assert.Equal(OperationStatus.NeedMoreData, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxResponseBodyLength, out _));

        // The same announcement is hostile for a server.
        AssertInvalidPrefixOnly(AesmLimits.MaxResponseBodyLength, AesmLimits.MaxRequestBodyLength);
    }

    [Fact]
    public void TryReadFrame_MaxResponseBodyLengthPlusOne_InvalidDataWithOnlyPrefixPresent()
    {
        AssertInvalidPrefixOnly(AesmLimits.MaxResponseBodyLength + 1u, AesmLimits.MaxResponseBodyLength);
    }

    [Theory]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x80000000u)]
    [InlineData(0x7FFFFFFFu)]
    public void TryReadFrame_HugeLengthPrefix_InvalidDataWithoutWaitingForBody(uint length)
    {
        // Intel's server (≤ 2.29) would allocate and zero-fill up to 4 GiB here (§1.2); 0x80000000 must not turn negative.
        AssertInvalidPrefixOnly(length, AesmLimits.MaxRequestBodyLength);
        AssertInvalidPrefixOnly(length, AesmLimits.MaxResponseBodyLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void TryReadFrame_NonPositiveCap_Throws(int maxBodyLength)
    {
        var buffer = new ReadOnlySequence<byte>(HexText.FromHex(AppendixA.A1GetSupportedAttKeyIdNumRequest));

        Assert.Throws<ArgumentOutOfRangeException>(() => AesmFrame.TryReadFrame(ref buffer, maxBodyLength, out _));
    }

    [Theory]
    [MemberData(nameof(Vectors.AllFrameNames), MemberType = typeof(Vectors))]
    public void Write_RecordedMessage_SameBytesAsEncode(string tagged)
    {
        var (frame, _, isRequest) = Vectors.TaggedFrame(tagged);
        Google.Protobuf.IMessage message = isRequest ? Vectors.ParseRequestFrame(frame) : Vectors.ParseResponseFrame(frame);
        var writer = new ArrayBufferWriter<byte>(1);
        writer.Write<byte>([0xee]);

        AesmFrame.Write(writer, message);

        Assert.Equal("ee" + HexText.ToHex(frame), HexText.ToHex(writer.WrittenSpan));
        Assert.Equal(HexText.ToHex(frame), HexText.ToHex(AesmFrame.Encode(message)));
    }

    [Fact]
    public void Encode_EmptyMessage_ThrowsArgumentException()
    {
        // A zero-length body crashes Intel's client (§8.3); refuse to produce one.
        Assert.Throws<ArgumentException>(() => AesmFrame.Encode(new Response()));
        Assert.Throws<ArgumentException>(() => AesmFrame.Encode(new Request()));
    }

    [Fact]
    public void Write_EmptyMessage_ThrowsAndWritesNothing()
    {
        var writer = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => AesmFrame.Write(writer, new Response()));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void EncodeAndWrite_Null_ThrowArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => AesmFrame.Encode(null!));
        Assert.Throws<ArgumentNullException>(() => AesmFrame.Write(null!, new Response { InitQuoteRes = new() { ErrorCode = 30 } }));
        Assert.Throws<ArgumentNullException>(() => AesmFrame.Write(new ArrayBufferWriter<byte>(), null!));
    }

    [Fact]
    public void Limits_ResponseCap_HoldsLargestQuoteResponse()
    {
        // A GetQuoteEx success at the quote cap with qe_report_info echoed must fit the client's cap.
        var response = new Response
        {
            GetQuoteExRes = new Response.Types.GetQuoteExResponse
            {
                ErrorCode = 0,
                Quote = Vectors.Repeat(0xab, AesmLimits.MaxQuoteBufferSize),
                QeReportInfo = Vectors.A6QeReportInfo,
            },
        };
        var buffer = new ReadOnlySequence<byte>(AesmFrame.Encode(response));

        Assert.Equal(OperationStatus.Done, AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxResponseBodyLength, out _));
        Assert.True(AesmLimits.MaxRequestBodyLength > 1670 + 10 * 256);
    }

    private static void AssertUnchanged(ReadOnlySequence<byte> before, ReadOnlySequence<byte> after)
    {
        Assert.Equal(before.Start, after.Start);
        Assert.Equal(before.End, after.End);
        Assert.Equal(before.Length, after.Length);
    }

    private static string ParseToText(ReadOnlySequence<byte> body, bool isRequest)
    {
        if (isRequest)
        {
            Assert.True(AesmFrame.TryParseRequest(body, out Request? request));
            return request.ToString();
        }

        Assert.True(AesmFrame.TryParseResponse(body, out Response? response));
        return response.ToString();
    }

    private static byte[] Prefix(uint length)
    {
        byte[] prefix = new byte[AesmLimits.LengthPrefixSize];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, length);
        return prefix;
    }

    private static byte[] FrameOfLength(int length)
    {
        byte[] frame = new byte[AesmLimits.LengthPrefixSize + length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)length);
        return frame;
    }

    /// <summary>Only the 4 prefix bytes present, contiguous and one byte per segment: InvalidData, nothing consumed.</summary>
    private static void AssertInvalidPrefixOnly(uint length, int maxBodyLength) => AssertInvalid(Prefix(length), maxBodyLength);

    private static void AssertInvalid(byte[] input, int maxBodyLength)
    {
        foreach (var shape in new[] { new ReadOnlySequence<byte>(input), SegmentedSequence.OneBytePerSegment(input) })
        {
            var buffer = shape;

            Assert.Equal(OperationStatus.InvalidData, AesmFrame.TryReadFrame(ref buffer, maxBodyLength, out var body));
            AssertUnchanged(shape, buffer);
            Assert.True(body.IsEmpty);
        }
    }
}
