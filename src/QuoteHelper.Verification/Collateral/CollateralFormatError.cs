namespace QuoteHelper.Verification.Collateral;

/// <summary>Why collateral could not be decoded (<see cref="CollateralFormatException.Reason"/>).</summary>
public enum CollateralFormatError
{
    /// <summary>The document is longer than <see cref="CollateralLimits.MaxDocumentLength"/>.</summary>
    DocumentTooLarge = 1,
    /// <summary>The document is not well-formed JSON, or not a JSON object.</summary>
    MalformedJson,
    /// <summary>A required member is absent.</summary>
    MissingField,
    /// <summary>A member has the wrong JSON type (e.g. a number where a string is required).</summary>
    WrongFieldType,
    /// <summary>A member appears twice: ambiguous, so rejected.</summary>
    DuplicateField,
    /// <summary>A hex string has an odd length or a non-hex character, or a byte array has a value outside 0..255.</summary>
    InvalidBytes,
    /// <summary>A field is longer than its cap in <see cref="CollateralLimits"/>.</summary>
    FieldTooLarge,
    /// <summary>A signature is not exactly <see cref="CollateralLimits.SignatureLength"/> bytes.</summary>
    InvalidSignatureLength,
    /// <summary>A CRL is neither PEM (X509 CRL), DER, nor hex of DER.</summary>
    InvalidCrlEncoding,
    /// <summary>A signed JSON value is not valid UTF-8 text of a JSON object.</summary>
    InvalidSignedJson,
}
