using System.Buffers.Binary;

namespace QuoteHelper.Sgx;

/// <summary>Bits of <see cref="SgxAttributes.Flags"/> (SDK <c>sgx_attributes.h</c>; dcap-quote.md §1.3).</summary>
[Flags]
public enum SgxAttributeFlags : ulong
{
    /// <summary>No flag set.</summary>
    None = 0,
    /// <summary>The enclave has been initialised by EINIT.</summary>
    Initted = 0x1,
    /// <summary>The enclave is a debug enclave: its memory can be read by a debugger, so it proves nothing.</summary>
    Debug = 0x2,
    /// <summary>64-bit enclave.</summary>
    Mode64Bit = 0x4,
    /// <summary>The enclave may use the provisioning key (quoting and provisioning enclaves).</summary>
    ProvisionKey = 0x10,
    /// <summary>The enclave may use the EINIT token key (launch enclave).</summary>
    EInitTokenKey = 0x20,
    /// <summary>Key separation and sharing is enabled.</summary>
    Kss = 0x80,
    /// <summary>AEX notification is enabled.</summary>
    AexNotify = 0x400,
}

/// <summary>The 16-byte <c>sgx_attributes_t</c>: flags (u64) then XFRM (u64), both little-endian.</summary>
/// <param name="Flags">Attribute flags.</param>
/// <param name="Xfrm">Extended feature request mask.</param>
public readonly record struct SgxAttributes(SgxAttributeFlags Flags, ulong Xfrm)
{
    /// <summary>Size of the structure in bytes.</summary>
    public const int Size = 16;

    /// <summary>Reads the attributes from the first 16 bytes of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than 16 bytes.</exception>
    public static SgxAttributes Read(ReadOnlySpan<byte> source)
    {
        SgxThrow.IfTooShort(source, Size);
        return new((SgxAttributeFlags)BinaryPrimitives.ReadUInt64LittleEndian(source),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]));
    }

    /// <summary>Writes the 16 bytes of the attributes to the start of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        SgxThrow.IfTooShort(destination, Size);
        BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Xfrm);
    }

    /// <summary>True when the DEBUG bit is set.</summary>
    public bool IsDebug => (Flags & SgxAttributeFlags.Debug) != 0;
}
