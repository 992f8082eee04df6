using System.Security.Cryptography;

namespace QuoteHelper.Sgx.Simulation;

/// <summary>
/// AES-128-CMAC (NIST SP 800-38B, RFC 4493): the MAC an SGX REPORT carries (dcap-quote.md §3.7). The BCL has no
/// CMAC, so it is built from AES-CBC with a zero IV, whose last block is the tag. Not safe for concurrent use.
/// </summary>
public sealed class AesCmac : IDisposable
{
    /// <summary>Length of the key and of the tag, in bytes.</summary>
    public const int BlockSize = 16;

    private readonly Aes _aes;

    // One CBC encryptor for the life of the instance, reset to the zero IV after every message: a one-shot
    // EncryptCbc would set up and tear down a cipher context per message, about as costly as the encryption itself
    // for a 384-byte report body (BENCHMARKS.md).
    private readonly ICryptoTransform _cbc;
    private readonly byte[] _k1 = new byte[BlockSize];
    private readonly byte[] _k2 = new byte[BlockSize];
    private byte[] _input = new byte[512];
    private byte[] _output = new byte[512];

    /// <summary>Prepares the subkeys for a 16-byte AES key.</summary>
    /// <exception cref="ArgumentException">The key is not 16 bytes.</exception>
    public AesCmac(ReadOnlySpan<byte> key)
    {
        SgxThrow.IfWrongLength(key, BlockSize, nameof(key));
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.CBC;
        _aes.Padding = PaddingMode.None;
        _cbc = _aes.CreateEncryptor(_aes.Key, new byte[BlockSize]);

        // L = AES(K, 0¹²⁸): CBC with a zero IV over one block is the block's ECB encryption.
        Array.Clear(_input, 0, BlockSize);
        var l = Encrypt(BlockSize);
        DoubleInGf128(l, _k1);
        DoubleInGf128(_k1, _k2);
        CryptographicOperations.ZeroMemory(_output);
    }

    /// <summary>Computes the 16-byte tag of <paramref name="message"/> into <paramref name="tag"/>.</summary>
    public void Compute(ReadOnlySpan<byte> message, Span<byte> tag)
    {
        SgxThrow.IfTooShort(tag, BlockSize);
        var blocks = Math.Max(1, (message.Length + BlockSize - 1) / BlockSize);
        var complete = message.Length > 0 && message.Length % BlockSize == 0;

        // Copy once into a block-aligned buffer so the last block can be masked with K1 or K2 (RFC 4493 §2.4).
        var length = blocks * BlockSize;
        if (length > _input.Length)
        {
            _input = new byte[length];
            _output = new byte[length];
        }

        var buffer = _input.AsSpan(0, length);
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

        Encrypt(length)[^BlockSize..].CopyTo(tag);
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
        _cbc.Dispose();
        _aes.Dispose();
    }

    // AES-CBC with the zero IV over the first `length` bytes of _input, into _output.
    private ReadOnlySpan<byte> Encrypt(int length)
    {
        try
        {
            _cbc.TransformBlock(_input, 0, length, _output, 0);
        }
        finally
        {
            // Ends the message and sets the chain back to the zero IV for the next one.
            _cbc.TransformFinalBlock([], 0, 0);
        }

        return _output.AsSpan(0, length);
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
