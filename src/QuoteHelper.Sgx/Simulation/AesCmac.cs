using System.Security.Cryptography;

namespace QuoteHelper.Sgx.Simulation;

/// <summary>
/// AES-128-CMAC (NIST SP 800-38B, RFC 4493): the MAC an SGX REPORT carries (dcap-quote.md §3.7). The BCL has no
/// CMAC, so it is built from one CBC encryption with a zero IV, whose last block is the tag.
/// </summary>
public sealed class AesCmac : IDisposable
{
    /// <summary>Length of the key and of the tag, in bytes.</summary>
    public const int BlockSize = 16;

    private readonly Aes _aes;
    private readonly byte[] _k1 = new byte[BlockSize];
    private readonly byte[] _k2 = new byte[BlockSize];

    /// <summary>Prepares the subkeys for a 16-byte AES key.</summary>
    /// <exception cref="ArgumentException">The key is not 16 bytes.</exception>
    public AesCmac(ReadOnlySpan<byte> key)
    {
        SgxThrow.IfWrongLength(key, BlockSize, nameof(key));
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        Span<byte> l = stackalloc byte[BlockSize];
        _aes.EncryptEcb(new byte[BlockSize], l, PaddingMode.None);
        DoubleInGf128(l, _k1);
        DoubleInGf128(_k1, _k2);
        CryptographicOperations.ZeroMemory(l);
    }

    /// <summary>Computes the 16-byte tag of <paramref name="message"/> into <paramref name="tag"/>.</summary>
    public void Compute(ReadOnlySpan<byte> message, Span<byte> tag)
    {
        SgxThrow.IfTooShort(tag, BlockSize);
        var blocks = Math.Max(1, (message.Length + BlockSize - 1) / BlockSize);
        var complete = message.Length > 0 && message.Length % BlockSize == 0;

        // Copy once into a block-aligned buffer so the last block can be masked with K1 or K2 (RFC 4493 §2.4).
        var length = blocks * BlockSize;
        var buffer = length <= 512 ? stackalloc byte[length] : new byte[length];
        buffer.Clear();
        message.CopyTo(buffer);
        var last = buffer[((blocks - 1) * BlockSize)..];
        if (!complete)
        {
            last[message.Length - ((blocks - 1) * BlockSize)] = 0x80;
        }

        var subkey = complete ? _k1 : _k2;
        for (var i = 0; i < BlockSize; i++)
        {
            last[i] ^= subkey[i];
        }

        var cipher = length <= 512 ? stackalloc byte[length] : new byte[length];
        _aes.EncryptCbc(buffer, stackalloc byte[BlockSize], cipher, PaddingMode.None);
        cipher[^BlockSize..].CopyTo(tag);
    }

    /// <summary>Returns true when <paramref name="tag"/> is the CMAC of <paramref name="message"/> (constant-time compare).</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> tag)
    {
        Span<byte> expected = stackalloc byte[BlockSize];
        Compute(message, expected);
        return tag.Length == BlockSize && CryptographicOperations.FixedTimeEquals(expected, tag);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_k1);
        CryptographicOperations.ZeroMemory(_k2);
        _aes.Dispose();
    }

    private static void DoubleInGf128(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var carry = 0;
        for (var i = BlockSize - 1; i >= 0; i--)
        {
            var b = input[i];
            output[i] = (byte)((b << 1) | carry);
            carry = b >> 7;
        }

        if ((input[0] & 0x80) != 0)
        {
            output[BlockSize - 1] ^= 0x87;
        }
    }
}
