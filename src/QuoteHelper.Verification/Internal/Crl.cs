using System.Formats.Asn1;

namespace QuoteHelper.Verification.Internal;

/// <summary>
/// A certificate revocation list parsed with System.Formats.Asn1 (dcap-quote.md §5.8): X509Chain cannot take
/// caller-supplied CRLs and <c>CertificateRevocationListBuilder.Load</c> checks no signature, so we do it.
/// </summary>
internal sealed class Crl
{
    private const string CrlNumberOid = "2.5.29.20";
    private const string AuthorityKeyIdentifierOid = "2.5.29.35";

    private Crl(byte[] tbs, string algorithm, byte[] signature, byte[] issuer, DateTimeOffset thisUpdate,
        DateTimeOffset? nextUpdate, HashSet<string> revoked, bool hasNumber, bool hasAki)
    {
        Tbs = tbs;
        SignatureAlgorithm = algorithm;
        Signature = signature;
        IssuerRaw = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        RevokedSerials = revoked;
        HasCrlNumber = hasNumber;
        HasAuthorityKeyIdentifier = hasAki;
    }

    public byte[] Tbs { get; }
    public string SignatureAlgorithm { get; }
    public byte[] Signature { get; }
    public byte[] IssuerRaw { get; }
    public DateTimeOffset ThisUpdate { get; }
    public DateTimeOffset? NextUpdate { get; }
    public HashSet<string> RevokedSerials { get; }
    public bool HasCrlNumber { get; }
    public bool HasAuthorityKeyIdentifier { get; }

    /// <summary>Parses CertificateList (RFC 5280 §5.1); null with an error when malformed.</summary>
    public static Crl? TryParse(byte[] der, out string? error)
    {
        error = null;
        try
        {
            var signed = SignedDer.Read(der);
            var tbs = new AsnReader(signed.Tbs, AsnEncodingRules.DER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger();
            }

            tbs.ReadSequence(); // inner signature algorithm
            var issuer = tbs.ReadEncodedValue().ToArray();
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && IsTime(tbs.PeekTag()))
            {
                nextUpdate = ReadTime(tbs);
            }

            var revoked = new HashSet<string>(StringComparer.Ordinal);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(Convert.ToHexString(entry.ReadIntegerBytes().Span));
                }
            }

            bool hasNumber = false, hasAki = false;
            var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(extensionsTag))
            {
                var extensions = tbs.ReadSequence(extensionsTag).ReadSequence();
                while (extensions.HasData)
                {
                    var extension = extensions.ReadSequence();
                    var oid = extension.ReadObjectIdentifier();
                    hasNumber |= oid == CrlNumberOid;
                    hasAki |= oid == AuthorityKeyIdentifierOid;
                }
            }

            tbs.ThrowIfNotEmpty();
            return new Crl(signed.Tbs, signed.SignatureAlgorithm, signed.Signature, issuer, thisUpdate, nextUpdate, revoked, hasNumber, hasAki);
        }
        catch (AsnContentException e)
        {
            error = "CRL does not parse: " + e.Message;
            return null;
        }
    }

    /// <summary>Issuer name and signature check against <paramref name="issuer"/>.</summary>
    public bool IsSignedBy(Cert issuer) =>
        SignatureAlgorithm == Cert.EcdsaWithSha256 && issuer.PublicKey is { } key && Cert.VerifyDer(key, Tbs, Signature);

    public bool IsIssuedByName(Cert issuer) => IssuerRaw.AsSpan().SequenceEqual(issuer.SubjectRaw);

    public bool Revokes(Cert certificate) => RevokedSerials.Contains(certificate.SerialHex);

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
