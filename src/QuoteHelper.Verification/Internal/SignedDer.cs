using System.Formats.Asn1;

namespace QuoteHelper.Verification.Internal;

/// <summary>
/// The outer shape that certificates and CRLs share (RFC 5280 §4.1, §5.1): SEQUENCE { to-be-signed, signature
/// algorithm, signature BIT STRING }, read from DER with nothing allowed after it. The signature is checked over
/// <see cref="Tbs"/> exactly as it appears in the bytes.
/// </summary>
/// <param name="Tbs">The to-be-signed structure, as encoded.</param>
/// <param name="SignatureAlgorithm">The outer signature algorithm OID.</param>
/// <param name="Signature">The signature bits.</param>
internal readonly record struct SignedDer(byte[] Tbs, string SignatureAlgorithm, byte[] Signature)
{
    /// <exception cref="AsnContentException">The bytes do not have that shape, or data follows it.</exception>
    public static SignedDer Read(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var signed = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = signed.ReadEncodedValue().ToArray();
        var algorithm = signed.ReadSequence().ReadObjectIdentifier();
        var signature = signed.ReadBitString(out _);
        signed.ThrowIfNotEmpty();
        return new SignedDer(tbs, algorithm, signature);
    }
}
