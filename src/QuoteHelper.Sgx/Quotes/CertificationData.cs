using System.Security.Cryptography;
using System.Text;

namespace QuoteHelper.Sgx.Quotes;

/// <summary>
/// The certification data at the end of a quote's signature data: a type and its raw bytes, kept exactly as in the
/// quote (dcap-quote.md §1.4, §1.5). Content is decoded lazily by <see cref="GetPckCertChainDer"/> and
/// <see cref="GetPpidCertificationData"/>, so parsing a quote never fails on content a caller does not look at.
/// </summary>
public sealed class CertificationData
{
    /// <summary>Most certificates <see cref="GetPckCertChainDer"/> accepts (<see cref="QuoteLimits.MaxCertificatesInChain"/>).</summary>
    public const int MaxCertificatesInChain = QuoteLimits.MaxCertificatesInChain;

    private const string CertificateLabel = "CERTIFICATE";

    /// <summary>Creates certification data from a copy of <paramref name="data"/>.</summary>
    /// <param name="type">The certification data type.</param>
    /// <param name="data">The raw content, exactly as it is to appear in a quote.</param>
    /// <exception cref="ArgumentException"><paramref name="data"/> is longer than <see cref="QuoteLimits.MaxCertificationDataLength"/>.</exception>
    public CertificationData(CertificationDataType type, ReadOnlySpan<byte> data)
    {
        if (data.Length > QuoteLimits.MaxCertificationDataLength)
        {
            throw new ArgumentException(
                $"Certification data of {data.Length} bytes exceeds the cap of {QuoteLimits.MaxCertificationDataLength}.",
                nameof(data));
        }

        Type = type;
        Data = data.ToArray();
    }

    /// <summary>The certification data type.</summary>
    public CertificationDataType Type { get; }

    /// <summary>The raw content, exactly as in the quote (for type 5 including the trailing NUL).</summary>
    public byte[] Data { get; }

    /// <summary>
    /// Builds PCK_CERT_CHAIN data from a PEM chain (leaf first): each CERTIFICATE block as given, each followed by
    /// <c>"\n"</c>, then one NUL counted in the size — the form QE3 writes (dcap-quote.md §1.5, §8.2 step 7).
    /// </summary>
    /// <param name="pemChain">Concatenated PEM CERTIFICATE blocks; only whitespace may surround them.</param>
    /// <exception cref="ArgumentException">The text holds no certificate, other PEM labels or other text, more
    /// than <see cref="MaxCertificatesInChain"/> certificates, or the result exceeds the certification data cap.</exception>
    public static CertificationData ForPckCertChain(string pemChain)
    {
        ArgumentNullException.ThrowIfNull(pemChain);
        var blocks = new List<string>();
        var rest = pemChain.AsSpan();
        string? error;
        while (TryFindCertificate(rest, out var block, out var consumed, out error))
        {
            if (blocks.Count == MaxCertificatesInChain)
            {
                throw new ArgumentException($"More than {MaxCertificatesInChain} certificates.", nameof(pemChain));
            }

            blocks.Add(block);
            rest = rest[consumed..];
        }

        if (error is not null)
        {
            throw new ArgumentException(error, nameof(pemChain));
        }

        return ForPckCertChain(blocks);
    }

    /// <summary>
    /// Builds PCK_CERT_CHAIN data from PEM blocks (leaf first): each block without surrounding whitespace, followed by
    /// <c>"\n"</c>, then one NUL counted in the size (dcap-quote.md §1.5, §8.2 step 7).
    /// </summary>
    /// <param name="pemBlocks">One PEM CERTIFICATE block per element; surrounding whitespace is dropped.</param>
    /// <exception cref="ArgumentException">An element is not exactly one CERTIFICATE block, there are no or more than
    /// <see cref="MaxCertificatesInChain"/> blocks, or the result exceeds the certification data cap.</exception>
    public static CertificationData ForPckCertChain(IEnumerable<string> pemBlocks)
    {
        ArgumentNullException.ThrowIfNull(pemBlocks);
        var text = new StringBuilder();
        var count = 0;
        foreach (var pem in pemBlocks)
        {
            ArgumentNullException.ThrowIfNull(pem, nameof(pemBlocks));
            if (!TryFindCertificate(pem, out var block, out var consumed, out var error) ||
                !pem.AsSpan(consumed).IsWhiteSpace())
            {
                throw new ArgumentException(error ?? "Each element must hold exactly one PEM CERTIFICATE block.",
                    nameof(pemBlocks));
            }

            if (++count > MaxCertificatesInChain)
            {
                throw new ArgumentException($"More than {MaxCertificatesInChain} certificates.", nameof(pemBlocks));
            }

            text.Append(block).Append('\n');
        }

        if (count == 0)
        {
            throw new ArgumentException("A PCK certificate chain needs at least one certificate.", nameof(pemBlocks));
        }

        // The NUL terminator is part of the data and counted in its size, as in real quotes (dcap-quote.md §1.5).
        text.Append('\0');
        return new CertificationData(CertificationDataType.PckCertChain, Encoding.ASCII.GetBytes(text.ToString()));
    }

