namespace QuoteHelper.Sgx.Quotes;

/// <summary>What the body of a quote is (v5 <c>body_type</c>; implied by version and TEE type for v3/v4, dcap-quote.md §1.7).</summary>
public enum QuoteBodyType : ushort
{
    /// <summary>SGX enclave report body, 384 bytes.</summary>
    SgxEnclaveReport = 1,
    /// <summary>TD report 1.0 body, 584 bytes.</summary>
    TdReport10 = 2,
    /// <summary>TD report 1.5 body, 648 bytes.</summary>
    TdReport15 = 3,
}
