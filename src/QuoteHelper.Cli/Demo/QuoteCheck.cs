using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Cli.Demo;

/// <summary>
/// The demo's account of a quote: the checks a relying party makes on the signatures and the chain (dcap-quote.md
/// §3), each with its outcome. It trusts only the root it is given. It is a demonstration, not the verifier: no
/// CRLs, TCB Info or QE Identity (those are the verification pipeline's job).
/// </summary>
internal static class QuoteCheck
{
    public sealed record Step(string Name, bool Passed, string Detail);

    public static IReadOnlyList<Step> Run(byte[] quoteBytes, X509Certificate2 trustedRoot, DateTimeOffset at)
    {
        var steps = new List<Step>();
        Quote quote;
        try
        {
            quote = Quote.Parse(quoteBytes);
            steps.Add(new("parse", true, $"v{quote.Header.Version} quote, {quote.Length} bytes, attestation key type {quote.Header.AttestationKeyType}"));
        }
        catch (QuoteFormatException e)
        {
            steps.Add(new("parse", false, $"{e.Reason}: {e.Message}"));
            return steps;
        }

        var signature = quote.SignatureData;
        using var attestationKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = signature.AttestationPublicKey[..32], Y = signature.AttestationPublicKey[32..] },
        });
        var signed = quoteBytes.AsSpan(0, QuoteOffsets.SignedRegionLength);
        steps.Add(new("quote signature", attestationKey.VerifyData(signed, signature.Signature, HashAlgorithmName.SHA256),
            "ECDSA P-256 over header ‖ ISV report body by the attestation key"));

        var expected = SHA256.HashData([.. signature.AttestationPublicKey, .. signature.QeAuthData]);
        steps.Add(new("QE report binding", expected.AsSpan().SequenceEqual(signature.QeReport.ReportData.AsSpan(0, 32)),
            "QE report data = SHA256(attestation key ‖ auth data)"));

        if (signature.CertificationData.Type != CertificationDataType.PckCertChain)
        {
            steps.Add(new("PCK chain", false, $"certification data type {signature.CertificationData.Type}, not a PCK chain"));
            return steps;
        }

        var ders = signature.CertificationData.GetPckCertChainDer();
        using var leaf = X509CertificateLoader.LoadCertificate(ders[0]);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        foreach (var der in ders.Skip(1))
        {
            chain.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(der));
        }

        var built = chain.Build(leaf);
        steps.Add(new("PCK chain", built, built
            ? $"{leaf.GetNameInfo(X509NameType.SimpleName, false)} ← {string.Join(" ← ", chain.ChainElements.Skip(1).Select(e => e.Certificate.GetNameInfo(X509NameType.SimpleName, false)))}"
            : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))));

        using var pckKey = leaf.GetECDsaPublicKey();
        var qeReportValid = pckKey is not null &&
            pckKey.VerifyData(signature.QeReport.ToArray(), signature.QeReportSignature, HashAlgorithmName.SHA256);
        steps.Add(new("QE report signature", qeReportValid, "ECDSA P-256 over the QE report body by the PCK key"));
        return steps;
    }
}
