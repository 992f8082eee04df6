using System.Diagnostics.CodeAnalysis;

namespace QuoteHelper.Verification.Collateral;

/// <summary>Throw helper for collateral decoding (house-style habit 5).</summary>
internal static class CollateralThrow
{
    [DoesNotReturn]
    public static void Format(CollateralFormatError reason, string message, Exception? inner = null) =>
        throw new CollateralFormatException(reason, message, inner);

    [DoesNotReturn]
    public static T Format<T>(CollateralFormatError reason, string message, Exception? inner = null) =>
        throw new CollateralFormatException(reason, message, inner);
}
