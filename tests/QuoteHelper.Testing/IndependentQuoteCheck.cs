using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace QuoteHelper.Testing;

/// <summary>
/// Checks a v3 quote the way a test must: independently of the code that made it. Offsets are written out from
/// dcap-quote.md §1 here, not taken from the project's parser; signatures are checked with the standard library;
/// the PCK chain is built with <see cref="X509Chain"/> against the root the test trusts. Throws with a precise
/// message on the first mismatch.
/// </summary>
public static class IndependentQuoteCheck
{
    /// <summary>What the check found, for further assertions.</summary>
    /// <param name="AttestationPublicKey">The 64-byte attestation key.</param>
    /// <param name="QeReportBody">The 384-byte QE report body.</param>
    /// <param name="IsvReportBody">The 384-byte ISV report body.</param>
    /// <param name="Certificates">The PCK chain, leaf first.</param>
    public sealed record Result(byte[] AttestationPublicKey, byte[] QeReportBody, byte[] IsvReportBody, IReadOnlyList<X509Certificate2> Certificates);

    /// <summary>Checks everything a relying party can check without collateral.</summary>
    public static Result Verify(byte[] quote, X509Certificate2 trustedRoot, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(quote);
        Require(quote.Length >= 1020, $"quote of {quote.Length} bytes is shorter than 1020");
        Require(BinaryPrimitives.ReadUInt16LittleEndian(quote) == 3, "version is not 3");
        Require(BinaryPrimitives.ReadUInt16LittleEndian(quote.AsSpan(2)) == 2, "attestation key type is not 2 (ECDSA-P256)");
        Require(quote.AsSpan(12, 16).SequenceEqual(Convert.FromHexString("939A7233F79C4CA9940A0DB3957F0607")), "QE vendor id is not Intel's");
        var signatureDataLength = BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(432));
        Require(436 + signatureDataLength == quote.Length, $"436 + signature_data_len ({signatureDataLength}) != quote length {quote.Length}");

        var signature = quote.AsSpan(436, 64).ToArray();
        var attestationKey = quote.AsSpan(500, 64).ToArray();
        var qeReport = quote.AsSpan(564, 384).ToArray();
        var qeReportSignature = quote.AsSpan(948, 64).ToArray();
        var authLength = BinaryPrimitives.ReadUInt16LittleEndian(quote.AsSpan(1012));
        var authData = quote.AsSpan(1014, authLength).ToArray();
        var certType = BinaryPrimitives.ReadUInt16LittleEndian(quote.AsSpan(1014 + authLength));
        var certLength = BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(1016 + authLength));
        Require(certType == 5, $"certification data type {certType}, expected 5 (PCK_CERT_CHAIN)");
        Require(1020 + authLength + certLength == quote.Length, "certification data does not end the quote");
        var certData = quote.AsSpan(1020 + authLength, (int)certLength);
        Require(certData[^1] == 0 && certData[^2] == (byte)'\n', "PEM chain does not end with \"\\n\\0\"");

        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = attestationKey[..32], Y = attestationKey[32..] },
        });
        Require(key.VerifyData(quote.AsSpan(0, 432), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            "quote signature does not verify with the attestation key");

        var binding = SHA256.HashData([.. attestationKey, .. authData]);
        Require(qeReport.AsSpan(320, 32).SequenceEqual(binding), "QE report data is not SHA256(attestation key || auth data)");
        Require(qeReport.AsSpan(352, 32).IndexOfAnyExcept((byte)0) < 0, "upper 32 bytes of the QE report data are not zero");

        var pem = Encoding.ASCII.GetString(certData[..^1]);
        var certificates = new List<X509Certificate2>();
        foreach (var block in pem.Split("-----END CERTIFICATE-----", StringSplitOptions.RemoveEmptyEntries))
        {
            if (block.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                certificates.Add(X509Certificate2.CreateFromPem(block + "-----END CERTIFICATE-----"));
            }
        }

        Require(certificates.Count == 3, $"PCK chain has {certificates.Count} certificates, expected 3");
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
        chain.ChainPolicy.ExtraStore.Add(certificates[1]);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = (at ?? DateTimeOffset.UtcNow).UtcDateTime;
        Require(chain.Build(certificates[0]), "PCK chain does not build to the trusted root: " +
            string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Require(certificates[2].RawData.AsSpan().SequenceEqual(trustedRoot.RawData), "the chain's root is not the trusted root");

        using var pckKey = certificates[0].GetECDsaPublicKey()!;
        Require(pckKey.VerifyData(qeReport, qeReportSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            "QE report signature does not verify with the PCK key");

        return new Result(attestationKey, qeReport, quote.AsSpan(48, 384).ToArray(), certificates);
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException("Quote check failed: " + message);
        }
    }
}
