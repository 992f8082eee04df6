namespace QuoteHelper.Verification.Internal;

/// <summary>Compares byte arrays by content; cache keys are the exact bytes, so a hash collision can never alias two inputs.</summary>
internal sealed class ByteContentComparer : IEqualityComparer<byte[]>
{
    public static readonly ByteContentComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
