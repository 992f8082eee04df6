using System.Security.Cryptography;
using System.Text;

namespace QuoteHelper.Verification.Collateral;

/// <summary>
/// CRLs arrive as DER (Intel PCS with <c>encoding=der</c>, the root CDP), PEM (PCS default) or hex of DER (PCCS
/// <c>rootcacrl</c>); Intel's QvE accepts all three (dcap-quote.md §5.8). This normalises to DER. No signature or date
/// is checked here: that is verification step 4.
/// </summary>
public static class CrlEncoding
{
    private const string PemLabel = "X509 CRL";

    /// <summary>Returns the DER of a CRL given as DER, PEM (<c>-----BEGIN X509 CRL-----</c>) or hex of DER.</summary>
    /// <param name="encoded">The CRL in one of the three encodings; surrounding whitespace is ignored for PEM and hex.</param>
    /// <returns>A new array with the DER bytes (starting with a SEQUENCE tag).</returns>
    /// <exception cref="CollateralFormatException">FieldTooLarge above <see cref="CollateralLimits.MaxCrlLength"/>
    /// (hex and PEM: twice / 4/3 of it); InvalidCrlEncoding when none of the three encodings fits.</exception>
    public static byte[] ToDer(ReadOnlySpan<byte> encoded)
    {
        // Hex doubles the size and PEM adds a third plus line breaks; the text cap allows for both.
        if (encoded.Length > (2 * CollateralLimits.MaxCrlLength) + 1024)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge,
                $"CRL of {encoded.Length} bytes exceeds the cap of {CollateralLimits.MaxCrlLength} bytes of DER.");
        }

        // DER starts with a SEQUENCE tag (0x30); hex text of DER starts with the characters "30" (0x33 0x30) and PEM
        // with '-', so the three encodings cannot be confused.
        if (!encoded.IsEmpty && encoded[0] == 0x30)
        {
            return CheckDer(encoded.ToArray());
        }

        var trimmed = encoded.Trim("\t\n\r "u8);
        if (trimmed.StartsWith("-----BEGIN"u8))
        {
            return FromPem(trimmed);
        }

        return CheckDer(FromHex(trimmed, "CRL"));
    }

    /// <summary>Returns the DER of a CRL given as text: PEM or hex of DER.</summary>
    /// <exception cref="CollateralFormatException">As <see cref="ToDer(ReadOnlySpan{byte})"/>.</exception>
    public static byte[] ToDer(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (encoded.Length > (2 * CollateralLimits.MaxCrlLength) + 1024)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge,
                $"CRL text of {encoded.Length} characters exceeds the cap.");
        }

        return ToDer(Encoding.UTF8.GetBytes(encoded));
    }

    /// <summary>Decodes hex text (either case, no separators) into bytes.</summary>
    internal static byte[] FromHex(ReadOnlySpan<byte> hex, string what)
    {
        if (hex.Length % 2 != 0)
        {
            CollateralThrow.Format(CollateralFormatError.InvalidBytes, $"{what}: hex text has an odd length ({hex.Length}).");
        }

        var bytes = new byte[hex.Length / 2];
        var status = Convert.FromHexString(hex, bytes, out _, out var written);
        if (status != System.Buffers.OperationStatus.Done || written != bytes.Length)
        {
            CollateralThrow.Format(CollateralFormatError.InvalidBytes, $"{what}: not hex text.");
        }

        return bytes;
    }

    private static byte[] FromPem(ReadOnlySpan<byte> pemBytes)
    {
        if (pemBytes.IndexOfAnyExceptInRange((byte)1, (byte)0x7f) >= 0)
        {
            CollateralThrow.Format(CollateralFormatError.InvalidCrlEncoding, "CRL PEM text is not ASCII.");
        }

        var text = Encoding.ASCII.GetString(pemBytes).AsSpan();
        if (!PemEncoding.TryFind(text, out var fields) || !text[fields.Label].SequenceEqual(PemLabel) ||
            !text[fields.Location.End..].IsWhiteSpace() || !text[..fields.Location.Start].IsWhiteSpace())
        {
            CollateralThrow.Format(CollateralFormatError.InvalidCrlEncoding,
                "CRL PEM text must be exactly one '-----BEGIN X509 CRL-----' block.");
        }

        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(text[fields.Base64Data], der, out var written) || written != der.Length)
        {
            CollateralThrow.Format(CollateralFormatError.InvalidCrlEncoding, "CRL PEM block has invalid base64.");
        }

        return CheckDer(der);
    }

    private static byte[] CheckDer(byte[] der)
    {
        if (der.Length > CollateralLimits.MaxCrlLength)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge,
                $"CRL of {der.Length} bytes exceeds the cap of {CollateralLimits.MaxCrlLength}.");
        }

        if (der.Length == 0 || der[0] != 0x30)
        {
            CollateralThrow.Format(CollateralFormatError.InvalidCrlEncoding,
                "CRL is neither DER (a SEQUENCE), PEM (X509 CRL) nor hex of DER.");
        }

        return der;
    }
}
