namespace QuoteHelper.Sgx.Pck;

/// <summary>The SGX Type entry of the PCK certificate's SGX extension (dcap-quote.md §4.3).</summary>
public enum SgxType
{
    /// <summary>Standard SGX (Processor CA leaves).</summary>
    Standard = 0,
    /// <summary>Scalable SGX (Platform CA leaves of multi-package platforms).</summary>
    Scalable = 1,
    /// <summary>Scalable SGX with integrity.</summary>
    ScalableWithIntegrity = 2,
}
