using System.Diagnostics.CodeAnalysis;

namespace QuoteHelper.Sgx.Pck;

/// <summary>Throw helper for SGX extension decoding (house-style habit 5).</summary>
internal static class PckThrow
{
    [DoesNotReturn]
    public static void Format(PckExtensionFormatError reason, string message) =>
        throw new PckExtensionFormatException(reason, message);
}
