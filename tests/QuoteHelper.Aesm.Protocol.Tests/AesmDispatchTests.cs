using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using QuoteHelper.Aesm.Protocol.Messages;

namespace QuoteHelper.Aesm.Protocol.Tests;

/// <summary>Dispatch (aesm-protocol.md §3): Intel's order, unknown-only requests, required-field presence.</summary>
public sealed class AesmDispatchTests
{
    /// <summary>SGX 2.26 order from §3 rule 3, written out independently of the implementation.</summary>
    private static readonly int[] s_intelOrder = [3, 1, 2, 4, 18, 10, 11, 12, 13, 14, 15, 16, 17, 19, 21, 22];

    public static TheoryData<AesmRequestKind> AllKinds => [.. Enum.GetValues<AesmRequestKind>()];

    public static TheoryData<int, int> OrderedPairs
    {
        get
        {
            var data = new TheoryData<int, int>();
            for (int i = 0; i < s_intelOrder.Length; i++)
            {
                for (int j = i + 1; j < s_intelOrder.Length; j++)
                {
                    data.Add(s_intelOrder[i], s_intelOrder[j]);
                }
            }

            return data;
        }
    }

    /// <summary>Every (kind, required field) pair, read from the schema's descriptors rather than from the code under test.</summary>
    public static TheoryData<AesmRequestKind, string> RequiredFields
    {
        get
        {
            var data = new TheoryData<AesmRequestKind, string>();
            foreach (AesmRequestKind kind in Enum.GetValues<AesmRequestKind>())
            {
                foreach (FieldDescriptor required in SubDescriptor(kind).Fields.InFieldNumberOrder().Where(f => f.IsRequired))
                {
                    data.Add(kind, required.Name);
                }
            }

            return data;
        }
    }

    public static TheoryData<AesmRequestKind, string> OptionalFields
    {
        get
        {
            var data = new TheoryData<AesmRequestKind, string>();
            foreach (AesmRequestKind kind in Enum.GetValues<AesmRequestKind>())
            {
                foreach (FieldDescriptor optional in SubDescriptor(kind).Fields.InFieldNumberOrder().Where(f => !f.IsRequired))
                {
                    data.Add(kind, optional.Name);
                }
            }

            return data;
        }
    }

