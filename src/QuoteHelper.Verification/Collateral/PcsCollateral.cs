using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace QuoteHelper.Verification.Collateral;

/// <summary>
/// Builds <see cref="QuoteCollateral"/> from Intel PCS / PCCS responses (dcap-quote.md §5.1, §5.2, §5.8, §6.2) and
/// writes PCS-shaped bodies back. Signed bodies <c>{"tcbInfo":{…},"signature":"…"}</c> are split with
/// <see cref="JsonMarshal.GetRawUtf8Value"/>, so the inner value keeps exactly the bytes that were signed
/// (dcap-quote.md §5.3) — whitespace, key order and escapes included.
/// </summary>
public static class PcsCollateral
{
    /// <summary>Member of a TCB Info body holding the signed value.</summary>
    public const string TcbInfoMember = "tcbInfo";

    /// <summary>Member of an enclave identity body holding the signed value.</summary>
    public const string EnclaveIdentityMember = "enclaveIdentity";

    /// <summary>Member holding the hex signature in both bodies.</summary>
    public const string SignatureMember = "signature";

    /// <summary>
    /// Splits a PCS signed body into the exact bytes of its signed value and the 64-byte signature.
    /// </summary>
    /// <param name="body">The HTTP body, e.g. <c>{"tcbInfo":{…},"signature":"&lt;128 hex&gt;"}</c>.</param>
    /// <param name="member"><see cref="TcbInfoMember"/> or <see cref="EnclaveIdentityMember"/>.</param>
    /// <returns>The signed value's bytes as received, and the signature r ‖ s.</returns>
    /// <exception cref="CollateralFormatException">DocumentTooLarge, MalformedJson, DuplicateField, MissingField,
    /// WrongFieldType (the value is not an object, the signature not a string), FieldTooLarge, InvalidBytes,
    /// InvalidSignatureLength.</exception>
    public static (byte[] SignedValue, byte[] Signature) ReadSignedBody(ReadOnlySpan<byte> body, string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (body.Length > CollateralLimits.MaxDocumentLength)
        {
            CollateralThrow.Format(CollateralFormatError.DocumentTooLarge,
                $"Body of {body.Length} bytes exceeds the cap of {CollateralLimits.MaxDocumentLength}.");
        }

        using var document = QuoteCollateralJson.ParseDocument(body.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            CollateralThrow.Format(CollateralFormatError.MalformedJson, "A PCS signed body must be a JSON object.");
        }

        if (!root.TryGetProperty(member, out var value))
        {
            CollateralThrow.Format(CollateralFormatError.MissingField, $"Body has no '{member}' member.");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            CollateralThrow.Format(CollateralFormatError.WrongFieldType, $"Body member '{member}' must be an object.");
        }

        var signed = JsonMarshal.GetRawUtf8Value(value);
        if (signed.Length > CollateralLimits.MaxSignedJsonLength)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge,
                $"Body member '{member}' of {signed.Length} bytes exceeds the cap of {CollateralLimits.MaxSignedJsonLength}.");
        }

        if (!root.TryGetProperty(SignatureMember, out var signatureElement))
        {
            CollateralThrow.Format(CollateralFormatError.MissingField, "Body has no 'signature' member.");
        }

        if (signatureElement.ValueKind != JsonValueKind.String ||
            JsonMarshal.GetRawUtf8Value(signatureElement).Length > 4 * CollateralLimits.SignatureLength)
        {
            CollateralThrow.Format(CollateralFormatError.WrongFieldType, "Body member 'signature' must be a hex string.");
        }

        var signature = CrlEncoding.FromHex(System.Text.Encoding.UTF8.GetBytes(signatureElement.GetString()!), "signature");
        if (signature.Length != CollateralLimits.SignatureLength)
        {
            CollateralThrow.Format(CollateralFormatError.InvalidSignatureLength,
                $"Signature has {signature.Length} bytes; expected {CollateralLimits.SignatureLength}.");
        }

        return (signed.ToArray(), signature);
    }

    /// <summary>
    /// Writes a PCS signed body <c>{"&lt;member&gt;":&lt;signed value&gt;,"signature":"&lt;hex&gt;"}</c> — compact, the
    /// signed value inserted byte for byte, the signature as lower-case hex, as Intel PCS serves it (dcap-quote.md §8.3).
    /// </summary>
    /// <exception cref="ArgumentException">The signature is not 64 bytes, or the value is not a JSON object.</exception>
    public static byte[] WriteSignedBody(string member, ReadOnlySpan<byte> signedValue, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (signature.Length != CollateralLimits.SignatureLength)
        {
            throw new ArgumentException($"A signature has {CollateralLimits.SignatureLength} bytes.", nameof(signature));
        }

        var trimmed = signedValue.Trim("\t\n\r "u8);
        if (trimmed.IsEmpty || trimmed[0] != (byte)'{' || trimmed[^1] != (byte)'}')
        {
            throw new ArgumentException("The signed value must be a JSON object.", nameof(signedValue));
        }

        var buffer = new ArrayBufferWriter<byte>(signedValue.Length + 200);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(member);
            // WriteRawValue validates the JSON but writes the bytes unchanged: the signature stays valid.
            writer.WriteRawValue(signedValue, skipInputValidation: false);
            writer.WriteString(SignatureMember, Convert.ToHexStringLower(signature));
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decodes an issuer-chain header value (<c>TCB-Info-Issuer-Chain</c>, <c>SGX-TCB-Info-Issuer-Chain</c>,
    /// <c>SGX-Enclave-Identity-Issuer-Chain</c>, <c>SGX-PCK-CRL-Issuer-Chain</c>…): URL-encoded PEM (dcap-quote.md §5.9).
    /// </summary>
    /// <exception cref="CollateralFormatException">FieldTooLarge above <see cref="CollateralLimits.MaxChainLength"/>.</exception>
    public static string DecodeIssuerChainHeader(string headerValue)
    {
        ArgumentNullException.ThrowIfNull(headerValue);
        // URL encoding at most triples the length.
        if (headerValue.Length > 3 * CollateralLimits.MaxChainLength)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge, "Issuer chain header is too long.");
        }

        var pem = Uri.UnescapeDataString(headerValue);
        if (pem.Length > CollateralLimits.MaxChainLength)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge, "Issuer chain exceeds the cap.");
        }

        return pem;
    }

    /// <summary>
    /// Assembles collateral from the bodies and headers of the PCS/PCCS responses a verifier needs (dcap-quote.md §6.2):
    /// PCK CRL (+ its issuer chain header), root CA CRL, TCB Info body (+ issuer chain), QE Identity body
    /// (+ issuer chain). CRLs may be PEM, DER or hex of DER; issuer chains are the decoded PEM
    /// (see <see cref="DecodeIssuerChainHeader"/>).
    /// </summary>
    /// <param name="pckCrlIssuerChain">PEM from <c>SGX-PCK-CRL-Issuer-Chain</c>.</param>
    /// <param name="rootCaCrl">The root CA CRL in any of the three encodings.</param>
    /// <param name="pckCrl">The PCK CRL body in any of the three encodings.</param>
    /// <param name="tcbInfoIssuerChain">PEM from <c>TCB-Info-Issuer-Chain</c> (v4) or <c>SGX-TCB-Info-Issuer-Chain</c> (v3).</param>
    /// <param name="tcbInfoBody">The whole TCB Info body.</param>
    /// <param name="qeIdentityIssuerChain">PEM from <c>SGX-Enclave-Identity-Issuer-Chain</c>.</param>
    /// <param name="qeIdentityBody">The whole QE Identity body.</param>
    /// <param name="pckCertificateChain">Optional PEM PCK chain (leaf, CA, root); null to use the quote's.</param>
    /// <exception cref="CollateralFormatException">Any part is malformed (see <see cref="ReadSignedBody"/> and
    /// <see cref="CrlEncoding.ToDer(ReadOnlySpan{byte})"/>), or a chain exceeds its cap (FieldTooLarge).</exception>
    public static QuoteCollateral FromPcsResponses(
        string pckCrlIssuerChain,
        ReadOnlySpan<byte> rootCaCrl,
        ReadOnlySpan<byte> pckCrl,
        string tcbInfoIssuerChain,
        ReadOnlySpan<byte> tcbInfoBody,
        string qeIdentityIssuerChain,
        ReadOnlySpan<byte> qeIdentityBody,
        string? pckCertificateChain = null)
    {
        var (tcbInfo, tcbInfoSignature) = ReadSignedBody(tcbInfoBody, TcbInfoMember);
        var (qeIdentity, qeIdentitySignature) = ReadSignedBody(qeIdentityBody, EnclaveIdentityMember);
        return new QuoteCollateral
        {
            PckCrlIssuerChain = CheckChain(pckCrlIssuerChain, nameof(pckCrlIssuerChain)),
            RootCaCrl = CrlEncoding.ToDer(rootCaCrl),
            PckCrl = CrlEncoding.ToDer(pckCrl),
            TcbInfoIssuerChain = CheckChain(tcbInfoIssuerChain, nameof(tcbInfoIssuerChain)),
            TcbInfo = tcbInfo,
            TcbInfoSignature = tcbInfoSignature,
            QeIdentityIssuerChain = CheckChain(qeIdentityIssuerChain, nameof(qeIdentityIssuerChain)),
            QeIdentity = qeIdentity,
            QeIdentitySignature = qeIdentitySignature,
            PckCertificateChain = pckCertificateChain is null ? null : CheckChain(pckCertificateChain, nameof(pckCertificateChain)),
        };
    }

    /// <summary>The PCS body for the collateral's TCB Info (<c>{"tcbInfo":…,"signature":…}</c>), for serving it.</summary>
    /// <exception cref="ArgumentException">The stored value or signature is malformed.</exception>
    public static byte[] TcbInfoBody(QuoteCollateral collateral)
    {
        ArgumentNullException.ThrowIfNull(collateral);
        return WriteSignedBody(TcbInfoMember, collateral.TcbInfo, collateral.TcbInfoSignature);
    }

    /// <summary>The PCS body for the collateral's QE Identity (<c>{"enclaveIdentity":…,"signature":…}</c>).</summary>
    /// <exception cref="ArgumentException">The stored value or signature is malformed.</exception>
    public static byte[] QeIdentityBody(QuoteCollateral collateral)
    {
        ArgumentNullException.ThrowIfNull(collateral);
        return WriteSignedBody(EnclaveIdentityMember, collateral.QeIdentity, collateral.QeIdentitySignature);
    }

    private static string CheckChain(string pem, string name)
    {
        ArgumentNullException.ThrowIfNull(pem, name);
        if (pem.Length > CollateralLimits.MaxChainLength)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge,
                $"{name} exceeds the cap of {CollateralLimits.MaxChainLength} characters.");
        }

        return pem;
    }
}
