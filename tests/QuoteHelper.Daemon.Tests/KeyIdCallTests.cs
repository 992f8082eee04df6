using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// GetSupportedAttKeyIDNum (§6.3), GetSupportedAttKeyIDs (§6.2) and SelectAttKeyID (§6.4), byte for byte over the
/// real socket.
/// </summary>
public sealed class KeyIdCallTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private readonly DaemonHost _host = fixture.Host;

    // ---- GetSupportedAttKeyIDNum (21) ----

    [Fact]
    public async Task GetSupportedAttKeyIdNum_EcdsaOnly_OneWithNumAlwaysPresent()
    {
        var reply = await _host.ExchangeAsync(GetSupportedAttKeyIdNumRequest());

        // errorCode 0 serialized (proto2), att_key_id_num = 1 (§6.3); identical to Appendix A.1's response.
        Assert.Equal("07000000aa010408001001", reply.Hex);
    }

    [Fact]
    public async Task GetSupportedAttKeyIdNum_NoTimeoutField_StillAnswered()
    {
        // Gramine sends no timeout (§1.4): an empty sub-message is a complete GetSupportedAttKeyIDNum request.
        var reply = await _host.ExchangeAsync(Hex.FromHex("03000000 aa0100"));

        Assert.Equal("07000000aa010408001001", reply.Hex);
    }

    // ---- GetSupportedAttKeyIDs (22) ----

    [Fact]
    public async Task GetSupportedAttKeyIds_BufSize256_ExactDefaultKeyId()
    {
        var reply = await _host.ExchangeAsync(GetSupportedAttKeyIdsRequest(256));

        Assert.Equal(ToHex(Proto.Frame(Proto.Sub(GetSupportedAttKeyIds, Proto.Varint(1, 0), Proto.Bytes(2, DefaultKeyId)))), reply.Hex);
        Assert.Equal(ToHex(DefaultKeyId), ToHex(reply.Decode().GetSupportedAttKeyIDsRes.AttKeyIds.ToByteArray()));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(255u)]
    [InlineData(257u)]
    [InlineData(512u)]
    [InlineData(uint.MaxValue)]
    public async Task GetSupportedAttKeyIds_BufSizeNotOneId_ParameterErrorOnly(uint bufSize)
    {
        var reply = await _host.ExchangeAsync(GetSupportedAttKeyIdsRequest(bufSize));

        // Appendix B: GetSupportedAttKeyIDs → 3 carries errorCode only.
        Assert.Equal("05000000b201020803", reply.Hex);
    }

    [Fact]
    public async Task GetSupportedAttKeyIds_BufSizeMissing_UnexpectedErrorOnly()
    {
        var reply = await _host.ExchangeAsync(GetSupportedAttKeyIdsRequest(null));

        // Required field missing → 1 in the same field, nothing else (§3 rule 5).
        Assert.Equal("05000000b201020801", reply.Hex);
    }

    // ---- SelectAttKeyID (19) ----

    [Fact]
    public async Task SelectAttKeyId_NoList_DefaultKeyId()
    {
        var reply = await _host.ExchangeAsync(SelectAttKeyIdRequest(null));

        Assert.Equal(ToHex(SelectAttKeyIdSuccess(DefaultKeyId)), reply.Hex);
    }

    [Fact]
    public async Task SelectAttKeyId_ListWithDefaultId_DefaultKeyId()
    {
        var reply = await _host.ExchangeAsync(SelectAttKeyIdRequest(KeyIdList(DefaultKeyId)));

        Assert.Equal(ToHex(SelectAttKeyIdSuccess(DefaultKeyId)), reply.Hex);
    }

    [Fact]
    public async Task SelectAttKeyId_ListEntryWithOwnExtension_CallersEntryReturned()
    {
        // Bytes 158..255 (spid, att_key_type, reserved) are not matched, and the caller's entry is what comes back (§6.4).
        var entry = DefaultKeyIdWithExtension(0xA5);

        var reply = await _host.ExchangeAsync(SelectAttKeyIdRequest(KeyIdList(entry)));

        Assert.Equal(ToHex(SelectAttKeyIdSuccess(entry)), reply.Hex);
    }

    [Fact]
    public async Task SelectAttKeyId_UnknownThenDefault_MatchingEntryReturned()
    {
        var unknown = DefaultKeyId;
        unknown[154] = 3; // algorithm_id ECDSA-P384: not advertised
        var entry = DefaultKeyIdWithExtension(0x5A);

        var reply = await _host.ExchangeAsync(SelectAttKeyIdRequest(KeyIdList(unknown, entry)));

        Assert.Equal(ToHex(SelectAttKeyIdSuccess(entry)), reply.Hex);
    }

    [Fact]
    public async Task SelectAttKeyId_ByteChangedAt158_StillMatches()
    {
        var entry = DefaultKeyId;
        entry[158] ^= 0xFF; // first byte after the 158-byte base

        var reply = await _host.ExchangeAsync(SelectAttKeyIdRequest(KeyIdList(entry)));

        Assert.Equal(ToHex(SelectAttKeyIdSuccess(entry)), reply.Hex);
    }

    [Theory]
    [InlineData(0)]   // id
    [InlineData(4)]   // mrsigner_length
    [InlineData(6)]   // mrsigner
    [InlineData(54)]  // prod_id
    [InlineData(154)] // algorithm_id
    [InlineData(157)] // last byte of the base
    public async Task SelectAttKeyId_ByteChangedInBase_UnsupportedAttKeyId(int offset)
    {
        var entry = DefaultKeyId;
        entry[offset] ^= 0x01;

        var reply = await _host.ExchangeAsync(SelectAttKeyIdRequest(KeyIdList(entry)));

        // Appendix B: SelectAttKeyID → 38, errorCode only.
        Assert.Equal("050000009a01020826", reply.Hex);
    }

    public static TheoryData<string, byte[]> MalformedLists => new()
    {
        { "empty list present", [] },
        { "header only, count 0", KeyIdList(0, 0, 0) },
        { "263 bytes (one short of header + entry)", KeyIdList(DefaultKeyId)[..263] },
        { "header id 1", KeyIdList(1, 0, 1, DefaultKeyId) },
        { "header version 1", KeyIdList(0, 1, 1, DefaultKeyId) },
        { "11 entries (above SGX_MAX_ATT_KEY_IDS)", KeyIdList([.. Enumerable.Repeat(DefaultKeyId, 11)]) },
        { "count 2, one entry", KeyIdList(0, 0, 2, DefaultKeyId) },
        { "count 1, two entries", KeyIdList(0, 0, 1, DefaultKeyId, DefaultKeyId) },
        { "count 1, one extra byte", [.. KeyIdList(DefaultKeyId), 0] },
        { "count 0, one entry", KeyIdList(0, 0, 0, DefaultKeyId) },
        { "count 0xFFFFFFFF", KeyIdList(0, 0, uint.MaxValue, DefaultKeyId) },
    };

    [Theory]
    [MemberData(nameof(MalformedLists))]
    public async Task SelectAttKeyId_MalformedList_ParameterErrorOnly(string @case, byte[] list)
    {
        var reply = await _host.ExchangeAsync(SelectAttKeyIdRequest(list));

        Assert.True(reply.Hex == "050000009a01020803", $"{@case}: {reply.Hex}");
    }

    [Fact]
    public async Task SelectAttKeyId_TenEntriesLastMatching_LastEntryReturned()
    {
        // SGX_MAX_ATT_KEY_IDS = 10 is accepted (the boundary below the 11-entry rejection).
        var unknown = DefaultKeyId;
        unknown[6] ^= 0xFF;
        var entry = DefaultKeyIdWithExtension(0x77);
        var entries = Enumerable.Repeat(unknown, 9).Append(entry).ToArray();

        var reply = await _host.ExchangeAsync(SelectAttKeyIdRequest(KeyIdList(entries)));

        Assert.Equal(ToHex(SelectAttKeyIdSuccess(entry)), reply.Hex);
    }
}
