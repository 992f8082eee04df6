namespace QuoteHelper.Sgx.Pck;

/// <summary>
/// The SGX extension of a PCK certificate is malformed (dcap-quote.md §4.3). <see cref="Reason"/> says how. Only this
/// library creates it (house-style habit 5).
/// </summary>
#pragma warning disable CA1032 // Deliberately no public constructors: callers catch and switch on Reason, they do not fabricate.
public sealed class PckExtensionFormatException : Exception
#pragma warning restore CA1032
{
    internal PckExtensionFormatException(PckExtensionFormatError reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>The rule that failed.</summary>
    public PckExtensionFormatError Reason { get; }
}
