using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QuoteHelper.Verification.Collateral;

/// <summary>
/// Reads and writes <see cref="QuoteCollateral"/> as the JSON of dcap-qvl's <c>QuoteCollateralV3</c>
/// (dcap-quote.md §5.10, the shape of <c>vectors/dcap-qvl-sample/*collateral.json</c>), so collateral moves between
/// tools. Member names are snake_case. Reading accepts byte fields as hex strings or arrays of numbers 0..255, CRLs
/// additionally as PEM, and <c>tcb_info</c>/<c>qe_identity</c> as JSON strings holding the inner JSON text (or, as an
/// extension, as the JSON object itself, whose raw bytes are kept). Writing uses hex for bytes and strings for the
/// signed JSON. Unknown members are ignored; duplicate members are rejected.
/// </summary>
public static class QuoteCollateralJson
{
    /// <summary>JSON member names (dcap-qvl <c>QuoteCollateralV3</c>).</summary>
    public static class Names
    {
        /// <summary><see cref="QuoteCollateral.PckCrlIssuerChain"/>.</summary>
        public const string PckCrlIssuerChain = "pck_crl_issuer_chain";
        /// <summary><see cref="QuoteCollateral.RootCaCrl"/>.</summary>
        public const string RootCaCrl = "root_ca_crl";
        /// <summary><see cref="QuoteCollateral.PckCrl"/>.</summary>
        public const string PckCrl = "pck_crl";
        /// <summary><see cref="QuoteCollateral.TcbInfoIssuerChain"/>.</summary>
        public const string TcbInfoIssuerChain = "tcb_info_issuer_chain";
        /// <summary><see cref="QuoteCollateral.TcbInfo"/>.</summary>
        public const string TcbInfo = "tcb_info";
        /// <summary><see cref="QuoteCollateral.TcbInfoSignature"/>.</summary>
        public const string TcbInfoSignature = "tcb_info_signature";
        /// <summary><see cref="QuoteCollateral.QeIdentityIssuerChain"/>.</summary>
        public const string QeIdentityIssuerChain = "qe_identity_issuer_chain";
        /// <summary><see cref="QuoteCollateral.QeIdentity"/>.</summary>
        public const string QeIdentity = "qe_identity";
        /// <summary><see cref="QuoteCollateral.QeIdentitySignature"/>.</summary>
        public const string QeIdentitySignature = "qe_identity_signature";
        /// <summary><see cref="QuoteCollateral.PckCertificateChain"/>.</summary>
        public const string PckCertificateChain = "pck_certificate_chain";
    }

