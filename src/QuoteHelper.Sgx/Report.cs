namespace QuoteHelper.Sgx;

/// <summary>
/// <c>sgx_report_t</c>, 432 bytes (aesm-protocol.md §4.5): a report body, the 32-byte KEYID that went into the
/// report-key derivation, and the 16-byte AES-CMAC over the body computed with the target enclave's report key.
/// </summary>
public sealed class Report
{
    /// <summary>Size of the structure in bytes.</summary>
    public const int Size = 432;

    /// <summary>Offset of <c>key_id</c> (32 bytes).</summary>
    public const int KeyIdOffset = 384;

    /// <summary>Offset of <c>mac</c> (16 bytes).</summary>
    public const int MacOffset = 416;

    /// <summary>Length of <c>key_id</c>.</summary>
    public const int KeyIdLength = 32;

    /// <summary>Length of <c>mac</c>.</summary>
    public const int MacLength = 16;

    /// <summary>The report body.</summary>
    public ReportBody Body { get; set; } = new();

    /// <summary>KEYID (32 bytes).</summary>
    public byte[] KeyId { get; set; } = new byte[KeyIdLength];

    /// <summary>MAC over the body (16 bytes).</summary>
    public byte[] Mac { get; set; } = new byte[MacLength];

    /// <summary>Decodes a report from exactly 432 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not 432 bytes.</exception>
    public static Report Read(ReadOnlySpan<byte> source)
    {
        SgxThrow.IfWrongLength(source, Size, nameof(source));
        return new Report
        {
            Body = ReportBody.Read(source),
            KeyId = source.Slice(KeyIdOffset, KeyIdLength).ToArray(),
            Mac = source.Slice(MacOffset, MacLength).ToArray(),
        };
    }

    /// <summary>Encodes the report into the first 432 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        SgxThrow.IfTooShort(destination, Size);
        Body.Write(destination);
        ReportBody.Put(destination, KeyIdOffset, KeyId, KeyIdLength, nameof(KeyId));
        ReportBody.Put(destination, MacOffset, Mac, MacLength, nameof(Mac));
    }

    /// <summary>Returns the 432 encoded bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }
}
