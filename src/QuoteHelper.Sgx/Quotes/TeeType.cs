namespace QuoteHelper.Sgx.Quotes;

/// <summary>The <c>tee_type</c> of a quote header (u32 at offset 4, dcap-quote.md §1.2).</summary>
public enum TeeType : uint
{
    /// <summary>SGX enclave.</summary>
    Sgx = 0,
    /// <summary>TDX trust domain.</summary>
    Tdx = 0x81,
}
