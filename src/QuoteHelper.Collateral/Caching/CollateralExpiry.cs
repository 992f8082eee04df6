using System.Formats.Asn1;
using System.Globalization;
using System.Text.Json;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Collateral.Caching;

/// <summary>
/// Finds the <c>nextUpdate</c> of a collateral document: TCB Info and identities (<c>tcbInfo.nextUpdate</c>,
/// <c>enclaveIdentity.nextUpdate</c>, dcap-quote.md §5.1–5.2) and CRLs in any of their encodings (TBSCertList
/// nextUpdate, §5.8). Past it the document is expired, so no cache may call it fresh.
/// </summary>
public static class CollateralExpiry
{
    /// <summary>The document's nextUpdate, or null when the body is none of those documents (e.g. a PCK certificate).</summary>
    public static DateTimeOffset? FindNextUpdate(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart("\t\n\r "u8);
        if (!trimmed.IsEmpty && trimmed[0] == (byte)'{')
        {
            return JsonNextUpdate(trimmed);
        }

        try
        {
            return CrlNextUpdate(CrlEncoding.ToDer(body));
        }
        catch (CollateralFormatException)
        {
            return null;
        }
    }

    /// <summary>thisUpdate and nextUpdate of a DER CRL (RFC 5280 §5.1), without checking its signature.</summary>
    /// <exception cref="AsnContentException">Not a CRL.</exception>
    public static (DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate) ReadCrlDates(ReadOnlyMemory<byte> der)
    {
        var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbs = list.ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            tbs.ReadInteger(); // version
        }

        tbs.ReadSequence(); // signature algorithm
        tbs.ReadSequence(); // issuer
        var thisUpdate = ReadTime(tbs);
        DateTimeOffset? nextUpdate = null;
        if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
        {
            nextUpdate = ReadTime(tbs);
        }

        return (thisUpdate, nextUpdate);
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    private static DateTimeOffset? CrlNextUpdate(byte[] der)
    {
        try
        {
            return ReadCrlDates(der).NextUpdate;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static DateTimeOffset? JsonNextUpdate(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            foreach (var member in new[] { "tcbInfo", "enclaveIdentity", "tcbEvaluationDataNumbers" })
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object &&
                    document.RootElement.TryGetProperty(member, out var inner) && inner.ValueKind == JsonValueKind.Object &&
                    inner.TryGetProperty("nextUpdate", out var next) && next.ValueKind == JsonValueKind.String &&
                    DateTimeOffset.TryParse(next.GetString(), CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
                {
                    return value;
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
