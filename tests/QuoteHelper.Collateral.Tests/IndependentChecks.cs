using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace QuoteHelper.Collateral.Tests;

/// <summary>Checks made with the standard library only, independent of the code under test.</summary>
internal static class IndependentChecks
{
    /// <summary>r ‖ s signature over the exact bytes, by the certificate's key.</summary>
    public static bool VerifyRaw(X509Certificate2 signer, byte[] data, byte[] signature)
    {
        using var key = signer.GetECDsaPublicKey()!;
        return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Verifies a DER CRL's signature with the issuer's key and returns its TBS parts of interest.</summary>
    public static CrlFacts CheckCrl(byte[] der, X509Certificate2 issuer)
    {
        var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbs = list.ReadEncodedValue();
        list.ReadSequence(); // algorithm
        var signature = list.ReadBitString(out _);
        using var key = issuer.GetECDsaPublicKey()!;
        var valid = key.VerifyData(tbs.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        var reader = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        reader.ReadInteger();
        reader.ReadSequence();
        var issuerName = reader.ReadEncodedValue().ToArray();
        var thisUpdate = reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
        var nextUpdate = reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
        var serials = new List<BigInteger>();
        if (reader.HasData && reader.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = reader.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                serials.Add(entry.ReadInteger());
                entry.ReadEncodedValue();
                if (entry.HasData)
                {
                    entry.ReadEncodedValue();
                }
            }
        }

        var extensionOids = new List<string>();
        if (reader.HasData)
        {
            var extensions = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
            while (extensions.HasData)
            {
                extensionOids.Add(extensions.ReadSequence().ReadObjectIdentifier());
            }
        }

        return new CrlFacts(valid, issuerName.AsSpan().SequenceEqual(issuer.SubjectName.RawData), thisUpdate, nextUpdate, serials, extensionOids);
    }

    public static BigInteger Serial(X509Certificate2 certificate) => new(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true);
}

internal sealed record CrlFacts(bool SignatureValid, bool IssuerMatches, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate,
    List<BigInteger> RevokedSerials, List<string> ExtensionOids);