    // Depth 8 is ample for a flat object (with tcb_info given as an object, Intel's TCB Info nests to depth 5).
    private static readonly JsonDocumentOptions s_documentOptions = new()
    {
        MaxDepth = 16,
        AllowDuplicateProperties = false,
    };

    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Indented = true,
        // The inner JSON strings are kept readable ("+" and "<" are not escaped); the value round-trips either way.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Decodes collateral JSON. Nothing is verified: signatures and chains are checked by the verifier.</summary>
    /// <param name="json">UTF-8 JSON, at most <see cref="CollateralLimits.MaxDocumentLength"/> bytes.</param>
    /// <returns>The collateral, with CRLs as DER and the signed JSON values as their exact bytes.</returns>
    /// <exception cref="CollateralFormatException">The document breaks a rule; <see cref="CollateralFormatException.Reason"/>
    /// says which (DocumentTooLarge, MalformedJson, DuplicateField, MissingField, WrongFieldType, InvalidBytes,
    /// FieldTooLarge, InvalidSignatureLength, InvalidCrlEncoding, InvalidSignedJson).</exception>
    public static QuoteCollateral Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > CollateralLimits.MaxDocumentLength)
        {
            CollateralThrow.Format(CollateralFormatError.DocumentTooLarge,
                $"Collateral document of {json.Length} bytes exceeds the cap of {CollateralLimits.MaxDocumentLength}.");
        }

        using var document = ParseDocument(json.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            CollateralThrow.Format(CollateralFormatError.MalformedJson, "Collateral must be a JSON object.");
        }

        var pckCrlIssuerChain = ReadChain(root, Names.PckCrlIssuerChain);
        var rootCaCrl = ReadCrl(root, Names.RootCaCrl);
        var pckCrl = ReadCrl(root, Names.PckCrl);
        var tcbInfoIssuerChain = ReadChain(root, Names.TcbInfoIssuerChain);
        var (tcbInfo, tcbInfoSignature) = ReadSignedPair(root, Names.TcbInfo, Names.TcbInfoSignature, PcsCollateral.TcbInfoMember);
        var qeIdentityIssuerChain = ReadChain(root, Names.QeIdentityIssuerChain);
        var (qeIdentity, qeIdentitySignature) = ReadSignedPair(root, Names.QeIdentity, Names.QeIdentitySignature, PcsCollateral.EnclaveIdentityMember);
        return new QuoteCollateral
        {
            PckCrlIssuerChain = pckCrlIssuerChain,
            RootCaCrl = rootCaCrl,
            PckCrl = pckCrl,
            TcbInfoIssuerChain = tcbInfoIssuerChain,
            TcbInfo = tcbInfo,
            TcbInfoSignature = tcbInfoSignature,
            QeIdentityIssuerChain = qeIdentityIssuerChain,
            QeIdentity = qeIdentity,
            QeIdentitySignature = qeIdentitySignature,
            PckCertificateChain = ReadOptionalChain(root, Names.PckCertificateChain),
        };
    }

    /// <summary>
    /// Encodes collateral as indented JSON in dcap-qvl's shape: CRLs and signatures as lower-case hex, signed JSON
    /// values as strings holding their exact text, <c>pck_certificate_chain</c> only when present.
    /// </summary>
    /// <exception cref="ArgumentException">A signed JSON value is not valid UTF-8.</exception>
    public static byte[] Serialize(QuoteCollateral collateral)
    {
        ArgumentNullException.ThrowIfNull(collateral);
        var buffer = new ArrayBufferWriter<byte>(32 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(Names.PckCrlIssuerChain, collateral.PckCrlIssuerChain);
            writer.WriteString(Names.RootCaCrl, Convert.ToHexStringLower(collateral.RootCaCrl));
            writer.WriteString(Names.PckCrl, Convert.ToHexStringLower(collateral.PckCrl));
            writer.WriteString(Names.TcbInfoIssuerChain, collateral.TcbInfoIssuerChain);
            writer.WriteString(Names.TcbInfo, Utf8(collateral.TcbInfo, nameof(collateral.TcbInfo)));
            writer.WriteString(Names.TcbInfoSignature, Convert.ToHexStringLower(collateral.TcbInfoSignature));
            writer.WriteString(Names.QeIdentityIssuerChain, collateral.QeIdentityIssuerChain);
            writer.WriteString(Names.QeIdentity, Utf8(collateral.QeIdentity, nameof(collateral.QeIdentity)));
            writer.WriteString(Names.QeIdentitySignature, Convert.ToHexStringLower(collateral.QeIdentitySignature));
            if (collateral.PckCertificateChain is not null)
            {
                writer.WriteString(Names.PckCertificateChain, collateral.PckCertificateChain);
            }

            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    internal static JsonDocument ParseDocument(byte[] json)
    {
        try
        {
            return JsonDocument.Parse(json, s_documentOptions);
        }
        // System.Text.Json reports a duplicate member (AllowDuplicateProperties = false) as a JsonException whose
        // message names it; there is no distinct exception type to catch.
        catch (JsonException e) when (e.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase))
        {
            return CollateralThrow.Format<JsonDocument>(CollateralFormatError.DuplicateField,
                "Collateral JSON has a duplicate member.", e);
        }
        catch (JsonException e)
        {
            return CollateralThrow.Format<JsonDocument>(CollateralFormatError.MalformedJson,
                "Collateral is not well-formed JSON: " + e.Message, e);
        }
    }

    private static JsonElement Required(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            CollateralThrow.Format(CollateralFormatError.MissingField, $"Collateral member '{name}' is missing.");
        }

        return value;
    }

    private static string ReadChain(JsonElement root, string name) => ChainText(Required(root, name), name);

    private static string? ReadOptionalChain(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? ChainText(value, name) : null;

    private static string ChainText(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            CollateralThrow.Format(CollateralFormatError.WrongFieldType, $"Collateral member '{name}' must be a PEM string.");
        }

        // The whole document is already capped at 1 MiB, so materialising the string before the check is bounded.
        var text = value.GetString()!;
        if (text.Length > CollateralLimits.MaxChainLength)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge,
                $"Collateral member '{name}' exceeds the cap of {CollateralLimits.MaxChainLength} characters.");
        }

        return text;
    }

    private static byte[] ReadCrl(JsonElement root, string name)
    {
        var value = Required(root, name);
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            // hex of DER (dcap-qvl) or PEM (PCS default encoding, dcap-quote.md §5.8).
            return Wrap(name, () => CrlEncoding.ToDer(text));
        }

        return Wrap(name, () => CrlEncoding.ToDer(ReadByteArray(value, name, (2 * CollateralLimits.MaxCrlLength) + 1024)));
    }

    private static byte[] ReadSignature(JsonElement root, string name)
    {
        var value = Required(root, name);
        var bytes = value.ValueKind == JsonValueKind.String
            ? HexString(value, name, CollateralLimits.SignatureLength * 4)
            : ReadByteArray(value, name, CollateralLimits.SignatureLength * 4);
        if (bytes.Length != CollateralLimits.SignatureLength)
        {
            CollateralThrow.Format(CollateralFormatError.InvalidSignatureLength,
                $"Collateral member '{name}' has {bytes.Length} bytes; a signature has {CollateralLimits.SignatureLength}.");
        }

        return bytes;
    }

    /// <summary>
    /// Reads a signed value and its signature. A whole PCS body pasted where the inner value belongs
    /// (<c>{"tcbInfo":{…},"signature":"…"}</c> in <c>tcb_info</c>) is split as <see cref="PcsCollateral.ReadSignedBody"/>
    /// does — the inner value's exact bytes, the body's signature — so it verifies; the separate signature member may
    /// then be omitted, and must be the same signature when present.
    /// </summary>
    private static (byte[] Value, byte[] Signature) ReadSignedPair(JsonElement root, string name, string signatureName, string bodyMember)
    {
        var bytes = ReadSignedJson(root, name);
        var wrapped = WrappedMember(bytes);
        if (wrapped is null)
        {
            return (bytes, ReadSignature(root, signatureName));
        }

        if (wrapped != bodyMember)
        {
            return CollateralThrow.Format<(byte[], byte[])>(CollateralFormatError.InvalidSignedJson,
                $"Collateral member '{name}' holds a PCS body with '{wrapped}'; it needs the '{bodyMember}' body.");
        }

        (byte[] Value, byte[] Signature) split;
        try
        {
            split = PcsCollateral.ReadSignedBody(bytes, bodyMember);
        }
        catch (CollateralFormatException e)
        {
            throw new CollateralFormatException(e.Reason,
                $"Collateral member '{name}' holds a whole PCS body ({{\"{bodyMember}\":…,\"signature\":…}}) that cannot be split: {e.Message} " +
                "Run 'quote-helper collateral import' to build the collateral from the PCS responses.", e);
        }

        if (root.TryGetProperty(signatureName, out var separate) && separate.ValueKind != JsonValueKind.Null &&
            !ReadSignature(root, signatureName).AsSpan().SequenceEqual(split.Signature))
        {
            CollateralThrow.Format(CollateralFormatError.InvalidSignedJson,
                $"Collateral member '{name}' holds a whole PCS body whose signature differs from '{signatureName}'.");
        }

        return split;
    }

    /// <summary>"tcbInfo" or "enclaveIdentity" when the value is a whole PCS body holding one; null otherwise.</summary>
    private static string? WrappedMember(byte[] value)
    {
        // A TCB Info or QE Identity never has such a member, so its presence means the body was pasted whole.
        var reader = new Utf8JsonReader(value, new JsonReaderOptions { MaxDepth = s_documentOptions.MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(PcsCollateral.TcbInfoMember))
                {
                    return PcsCollateral.TcbInfoMember;
                }

                if (reader.ValueTextEquals(PcsCollateral.EnclaveIdentityMember))
                {
                    return PcsCollateral.EnclaveIdentityMember;
                }

                reader.Read();
                reader.TrySkip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: left to the verifier, which reports TcbInfoMalformed / QeIdentityMalformed at its step.
        }

        return null;
    }

    private static byte[] ReadSignedJson(JsonElement root, string name)
    {
        var value = Required(root, name);
        byte[] bytes;
        if (value.ValueKind == JsonValueKind.Object)
        {
            // Extension: the object itself, kept byte for byte as received (dcap-quote.md §5.3).
            bytes = JsonMarshal.GetRawUtf8Value(value).ToArray();
        }
        else if (value.ValueKind == JsonValueKind.String)
        {
            if (JsonMarshal.GetRawUtf8Value(value).Length > (6 * CollateralLimits.MaxSignedJsonLength) + 2)
            {
                CollateralThrow.Format(CollateralFormatError.FieldTooLarge, $"Collateral member '{name}' is too large.");
            }

            string text;
            try
            {
                text = value.GetString()!;
            }
            catch (InvalidOperationException e)
            {
                return CollateralThrow.Format<byte[]>(CollateralFormatError.InvalidSignedJson,
                    $"Collateral member '{name}' is not valid text.", e);
            }

            bytes = Utf8Strict(text, name);
        }
        else
        {
            return CollateralThrow.Format<byte[]>(CollateralFormatError.WrongFieldType,
                $"Collateral member '{name}' must be a string holding JSON text.");
        }

        if (bytes.Length > CollateralLimits.MaxSignedJsonLength)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge,
                $"Collateral member '{name}' of {bytes.Length} bytes exceeds the cap of {CollateralLimits.MaxSignedJsonLength}.");
        }

        return bytes;
    }

    private static byte[] HexString(JsonElement value, string name, int maxChars)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length > maxChars + 2)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge, $"Collateral member '{name}' is too large.");
        }

        var text = Encoding.UTF8.GetBytes(value.GetString()!);
        return CrlEncoding.FromHex(text, $"Collateral member '{name}'");
    }

    private static byte[] ReadByteArray(JsonElement value, string name, int maxLength)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return CollateralThrow.Format<byte[]>(CollateralFormatError.WrongFieldType,
                $"Collateral member '{name}' must be a hex string or an array of byte values.");
        }

        var length = value.GetArrayLength();
        if (length > maxLength)
        {
            CollateralThrow.Format(CollateralFormatError.FieldTooLarge,
                $"Collateral member '{name}' has {length} elements; the cap is {maxLength}.");
        }

        var bytes = new byte[length];
        var i = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetByte(out bytes[i]))
            {
                CollateralThrow.Format(CollateralFormatError.InvalidBytes,
                    $"Collateral member '{name}' element {i} is not a number in 0..255.");
            }

            i++;
        }

        return bytes;
    }

    private static byte[] Wrap(string name, Func<byte[]> decode)
    {
        try
        {
            return decode();
        }
        catch (CollateralFormatException e)
        {
            throw new CollateralFormatException(e.Reason, $"Collateral member '{name}': {e.Message}", e);
        }
    }

    private static byte[] Utf8Strict(string text, string name)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            return CollateralThrow.Format<byte[]>(CollateralFormatError.InvalidSignedJson,
                $"Collateral member '{name}' holds a lone surrogate and has no UTF-8 form.", e);
        }
    }

    private static string Utf8(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes, name);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ArgumentException($"{name} is not valid UTF-8.", name, e);
        }
    }
}
