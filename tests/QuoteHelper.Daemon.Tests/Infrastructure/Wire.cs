using System.Buffers.Binary;
using System.Security.Cryptography;
using static QuoteHelper.Daemon.Tests.Proto;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// Request frames and expected response frames written from aesm-protocol.md with <see cref="Proto"/> — field
/// numbers from §2.2–§2.5, in field-number order like Intel's client (§2.1). Nothing here comes from the daemon's
/// own protocol code.
/// </summary>
internal static class Wire
{
    // Top-level field numbers (§2.2, §2.4).
    public const int InitQuoteEx = 15;
    public const int GetQuoteSizeEx = 16;
    public const int GetQuoteEx = 17;
    public const int SelectAttKeyId = 19;
    public const int GetSupportedAttKeyIdNum = 21;
    public const int GetSupportedAttKeyIds = 22;

    // AESM error codes (§7.1).
    public const uint Success = 0;
    public const uint UnexpectedError = 1;
    public const uint ParameterError = 3;
    public const uint ServiceUnavailable = 30;
    public const uint UnsupportedAttKeyId = 38;
    public const uint AttKeyNotInitialized = 42;
    public const uint InvalidReport = 47;

    /// <summary>Intel's client sends timeout = 15000 (ms) in every request (§1.4).</summary>
    public const uint IntelTimeout = 15000;

    /// <summary>Quote size without the certification data: 436 + 576 + 2 + 32 + 6 (§6.6).</summary>
    public const int QuoteSizeWithoutCertData = 1052;

    /// <summary>The 256-byte default ECDSA-P256 key id, copied from aesm-protocol.md §5.</summary>
    public static byte[] DefaultKeyId => Hex.FromHex("""
        0000000020008c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b
        094490c57bff0000000000000000000000000000000001000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000020000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """);

    /// <summary>The QE3 authentication data: bytes 00..1F (§5).</summary>
    public static byte[] QeAuthData => [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    /// <summary>The default id with bytes 158..255 (spid, att_key_type, reserved) filled with <paramref name="fill"/>.</summary>
    public static byte[] DefaultKeyIdWithExtension(byte fill)
    {
        var id = DefaultKeyId;
        id.AsSpan(158).Fill(fill);
        return id;
    }

    /// <summary>A SelectAttKeyID list: header (id, version, count) and the entries.</summary>
    public static byte[] KeyIdList(ushort id, ushort version, uint count, params byte[][] entries)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(header, id);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), version);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), count);
        return Concat([header, .. entries]);
    }

    /// <summary>A well-formed list (id 0, version 0, count = number of entries).</summary>
    public static byte[] KeyIdList(params byte[][] entries) => KeyIdList(0, 0, (uint)entries.Length, entries);

    /// <summary>SHA256(attestation public key ‖ 00..1F): the pub_key_id InitQuoteEx returns (§5).</summary>
    public static byte[] PublicKeyId(ReadOnlySpan<byte> attestationPublicKey) => SHA256.HashData([.. attestationPublicKey, .. QeAuthData]);

    // ---- Requests (Intel's client field order, §8.2) ----

    public static byte[] GetSupportedAttKeyIdNumRequest() => Frame(Sub(GetSupportedAttKeyIdNum, Varint(9, IntelTimeout)));

    public static byte[] GetSupportedAttKeyIdsRequest(uint? bufSize) =>
        Frame(Sub(GetSupportedAttKeyIds, Optional(bufSize is { } b ? Varint(1, b) : null), Varint(9, IntelTimeout)));

    public static byte[] SelectAttKeyIdRequest(byte[]? list) =>
        Frame(Sub(SelectAttKeyId, Optional(list is null ? null : Bytes(1, list)), Varint(2, IntelTimeout)));

    public static byte[] InitQuoteExRequest(byte[]? keyId, bool? publicKeyId, ulong? bufSize) =>
        Frame(Sub(InitQuoteEx,
            Optional(keyId is null ? null : Bytes(1, keyId)),
            Optional(publicKeyId is { } p ? Varint(3, p ? 1UL : 0UL) : null),
            Optional(bufSize is { } b ? Varint(4, b) : null),
            Varint(9, IntelTimeout)));

    public static byte[] GetQuoteSizeExRequest(byte[]? keyId) =>
        Frame(Sub(GetQuoteSizeEx, Optional(keyId is null ? null : Bytes(1, keyId)), Varint(9, IntelTimeout)));

    public static byte[] GetQuoteExRequest(byte[]? report, byte[]? keyId, byte[]? qeReportInfo, uint? bufSize) =>
        Frame(Sub(GetQuoteEx,
            Optional(report is null ? null : Bytes(1, report)),
            Optional(keyId is null ? null : Bytes(2, keyId)),
            Optional(qeReportInfo is null ? null : Bytes(3, qeReportInfo)),
            Optional(bufSize is { } b ? Varint(4, b) : null),
            Varint(9, IntelTimeout)));

    // ---- Expected responses (§6.8 field presence) ----

    /// <summary>A response sub-message carrying errorCode only.</summary>
    public static byte[] ErrorOnly(int field, uint code) => Frame(Sub(field, Varint(1, code)));

    public static byte[] InitQuoteExError(uint code, ulong pubKeyIdSize) =>
        Frame(Sub(InitQuoteEx, Varint(1, code), Varint(3, pubKeyIdSize)));

    public static byte[] InitQuoteExSuccess(byte[] targetInfo, byte[]? publicKeyId) =>
        Frame(Sub(InitQuoteEx, Varint(1, 0), Bytes(2, targetInfo), Varint(3, 32), Optional(publicKeyId is null ? null : Bytes(4, publicKeyId))));

    public static byte[] GetQuoteSizeExResponse(uint code, uint quoteSize) =>
        Frame(Sub(GetQuoteSizeEx, Varint(1, code), Varint(2, quoteSize)));

    public static byte[] GetQuoteExError(uint code, byte[]? qeReportInfoEcho) =>
        Frame(Sub(GetQuoteEx, Varint(1, code), Optional(qeReportInfoEcho is null ? null : Bytes(3, qeReportInfoEcho))));

    public static byte[] GetQuoteExSuccess(byte[] quote, byte[]? qeReportInfo) =>
        Frame(Sub(GetQuoteEx, Varint(1, 0), Bytes(2, quote), Optional(qeReportInfo is null ? null : Bytes(3, qeReportInfo))));

    public static byte[] SelectAttKeyIdSuccess(byte[] selected) => Frame(Sub(SelectAttKeyId, Varint(1, 0), Bytes(2, selected)));

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Optional(byte[]? field) => field ?? [];
}
