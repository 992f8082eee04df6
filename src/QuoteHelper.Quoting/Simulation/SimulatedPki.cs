using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using QuoteHelper.Sgx.Pck;

namespace QuoteHelper.Quoting.Simulation;

/// <summary>
/// Issues the simulated platform's certificates in the profiles of Intel's PCK hierarchy (dcap-quote.md §4.1, §8.1):
/// P-256 keys, ecdsa-with-SHA256, the same DN shape, basic constraints, key usage, SKI/AKI, CRL distribution points,
/// and the SGX extension in the PCK leaf. Every subject says plainly that it is simulated; the CN phrases that
/// verifiers look for ("SGX Root CA", "SGX PCK Processor CA", "SGX PCK Certificate", "SGX TCB Signing") are kept.
/// </summary>
public static class SimulatedPki
{
    /// <summary>
    /// Subject CN of the simulation root, before its platform's id: the root of a platform is
    /// <c>Quote Helper Simulated SGX Root CA 1a2b3c4d</c> (<see cref="RootCommonNameFor"/>), so that two platforms'
    /// roots never share a name. Platforms created before the id was added keep their root, named without it.
    /// </summary>
    public const string RootCommonName = "Quote Helper Simulated SGX Root CA";

    /// <summary>Subject CN of the PCK CA.</summary>
    public const string PckCaCommonName = "Quote Helper Simulated SGX PCK Processor CA";

    /// <summary>Subject CN of the PCK leaf.</summary>
    public const string PckCommonName = "Quote Helper Simulated SGX PCK Certificate";

    /// <summary>Subject CN of the TCB signing certificate.</summary>
    public const string TcbSigningCommonName = "Quote Helper Simulated SGX TCB Signing";

    /// <summary>Organisation of every simulated subject.</summary>
    public const string Organization = "Quote Helper Simulation (not Intel, no security)";

    /// <summary>Base of the CRL distribution points named in the certificates (served by the collateral service).</summary>
    public const string CrlBaseUrl = "https://localhost:8081/sgx/certification/v4/";

    /// <summary>Creates a new P-256 key.</summary>
    public static ECDsa CreateKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>
    /// The root's CN for <paramref name="key"/>: <see cref="RootCommonName"/>, a space, and the first 4 bytes (8 hex
    /// digits) of the SHA-256 of the key's SubjectPublicKeyInfo, so that anyone can recompute it from the certificate.
    /// </summary>
    public static string RootCommonNameFor(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return $"{RootCommonName} {KeyId(key.ExportSubjectPublicKeyInfo())}";
    }

    /// <summary>The 8-hex-digit key id of a SubjectPublicKeyInfo (see <see cref="RootCommonNameFor"/>).</summary>
    public static string KeyId(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo)[..4]);

    /// <summary>Issues the self-signed simulation root CA (CA:TRUE, pathlen 1), named by <see cref="RootCommonNameFor"/>.</summary>
    public static X509Certificate2 CreateRoot(ECDsa key, DateTimeOffset notBefore)
    {
        var request = NewRequest(RootCommonNameFor(key), key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([CrlBaseUrl + "rootcacrl"]));

        // Self-signed through Create (not CreateSelfSigned) to get a 20-byte serial like every other certificate here.
        var notAfter = new DateTimeOffset(2049, 12, 31, 23, 59, 59, TimeSpan.Zero);
        using var issued = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), notBefore, notAfter, NewSerial());
        return X509CertificateLoader.LoadCertificate(issued.RawData);
    }

    /// <summary>Issues the PCK Processor CA (CA:TRUE, pathlen 0) under the root.</summary>
    public static X509Certificate2 CreatePckCa(ECDsa key, X509Certificate2 root, ECDsa rootKey, DateTimeOffset notBefore)
    {
        var request = NewRequest(PckCaCommonName, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        AddKeyIdentifiersAndCrl(request, root, "rootcacrl");
        return Issue(request, root, rootKey, notBefore, notBefore.AddYears(15));
    }

    /// <summary>Issues the PCK leaf certificate carrying <paramref name="extension"/> under the PCK CA.</summary>
    public static X509Certificate2 CreatePck(ECDsa key, SgxPckExtension extension, X509Certificate2 pckCa, ECDsa pckCaKey, DateTimeOffset notBefore)
    {
        ArgumentNullException.ThrowIfNull(extension);
        var request = NewRequest(PckCommonName, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        AddKeyIdentifiersAndCrl(request, pckCa, "pckcrl?ca=processor&encoding=der");
        request.CertificateExtensions.Add(new X509Extension(SgxPckExtension.Oid, extension.Encode(), false));
        return Issue(request, pckCa, pckCaKey, notBefore, notBefore.AddYears(7));
    }

    /// <summary>Issues the TCB signing certificate under the root.</summary>
    public static X509Certificate2 CreateTcbSigning(ECDsa key, X509Certificate2 root, ECDsa rootKey, DateTimeOffset notBefore)
    {
        var request = NewRequest(TcbSigningCommonName, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        AddKeyIdentifiersAndCrl(request, root, "rootcacrl");
        return Issue(request, root, rootKey, notBefore, notBefore.AddYears(7));
    }

    private static CertificateRequest NewRequest(string commonName, ECDsa key)
    {
        // Intel's DNs are encoded CN, O, L, ST, C (CN first; dcap-quote.md §4.2). The builder encodes the last
        // component added first, so they are added in reverse.
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("US");
        name.AddStateOrProvinceName("CA");
        name.AddLocalityName("Santa Clara");
        name.AddOrganizationName(Organization);
        name.AddCommonName(commonName);
        return new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
    }

    private static void AddKeyIdentifiersAndCrl(CertificateRequest request, X509Certificate2 issuer, string crlRoute)
    {
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([CrlBaseUrl + crlRoute]));
    }

    private static X509Certificate2 Issue(CertificateRequest request, X509Certificate2 issuer, ECDsa issuerKey, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var serial = NewSerial();
        var generator = X509SignatureGenerator.CreateForECDsa(issuerKey);
        if (notAfter > issuer.NotAfter)
        {
            notAfter = issuer.NotAfter;
        }

        using var issued = request.Create(issuer.SubjectName, generator, notBefore, notAfter, serial);
        return X509CertificateLoader.LoadCertificate(issued.RawData);
    }

    private static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(20);
        serial[0] &= 0x7F; // positive INTEGER
        serial[0] |= 0x01; // and 20 bytes long, like Intel's serials
        return serial;
    }
}
