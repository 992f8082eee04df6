using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Verification.Internal;

/// <summary>
/// An X.509 certificate with what the pipeline needs pre-extracted: TBS bytes and signature (for issuer-signature
/// checks done by us, dcap-quote.md §3.4/§7.4), names, dates, serial, CA flag and the ECDSA public key.
/// </summary>
internal sealed class Cert
{
    internal const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    private Cert(byte[] der, X509Certificate2 x509, byte[] tbs, string signatureAlgorithm, byte[] signature, ECDsa? key)
    {
        Der = der;
        X509 = x509;
        Tbs = tbs;
        SignatureAlgorithm = signatureAlgorithm;
        Signature = signature;
        PublicKey = key;
        SubjectRaw = x509.SubjectName.RawData;
        IssuerRaw = x509.IssuerName.RawData;
        CommonName = x509.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        NotBefore = new DateTimeOffset(x509.NotBefore.ToUniversalTime());
        NotAfter = new DateTimeOffset(x509.NotAfter.ToUniversalTime());
        SerialHex = Convert.ToHexString(x509.SerialNumberBytes.Span);
        IsCa = x509.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault()?.CertificateAuthority ?? false;
        PublicKeyInfo = x509.PublicKey.ExportSubjectPublicKeyInfo();
    }

    public byte[] Der { get; }
    public X509Certificate2 X509 { get; }
    public byte[] Tbs { get; }
    public string SignatureAlgorithm { get; }
    public byte[] Signature { get; }
    public ECDsa? PublicKey { get; }
    public byte[] SubjectRaw { get; }
    public byte[] IssuerRaw { get; }
    public string CommonName { get; }
    public DateTimeOffset NotBefore { get; }
    public DateTimeOffset NotAfter { get; }
    public string SerialHex { get; }
    public bool IsCa { get; }
    public byte[] PublicKeyInfo { get; }
    public bool IsSelfIssued => SubjectRaw.AsSpan().SequenceEqual(IssuerRaw);

    /// <summary>Decodes a DER certificate; null (with <paramref name="error"/>) when it does not parse.</summary>
    public static Cert? TryLoad(byte[] der, out string? error)
    {
        error = null;
        try
        {
            var signed = SignedDer.Read(der);
            var x509 = X509CertificateLoader.LoadCertificate(der);
            return new Cert(der, x509, signed.Tbs, signed.SignatureAlgorithm, signed.Signature, x509.GetECDsaPublicKey());
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            error = "certificate does not parse: " + e.Message;
            return null;
        }
    }

    /// <summary>Loads a PEM chain with the caps of the quote parser (junk, other labels, more than 8 → error).</summary>
    public static List<Cert>? TryLoadPemChain(string pem, out VerificationFailureReason? reason, out string? error)
    {
        reason = null;
        error = null;
        if (pem.Length > Collateral.CollateralLimits.MaxChainLength)
        {
            reason = VerificationFailureReason.PckChainMalformed;
            error = "PEM chain exceeds the cap.";
            return null;
        }

        // Reuse the quote parser's strict PEM splitting (dcap-quote.md §1.5); the trailing NUL is optional there.
        return TryLoadDerChain(() => new CertificationData(CertificationDataType.PckCertChain, Encoding.ASCII.GetBytes(pem)).GetPckCertChainDer(), out reason, out error);
    }

    public static List<Cert>? TryLoadDerChain(Func<IReadOnlyList<byte[]>> split, out VerificationFailureReason? reason, out string? error)
    {
        reason = null;
        error = null;
        IReadOnlyList<byte[]> ders;
        try
        {
            ders = split();
        }
        catch (QuoteFormatException e)
        {
            reason = e.Reason == QuoteFormatError.TooManyCertificates
                ? VerificationFailureReason.PckChainTooManyCertificates
                : VerificationFailureReason.PckChainMalformed;
            error = e.Message;
            return null;
        }

        var certificates = new List<Cert>(ders.Count);
        foreach (var der in ders)
        {
            var cert = TryLoad(der, out error);
            if (cert is null)
            {
                reason = VerificationFailureReason.PckChainMalformed;
                return null;
            }

            certificates.Add(cert);
        }

        return certificates;
    }

    /// <summary>
    /// True when <paramref name="issuer"/> issued this certificate: issuer name equals the issuer's subject, and the
    /// ecdsa-with-SHA256 signature over the TBS verifies with the issuer's key.
    /// </summary>
    public bool IsIssuedBy(Cert issuer) =>
        IssuerRaw.AsSpan().SequenceEqual(issuer.SubjectRaw) &&
        SignatureAlgorithm == EcdsaWithSha256 &&
        issuer.PublicKey is { } key &&
        VerifyDer(key, Tbs, Signature);

    /// <summary>Same certificate as <paramref name="other"/>: byte-identical, or the same key and signature (QVL).</summary>
    public bool SameAs(Cert other) =>
        Der.AsSpan().SequenceEqual(other.Der) ||
        (PublicKeyInfo.AsSpan().SequenceEqual(other.PublicKeyInfo) && Signature.AsSpan().SequenceEqual(other.Signature));

    public static bool VerifyDer(ECDsa key, byte[] data, byte[] derSignature)
    {
        lock (key)
        {
            return key.VerifyData(data, derSignature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
    }
}
