namespace QuoteHelper.Sgx.Quotes;

/// <summary>Why a quote or its certification data was rejected (dcap-quote.md §2).</summary>
public enum QuoteFormatError
{
    /// <summary>The buffer is shorter than the minimum quote length or than its own declared length.</summary>
    TooShort = 1,
    /// <summary>The buffer is longer than <see cref="QuoteLimits.MaxQuoteLength"/>.</summary>
    TooLong,
    /// <summary>The header version is not supported (<see cref="Quote.Parse"/>: 3; <see cref="DcapQuote.Parse"/>: 3, 4, 5).</summary>
    UnsupportedVersion,
    /// <summary>The attestation key type is not 2 (ECDSA-P256).</summary>
    UnsupportedAttestationKeyType,
    /// <summary>The u32 at offset 4 (<c>att_key_data_0</c> / <c>tee_type</c>) is not 0 (SGX) or, for v4/v5, 0x81 (TDX).</summary>
    UnsupportedTeeType,
    /// <summary><c>signature_data_len</c> is smaller than the fixed part or makes the quote exceed the cap.</summary>
    SignatureDataLengthOutOfRange,
    /// <summary>The QE auth data size leaves no room for the certification data header.</summary>
    AuthDataLengthOutOfRange,
    /// <summary>The certification data size is above <see cref="QuoteLimits.MaxCertificationDataLength"/>.</summary>
    CertificationDataLengthOutOfRange,
    /// <summary>The certification data size differs from the bytes that remain of the declared signature data.</summary>
    CertificationDataLengthMismatch,
    /// <summary>The certification data type is not one a v3 quote may carry (1..5).</summary>
    UnknownCertificationDataType,
    /// <summary>The certification data content does not have the form its type requires.</summary>
    MalformedCertificationData,
    /// <summary>The PEM chain holds more than <see cref="QuoteLimits.MaxCertificatesInChain"/> certificates.</summary>
    TooManyCertificates,
    /// <summary>A v5 <c>body_type</c> is not 1, 2 or 3, or does not fit the TEE type (dcap-quote.md §1.7).</summary>
    UnsupportedBodyType,
    /// <summary>A v5 <c>body_size</c> differs from the size its <c>body_type</c> requires.</summary>
    BodySizeMismatch,
}
