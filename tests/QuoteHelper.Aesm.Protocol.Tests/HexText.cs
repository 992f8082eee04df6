namespace QuoteHelper.Aesm.Protocol.Tests;

/// <summary>Hex text for test vectors: whitespace (line breaks, grouping spaces) is ignored on input.</summary>
internal static class HexText
{
    /// <summary>Decodes hex digits, skipping any whitespace.</summary>
    public static byte[] FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));
    }

    /// <summary>Lower-case hex without separators.</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