    /// <summary>
    /// Builds PCK_CERT_CHAIN data from DER certificates (leaf first), PEM-encoding each with 64-character lines.
    /// </summary>
    /// <param name="derCertificates">The DER encodings, leaf first.</param>
    /// <exception cref="ArgumentException">There are no or too many certificates, or the result exceeds the cap.</exception>
    public static CertificationData ForPckCertChainDer(IEnumerable<byte[]> derCertificates)
    {
        ArgumentNullException.ThrowIfNull(derCertificates);
        return ForPckCertChain(derCertificates.Select(der => new string(PemEncoding.Write(CertificateLabel, der))));
    }

    /// <summary>
    /// Decodes a PCK_CERT_CHAIN: drops the trailing NUL, splits the PEM CERTIFICATE blocks and returns the DER of each
    /// in order (leaf first). No X.509 parsing happens here.
    /// </summary>
    /// <returns>The DER encodings, one per certificate, in the order of the chain.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Type"/> is not <see cref="CertificationDataType.PckCertChain"/>.</exception>
    /// <exception cref="QuoteFormatException">MalformedCertificationData for non-ASCII bytes, text outside PEM blocks,
    /// labels other than CERTIFICATE, bad base64 or no certificate; TooManyCertificates above
    /// <see cref="MaxCertificatesInChain"/>.</exception>
    public IReadOnlyList<byte[]> GetPckCertChainDer()
    {
        if (Type != CertificationDataType.PckCertChain)
        {
            QuoteThrow.WrongType(Type, nameof(CertificationDataType.PckCertChain));
        }

        ReadOnlySpan<byte> bytes = Data;
        // QE3 terminates the PEM text with one NUL that is counted in the size (dcap-quote.md §1.5).
        if (!bytes.IsEmpty && bytes[^1] == 0)
        {
            bytes = bytes[..^1];
        }

        var nonAscii = bytes.IndexOfAnyExceptInRange((byte)1, (byte)0x7f);
        if (nonAscii >= 0)
        {
            QuoteThrow.Format(QuoteFormatError.MalformedCertificationData,
                $"PCK certificate chain has a non-ASCII byte 0x{bytes[nonAscii]:x2} at offset {nonAscii}.");
        }

        var text = Encoding.ASCII.GetString(bytes).AsSpan();
        var certificates = new List<byte[]>();
        while (true)
        {
            if (!PemEncoding.TryFind(text, out var fields))
            {
                if (!text.IsWhiteSpace())
                {
                    QuoteThrow.Format(QuoteFormatError.MalformedCertificationData,
                        "PCK certificate chain has text that is not a PEM block.");
                }

                break;
            }

            if (!text[..fields.Location.Start].IsWhiteSpace() || !text[fields.Label].SequenceEqual(CertificateLabel))
            {
                QuoteThrow.Format(QuoteFormatError.MalformedCertificationData,
                    "PCK certificate chain has text or PEM blocks other than CERTIFICATE.");
            }

            // Checked before decoding, so a hostile chain costs at most one certificate beyond the cap.
            if (certificates.Count == MaxCertificatesInChain)
            {
                QuoteThrow.Format(QuoteFormatError.TooManyCertificates,
                    $"PCK certificate chain has more than {MaxCertificatesInChain} certificates.");
            }

            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(text[fields.Base64Data], der, out var written) || written != der.Length)
            {
                QuoteThrow.Format(QuoteFormatError.MalformedCertificationData,
                    "PCK certificate chain has a PEM block with invalid base64.");
            }

            certificates.Add(der);
            text = text[fields.Location.End..];
        }

        if (certificates.Count == 0)
        {
            QuoteThrow.Format(QuoteFormatError.MalformedCertificationData, "PCK certificate chain is empty.");
        }

        return certificates;
    }

    /// <summary>Decodes the content of a type 1, 2 or 3 certification data (dcap-quote.md §1.5).</summary>
    /// <exception cref="InvalidOperationException"><see cref="Type"/> is not 1, 2 or 3.</exception>
    /// <exception cref="QuoteFormatException">MalformedCertificationData when the length does not fit the type.</exception>
    public PpidCertificationData GetPpidCertificationData() => PpidCertificationData.Read(Type, Data);

    private static bool TryFindCertificate(
        ReadOnlySpan<char> text, out string block, out int consumed, out string? error)
    {
        block = string.Empty;
        consumed = 0;
        error = null;
        if (!PemEncoding.TryFind(text, out var fields))
        {
            // Only whitespace left is the normal end of a chain, not an error.
            error = text.IsWhiteSpace() ? null : "Text outside PEM CERTIFICATE blocks.";
            return false;
        }

        if (!text[..fields.Location.Start].IsWhiteSpace())
        {
            error = "Text outside PEM CERTIFICATE blocks.";
            return false;
        }

        if (!text[fields.Label].SequenceEqual(CertificateLabel))
        {
            error = $"PEM label '{text[fields.Label]}' is not CERTIFICATE.";
            return false;
        }

        block = text[fields.Location].ToString();
        consumed = fields.Location.End.GetOffset(text.Length);
        return true;
    }
}
