namespace QuoteHelper.Sgx.Pck;

/// <summary>Why an SGX extension value was rejected (dcap-quote.md §4.3).</summary>
public enum PckExtensionFormatError
{
    /// <summary>The bytes are not valid DER, or hold trailing data.</summary>
    InvalidEncoding = 1,
    /// <summary>The extension does not have 5 or 7 entries.</summary>
    UnexpectedEntryCount,
    /// <summary>An entry has an object identifier other than the one expected at its position.</summary>
    UnexpectedOid,
    /// <summary>A value has the wrong ASN.1 type (tag).</summary>
    UnexpectedType,
    /// <summary>An OCTET STRING has the wrong length.</summary>
    InvalidLength,
    /// <summary>An INTEGER or ENUMERATED value is outside its range.</summary>
    ValueOutOfRange,
    /// <summary>The TCB sequence does not have exactly 18 entries.</summary>
    UnexpectedTcbEntryCount,
    /// <summary>The Configuration sequence does not hold exactly the three booleans.</summary>
    InvalidConfiguration,
}
