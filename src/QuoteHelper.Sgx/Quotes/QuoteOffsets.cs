namespace QuoteHelper.Sgx.Quotes;

/// <summary>Absolute offsets and fixed lengths of a v3 quote (dcap-quote.md §1.1, §1.4).</summary>
public static class QuoteOffsets
{
    /// <summary>The 48-byte header.</summary>
    public const int Header = 0;

    /// <summary>The 384-byte ISV enclave report body.</summary>
    public const int Body = 48;

    /// <summary><c>signature_data_len</c>, u32: the number of bytes that follow it.</summary>
    public const int SignatureDataLength = 432;

    /// <summary>Start of the signature data.</summary>
    public const int SignatureData = 436;

    /// <summary>ECDSA signature (r ‖ s) by the attestation key over bytes [0, 432).</summary>
    public const int Signature = 436;

    /// <summary>Attestation public key X ‖ Y.</summary>
    public const int AttestationPublicKey = 500;

    /// <summary>QE report body (384 bytes).</summary>
    public const int QeReport = 564;

    /// <summary>ECDSA signature (r ‖ s) by the PCK over the QE report body.</summary>
    public const int QeReportSignature = 948;

    /// <summary>QE auth data size N, u16.</summary>
    public const int QeAuthDataSize = 1012;

    /// <summary>QE auth data (N bytes); the certification data type (u16) and size (u32) follow it.</summary>
    public const int QeAuthData = 1014;

    /// <summary>Length of the region the attestation key signs: header ‖ ISV report body (dcap-quote.md §3.1).</summary>
    public const int SignedRegionLength = 432;

    /// <summary>Length of the fixed part of the signature data (everything but auth data and certification data).</summary>
    public const int SignatureDataFixedLength = 584;

    /// <summary>Smallest possible v3 quote: 436 + 584 (Intel QVL's minimum, dcap-quote.md §1.1).</summary>
    public const int MinimumLength = SignatureData + SignatureDataFixedLength;
}
