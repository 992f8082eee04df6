using QuoteHelper.Sgx.Pck;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Sgx.Tests;

/// <summary>
/// Fuzz-style invariants on mutated real inputs (house-style habit 14): only the documented exception escapes, and
/// whatever parses re-serialises to the bytes it was parsed from.
/// </summary>
public sealed class InvariantTests
{
    [Fact]
    public void Parse_EveryByteOfFixedPartMutated_OnlyQuoteFormatExceptionEscapes()
    {
        var original = TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote");
        var random = new Random(12345);
        // Every byte up to the start of the PEM text, then a random sample of the chain.
        var offsets = Enumerable.Range(0, 1060).Concat(Enumerable.Range(0, 200).Select(_ => random.Next(original.Length)));
        foreach (var offset in offsets)
        {
            foreach (var mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                var mutated = (byte[])original.Clone();
                mutated[offset] ^= mask;
                try
                {
                    var quote = Quote.Parse(mutated);
                    Assert.Equal(mutated.AsSpan(0, quote.Length).ToArray(), quote.ToArray());
                    if (quote.SignatureData.CertificationData.Type == CertificationDataType.PckCertChain)
                    {
                        _ = quote.SignatureData.CertificationData.GetPckCertChainDer();
                    }
                }
                catch (QuoteFormatException)
                {
                    // documented rejection
                }
            }
        }
    }

    [Fact]
    public void Decode_EveryByteOfSpecExampleMutated_OnlyPckExtensionFormatExceptionEscapes()
    {
        var original = TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote");
        var chain = Quote.Parse(original).SignatureData.CertificationData.GetPckCertChainDer();
        using var leaf = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(chain[0]);
        var value = leaf.Extensions[SgxPckExtension.Oid]!.RawData;
        for (var offset = 0; offset < value.Length; offset++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                var mutated = (byte[])value.Clone();
                mutated[offset] ^= mask;
                try
                {
                    // DER is canonical: anything that decodes must re-encode to the same bytes.
                    Assert.Equal(mutated, SgxPckExtension.Decode(mutated).Encode());
                }
                catch (PckExtensionFormatException)
                {
                    // documented rejection
                }
            }
        }
    }
}