    [Fact]
    public void AesmRequestKind_Values_AreExactlyTheRequestFieldNumbers()
    {
        var schema = Request.Descriptor.Fields.InFieldNumberOrder().Select(f => f.FieldNumber);

        Assert.Equal(schema, Enum.GetValues<AesmRequestKind>().Select(k => (int)k));
        Assert.Equal(s_intelOrder.Order(), schema);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void SelectRequest_OnlyThatSubMessage_ReturnsItsKind(AesmRequestKind kind)
    {
        Request request = With(kind);

        Assert.Equal(kind, AesmDispatch.SelectRequest(request));
        Assert.NotNull(AesmDispatch.GetSubMessage(request, kind));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void SelectRequest_EmptySubMessageOnTheWire_ReturnsItsKind(AesmRequestKind kind)
    {
        // Field n, wire type 2, length 0: a present but empty sub-message still selects the kind (§3 rule 5 then applies).
        var bytes = new List<byte>();
        for (uint tag = ((uint)kind << 3) | 2; ; tag >>= 7)
        {
            if (tag < 0x80)
            {
                bytes.Add((byte)tag);
                break;
            }

            bytes.Add((byte)(tag | 0x80));
        }

        bytes.Add(0);
        Assert.True(AesmFrame.TryParseRequest(new ReadOnlySequence<byte>([.. bytes]), out Request? request));

        Assert.Equal(kind, AesmDispatch.SelectRequest(request));
    }

    [Theory]
    [MemberData(nameof(OrderedPairs))]
    public void SelectRequest_TwoSubMessages_PicksTheEarlierInIntelOrder(int earlier, int later)
    {
        Request request = With((AesmRequestKind)later, (AesmRequestKind)earlier);

        Assert.Equal((AesmRequestKind)earlier, AesmDispatch.SelectRequest(request));
    }

    [Fact]
    public void SelectRequest_InitQuoteExAndLaunchToken_PicksLaunchToken()
    {
        Request request = With(AesmRequestKind.InitQuoteEx, AesmRequestKind.GetLaunchToken);

        Assert.Equal(AesmRequestKind.GetLaunchToken, AesmDispatch.SelectRequest(request));
    }

    [Fact]
    public void SelectRequest_InitQuoteAndGetSupportedAttKeyIds_PicksInitQuote()
    {
        Request request = With(AesmRequestKind.GetSupportedAttKeyIds, AesmRequestKind.InitQuote);

        Assert.Equal(AesmRequestKind.InitQuote, AesmDispatch.SelectRequest(request));
    }

    [Fact]
    public void SelectRequest_CheckUpdateStatusAndWhiteListSize_PicksCheckUpdateStatus()
    {
        // 18 before 10: Intel's order is not field-number order.
        Request request = With(AesmRequestKind.GetWhiteListSize, AesmRequestKind.CheckUpdateStatus);

        Assert.Equal(AesmRequestKind.CheckUpdateStatus, AesmDispatch.SelectRequest(request));
    }

    [Fact]
    public void SelectRequest_EverySubMessage_PicksLaunchToken()
    {
        Request request = With(Enum.GetValues<AesmRequestKind>());

        Assert.Equal(AesmRequestKind.GetLaunchToken, AesmDispatch.SelectRequest(request));
    }

    [Theory]
    [InlineData("")]                 // empty body
    [InlineData("a20100")]           // field 20: unused in Request
    [InlineData("2a00")]             // field 5: historic PSE CreateSession
    [InlineData("4a00")]             // field 9: historic PSE
    [InlineData("ba0100")]           // field 23: beyond the schema
    [InlineData("7801")]             // field 15 with the wrong wire type (varint): an unknown field, not InitQuoteEx
    [InlineData("08011001")]         // stray varints
    public void SelectRequest_NoKnownSubMessage_ReturnsNull(string hex)
    {
        Assert.True(AesmFrame.TryParseRequest(new ReadOnlySequence<byte>(HexText.FromHex(hex)), out Request? request));

        Assert.Null(AesmDispatch.SelectRequest(request));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void HasRequiredFields_EveryFieldSet_True(AesmRequestKind kind)
    {
        Assert.True(AesmDispatch.HasRequiredFields(Full(kind), kind));
    }

    [Theory]
    [MemberData(nameof(RequiredFields))]
    public void HasRequiredFields_RequiredFieldRemoved_False(AesmRequestKind kind, string field)
    {
        Request request = Full(kind);
        SubDescriptor(kind).FindFieldByName(field).Accessor.Clear(AesmDispatch.GetSubMessage(request, kind));

        Assert.False(AesmDispatch.HasRequiredFields(request, kind));
    }

    [Theory]
    [MemberData(nameof(OptionalFields))]
    public void HasRequiredFields_OptionalFieldRemoved_True(AesmRequestKind kind, string field)
    {
        Request request = Full(kind);
        SubDescriptor(kind).FindFieldByName(field).Accessor.Clear(AesmDispatch.GetSubMessage(request, kind));

        Assert.True(AesmDispatch.HasRequiredFields(request, kind));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void HasRequiredFields_EmptySubMessage_TrueOnlyWithoutRequiredFields(AesmRequestKind kind)
    {
        bool schemaHasRequired = SubDescriptor(kind).Fields.InFieldNumberOrder().Any(f => f.IsRequired);

        Assert.Equal(!schemaHasRequired, AesmDispatch.HasRequiredFields(With(kind), kind));
    }

    [Fact]
    public void HasRequiredFields_GetQuoteExWithoutReport_False()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A6GetQuoteExRequest));
        request.GetQuoteExReq.ClearReport();

        Assert.False(AesmDispatch.HasRequiredFields(request, AesmRequestKind.GetQuoteEx));
    }

    [Fact]
    public void HasRequiredFields_GetQuoteExWithoutBufSize_False()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A6GetQuoteExRequest));
        request.GetQuoteExReq.ClearBufSize();

        Assert.False(AesmDispatch.HasRequiredFields(request, AesmRequestKind.GetQuoteEx));
    }

    [Fact]
    public void HasRequiredFields_GetSupportedAttKeyIdsWithoutBufSize_False()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A2GetSupportedAttKeyIdsRequest));
        request.GetSupportedAttKeyIDsReq.ClearBufSize();

        Assert.False(AesmDispatch.HasRequiredFields(request, AesmRequestKind.GetSupportedAttKeyIds));
    }

    [Fact]
    public void HasRequiredFields_InitQuoteExWithoutBPubKeyId_False()
    {
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A4InitQuoteExWithKeyRequest));
        request.InitQuoteExReq.ClearBPubKeyId();

        Assert.False(AesmDispatch.HasRequiredFields(request, AesmRequestKind.InitQuoteEx));
    }

    [Fact]
    public void HasRequiredFields_InitQuoteExWithoutBufSize_True()
    {
        // Optional again since SGX 2.30.1 (§2.6, §3 rule 5); Oasis and Intel's own size query omit it.
        Request request = Vectors.ParseRequestFrame(HexText.FromHex(AppendixA.A4InitQuoteExWithKeyRequest));
        request.InitQuoteExReq.ClearBufSize();

        Assert.True(AesmDispatch.HasRequiredFields(request, AesmRequestKind.InitQuoteEx));
    }

    [Fact]
    public void HasRequiredFields_LegacyGetQuoteWithoutSpid_False()
    {
        var request = new Request
        {
            GetQuoteReq = new Request.Types.GetQuoteRequest { Report = Vectors.Repeat(1, 432), QuoteType = 0, BufSize = 2000 },
        };

        Assert.False(AesmDispatch.HasRequiredFields(request, AesmRequestKind.GetQuote));
    }

    [Fact]
    public void HasRequiredFields_SubMessageAbsent_ThrowsArgumentException()
    {
        Request request = With(AesmRequestKind.InitQuoteEx);

        Assert.Throws<ArgumentException>(() => AesmDispatch.HasRequiredFields(request, AesmRequestKind.GetQuoteEx));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(23)]
    public void GetSubMessage_UndefinedKind_ThrowsArgumentOutOfRange(int value)
    {
        Request request = With(Enum.GetValues<AesmRequestKind>());

        Assert.Throws<ArgumentOutOfRangeException>(() => AesmDispatch.GetSubMessage(request, (AesmRequestKind)value));
        Assert.Throws<ArgumentOutOfRangeException>(() => AesmDispatch.HasRequiredFields(request, (AesmRequestKind)value));
    }

    [Fact]
    public void SelectRequest_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => AesmDispatch.SelectRequest(null!));
    }

    private static MessageDescriptor SubDescriptor(AesmRequestKind kind) =>
        Request.Descriptor.FindFieldByNumber((int)kind).MessageType;

    /// <summary>A request with an empty sub-message at each of <paramref name="kinds"/>, set through the descriptors.</summary>
    private static Request With(params AesmRequestKind[] kinds)
    {
        var request = new Request();
        foreach (AesmRequestKind kind in kinds)
        {
            FieldDescriptor field = Request.Descriptor.FindFieldByNumber((int)kind);
            field.Accessor.SetValue(request, field.MessageType.Parser.ParseFrom(ByteString.Empty));
        }

        return request;
    }

    /// <summary>A request whose <paramref name="kind"/> sub-message has every field set, through the descriptors.</summary>
    private static Request Full(AesmRequestKind kind)
    {
        Request request = With(kind);
        IMessage sub = AesmDispatch.GetSubMessage(request, kind)!;
        foreach (FieldDescriptor field in SubDescriptor(kind).Fields.InFieldNumberOrder())
        {
            object value = field.FieldType switch
            {
                FieldType.Bytes => ByteString.CopyFrom(1, 2, 3),
                FieldType.UInt32 => 7u,
                FieldType.UInt64 => 7ul,
                FieldType.Bool => false,
                _ => throw new InvalidOperationException($"Unexpected field type {field.FieldType} in {field.FullName}."),
            };
            field.Accessor.SetValue(sub, value);
            Assert.True(field.Accessor.HasValue(sub));
        }

        return request;
    }
}
