namespace QuoteHelper.Testing;

/// <summary>Hex helpers for byte-level test vectors.</summary>
public static class Hex
{
    /// <summary>Decodes hex, ignoring whitespace (so multi-line vectors can be pasted as-is).</summary>
    public static byte[] FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));
    }

    /// <summary>Encodes bytes as lower-case hex.</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
