using System.Formats.Asn1;
using System.Globalization;

namespace QuoteHelper.Sgx.Pck;

/// <summary>
/// The SGX extension (OID 1.2.840.113741.1.13.1) of an Intel SGX PCK certificate, dcap-quote.md §4.3. Decoding is as
/// strict as Intel's QVL: 5 entries (Processor CA leaf) or 7 (Platform CA leaf) in Intel's order, a TCB of exactly 18
/// entries and a Configuration with all three booleans. <see cref="Encode"/> writes Intel's order and minimal DER, so a
/// decoded Intel extension re-encodes byte for byte.
/// </summary>
public sealed class SgxPckExtension
{
    /// <summary>OID of the SGX extension.</summary>
    public const string Oid = "1.2.840.113741.1.13.1";

    /// <summary>Length of <see cref="Ppid"/>.</summary>
    public const int PpidLength = 16;

    /// <summary>Number of TCB component SVNs.</summary>
    public const int ComponentCount = 16;

    /// <summary>Length of <see cref="CpuSvn"/>.</summary>
    public const int CpuSvnLength = 16;

    /// <summary>Length of <see cref="PceId"/>.</summary>
    public const int PceIdLength = 2;

    /// <summary>Length of <see cref="Fmspc"/>.</summary>
    public const int FmspcLength = 6;

    /// <summary>Length of <see cref="PlatformInstanceId"/>.</summary>
    public const int PlatformInstanceIdLength = 16;

    /// <summary>Entries of a Processor-CA leaf's extension.</summary>
    public const int ProcessorEntryCount = 5;

    /// <summary>Entries of a Platform-CA leaf's extension.</summary>
    public const int PlatformEntryCount = 7;

    /// <summary>Entries of the TCB sequence: 16 component SVNs, PCESVN, CPUSVN.</summary>
    public const int TcbEntryCount = 18;

    /// <summary>Object identifiers of the extension's entries (dcap-quote.md §4.3).</summary>
    public static class Oids
    {
        /// <summary>PPID, OCTET STRING (16).</summary>
        public const string Ppid = Oid + ".1";
        /// <summary>TCB, SEQUENCE of 18 entries.</summary>
        public const string Tcb = Oid + ".2";
        /// <summary>PCESVN inside the TCB, INTEGER.</summary>
        public const string PceSvn = Tcb + ".17";
        /// <summary>CPUSVN inside the TCB, OCTET STRING (16).</summary>
        public const string CpuSvn = Tcb + ".18";
        /// <summary>PCE-ID, OCTET STRING (2).</summary>
        public const string PceId = Oid + ".3";
        /// <summary>FMSPC, OCTET STRING (6).</summary>
        public const string Fmspc = Oid + ".4";
        /// <summary>SGX Type, ENUMERATED.</summary>
        public const string SgxType = Oid + ".5";
        /// <summary>PlatformInstanceID, OCTET STRING (16); Platform-CA leaves only.</summary>
        public const string PlatformInstanceId = Oid + ".6";
        /// <summary>Configuration, SEQUENCE of three booleans; Platform-CA leaves only.</summary>
        public const string Configuration = Oid + ".7";
        /// <summary>DynamicPlatform inside Configuration, BOOLEAN.</summary>
        public const string DynamicPlatform = Configuration + ".1";
        /// <summary>CachedKeys inside Configuration, BOOLEAN.</summary>
        public const string CachedKeys = Configuration + ".2";
        /// <summary>SMTEnabled inside Configuration, BOOLEAN.</summary>
        public const string SmtEnabled = Configuration + ".3";

        /// <summary>OID of TCB component SVN <paramref name="number"/> (1..16).</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is not in 1..16.</exception>
        public static string TcbComponent(int number)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(number, ComponentCount);
            return s_tcbComponents[number - 1];
        }

        private static readonly string[] s_tcbComponents =
            [.. Enumerable.Range(1, ComponentCount).Select(i => Tcb + "." + i.ToString(CultureInfo.InvariantCulture))];
    }

    private static readonly Asn1Tag s_enumeratedTag = new(UniversalTagNumber.Enumerated);

    /// <summary>Platform provisioning id (16 bytes).</summary>
    public byte[] Ppid { get; set; } = new byte[PpidLength];

    /// <summary>The 16 TCB component SVNs, from the INTEGER entries 1..16 of the TCB (QVL uses these for matching).</summary>
    public byte[] ComponentSvns { get; set; } = new byte[ComponentCount];

    /// <summary>Certified PCESVN (TCB entry 17).</summary>
    public ushort PceSvn { get; set; }

    /// <summary>CPUSVN as encoded in TCB entry 18 (16 bytes); Intel keeps it equal to <see cref="ComponentSvns"/>.</summary>
    public byte[] CpuSvn { get; set; } = new byte[CpuSvnLength];

    /// <summary>PCE id (2 bytes).</summary>
    public byte[] PceId { get; set; } = new byte[PceIdLength];

    /// <summary>FMSPC: family, model, stepping, platform type, custom SKU (6 bytes).</summary>
    public byte[] Fmspc { get; set; } = new byte[FmspcLength];

    /// <summary>SGX type.</summary>
    public SgxType SgxType { get; set; }

    /// <summary>Platform instance id (16 bytes) of a Platform-CA leaf; null for a Processor-CA leaf.</summary>
    public byte[]? PlatformInstanceId { get; set; }

    /// <summary>Platform configuration of a Platform-CA leaf; null for a Processor-CA leaf.</summary>
    public PlatformConfiguration? Configuration { get; set; }

    /// <summary>
    /// Decodes an extension value (the content of the extension's OCTET STRING, i.e.
    /// <c>X509Extension.RawData</c>), DER only.
    /// </summary>
    /// <param name="extensionValue">The DER of the outer SEQUENCE.</param>
    /// <returns>The decoded extension.</returns>
    /// <exception cref="PckExtensionFormatException">The value is malformed; the reason says how.</exception>
    public static SgxPckExtension Decode(ReadOnlySpan<byte> extensionValue)
    {
        try
        {
            return DecodeCore(extensionValue.ToArray());
        }
        catch (AsnContentException ex)
        {
            throw new PckExtensionFormatException(PckExtensionFormatError.InvalidEncoding,
                "The SGX extension is not valid DER: " + ex.Message, ex);
        }
    }

    /// <summary>Encodes the extension value (the outer SEQUENCE) in Intel's entry order with minimal DER.</summary>
    /// <returns>The DER bytes, suitable as the value of an X.509 extension with OID <see cref="Oid"/>.</returns>
    /// <exception cref="ArgumentException">A field has the wrong length, or exactly one of
    /// <see cref="PlatformInstanceId"/> and <see cref="Configuration"/> is set.</exception>
    public byte[] Encode()
    {
        SgxThrow.IfWrongLength(Ppid, PpidLength, nameof(Ppid));
        SgxThrow.IfWrongLength(ComponentSvns, ComponentCount, nameof(ComponentSvns));
        SgxThrow.IfWrongLength(CpuSvn, CpuSvnLength, nameof(CpuSvn));
        SgxThrow.IfWrongLength(PceId, PceIdLength, nameof(PceId));
        SgxThrow.IfWrongLength(Fmspc, FmspcLength, nameof(Fmspc));
        if ((PlatformInstanceId is null) != (Configuration is null))
        {
            throw new ArgumentException(
                $"{nameof(PlatformInstanceId)} and {nameof(Configuration)} must be set together (Platform-CA leaf) " +
                "or both be null (Processor-CA leaf).");
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteOctetStringEntry(writer, Oids.Ppid, Ppid);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oids.Tcb);
                using (writer.PushSequence())
                {
                    for (var i = 0; i < ComponentCount; i++)
                    {
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(Oids.TcbComponent(i + 1));
                            writer.WriteInteger(ComponentSvns[i]);
                        }
                    }

                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(Oids.PceSvn);
                        writer.WriteInteger(PceSvn);
                    }

                    WriteOctetStringEntry(writer, Oids.CpuSvn, CpuSvn);
                }
            }

            WriteOctetStringEntry(writer, Oids.PceId, PceId);
            WriteOctetStringEntry(writer, Oids.Fmspc, Fmspc);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oids.SgxType);
                writer.WriteEnumeratedValue(SgxType);
            }

            if (PlatformInstanceId is not null && Configuration is not null)
            {
                SgxThrow.IfWrongLength(PlatformInstanceId, PlatformInstanceIdLength, nameof(PlatformInstanceId));
                WriteOctetStringEntry(writer, Oids.PlatformInstanceId, PlatformInstanceId);
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(Oids.Configuration);
                    using (writer.PushSequence())
                    {
                        WriteBooleanEntry(writer, Oids.DynamicPlatform, Configuration.DynamicPlatform);
                        WriteBooleanEntry(writer, Oids.CachedKeys, Configuration.CachedKeys);
                        WriteBooleanEntry(writer, Oids.SmtEnabled, Configuration.SmtEnabled);
                    }
                }
            }
        }

        return writer.Encode();
    }

    private static SgxPckExtension DecodeCore(byte[] value)
    {
        var root = new AsnReader(value, AsnEncodingRules.DER);
        var outer = ReadSequence(root, "the SGX extension");
        root.ThrowIfNotEmpty();

        var entries = ReadSequenceElements(outer, "the SGX extension", PlatformEntryCount);
        if (entries.Count is not (ProcessorEntryCount or PlatformEntryCount))
        {
            PckThrow.Format(PckExtensionFormatError.UnexpectedEntryCount,
                $"The SGX extension has {entries.Count} entries; expected {ProcessorEntryCount} or {PlatformEntryCount}.");
        }

        var extension = new SgxPckExtension
        {
            Ppid = ReadOctetStringEntry(entries[0], Oids.Ppid, PpidLength),
        };

        var tcb = ReadSequence(OpenEntry(entries[1], Oids.Tcb), "the TCB");
        entries[1].ThrowIfNotEmpty();
        ReadTcb(tcb, extension);

        extension.PceId = ReadOctetStringEntry(entries[2], Oids.PceId, PceIdLength);
        extension.Fmspc = ReadOctetStringEntry(entries[3], Oids.Fmspc, FmspcLength);
        extension.SgxType = ReadSgxType(OpenEntry(entries[4], Oids.SgxType));
        entries[4].ThrowIfNotEmpty();

        if (entries.Count == PlatformEntryCount)
        {
            extension.PlatformInstanceId =
                ReadOctetStringEntry(entries[5], Oids.PlatformInstanceId, PlatformInstanceIdLength);
            var configuration = ReadSequence(OpenEntry(entries[6], Oids.Configuration), "the Configuration");
            entries[6].ThrowIfNotEmpty();
            extension.Configuration = ReadConfiguration(configuration);
        }

        return extension;
    }

    private static void ReadTcb(AsnReader tcb, SgxPckExtension extension)
    {
        var entries = ReadSequenceElements(tcb, "the TCB", TcbEntryCount);
        if (entries.Count != TcbEntryCount)
        {
            PckThrow.Format(PckExtensionFormatError.UnexpectedTcbEntryCount,
                $"The TCB has {entries.Count} entries; expected {TcbEntryCount}.");
        }

        for (var i = 0; i < ComponentCount; i++)
        {
            var oid = Oids.TcbComponent(i + 1);
            extension.ComponentSvns[i] = (byte)ReadIntegerEntry(entries[i], oid, byte.MaxValue);
        }

        extension.PceSvn = (ushort)ReadIntegerEntry(entries[ComponentCount], Oids.PceSvn, ushort.MaxValue);
        extension.CpuSvn = ReadOctetStringEntry(entries[ComponentCount + 1], Oids.CpuSvn, CpuSvnLength);
    }

    private static PlatformConfiguration ReadConfiguration(AsnReader configuration)
    {
        var entries = ReadSequenceElements(configuration, "the Configuration", 3);
        if (entries.Count != 3)
        {
            PckThrow.Format(PckExtensionFormatError.InvalidConfiguration,
                $"The Configuration has {entries.Count} entries; expected DynamicPlatform, CachedKeys and SMTEnabled.");
        }

        return new PlatformConfiguration(
            ReadBooleanEntry(entries[0], Oids.DynamicPlatform),
            ReadBooleanEntry(entries[1], Oids.CachedKeys),
            ReadBooleanEntry(entries[2], Oids.SmtEnabled));
    }

    /// <summary>Reads the elements of a SEQUENCE OF SEQUENCE, stopping one past <paramref name="max"/>.</summary>
    private static List<AsnReader> ReadSequenceElements(AsnReader sequence, string what, int max)
    {
        var elements = new List<AsnReader>(max + 1);
        // One element beyond the maximum is enough to report the count as wrong; the rest is never looked at.
        while (sequence.HasData && elements.Count <= max)
        {
            elements.Add(ReadSequence(sequence, "an entry of " + what));
        }

        return elements;
    }

    /// <summary>Reads an entry's OID, checks it, and returns the entry positioned at its value.</summary>
    private static AsnReader OpenEntry(AsnReader entry, string expectedOid)
    {
        Expect(entry, Asn1Tag.ObjectIdentifier, "the OID of entry " + expectedOid);
        var oid = entry.ReadObjectIdentifier();
        if (oid != expectedOid)
        {
            PckThrow.Format(PckExtensionFormatError.UnexpectedOid, $"Found OID {oid} where {expectedOid} belongs.");
        }

        return entry;
    }

    private static byte[] ReadOctetStringEntry(AsnReader entry, string oid, int length)
    {
        OpenEntry(entry, oid);
        Expect(entry, Asn1Tag.PrimitiveOctetString, oid);
        var bytes = entry.ReadOctetString();
        entry.ThrowIfNotEmpty();
        if (bytes.Length != length)
        {
            PckThrow.Format(PckExtensionFormatError.InvalidLength,
                $"{oid} has {bytes.Length} bytes; expected {length}.");
        }

        return bytes;
    }

    private static int ReadIntegerEntry(AsnReader entry, string oid, int max)
    {
        OpenEntry(entry, oid);
        Expect(entry, Asn1Tag.Integer, oid);
        if (!entry.TryReadInt32(out var value) || value < 0 || value > max)
        {
            PckThrow.Format(PckExtensionFormatError.ValueOutOfRange, $"{oid} is outside 0..{max}.");
        }

        entry.ThrowIfNotEmpty();
        return value;
    }

    private static bool ReadBooleanEntry(AsnReader entry, string oid)
    {
        OpenEntry(entry, oid);
        if (!entry.HasData || !entry.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
        {
            PckThrow.Format(PckExtensionFormatError.InvalidConfiguration, $"{oid} is not a BOOLEAN.");
        }

        var value = entry.ReadBoolean();
        entry.ThrowIfNotEmpty();
        return value;
    }

    private static SgxType ReadSgxType(AsnReader entry)
    {
        Expect(entry, s_enumeratedTag, Oids.SgxType);
        var bytes = entry.ReadEnumeratedBytes().Span;
        // DER ENUMERATED values 0..127 are one content byte; the known types are 0..2.
        if (bytes.Length != 1 || bytes[0] > (byte)SgxType.ScalableWithIntegrity)
        {
            PckThrow.Format(PckExtensionFormatError.ValueOutOfRange,
                $"SGX Type must be 0, 1 or 2; found content {Convert.ToHexString(bytes)}.");
        }

        return (SgxType)bytes[0];
    }

    private static AsnReader ReadSequence(AsnReader reader, string what)
    {
        Expect(reader, Asn1Tag.Sequence, what);
        return reader.ReadSequence();
    }

    private static void Expect(AsnReader reader, Asn1Tag tag, string what)
    {
        if (!reader.HasData)
        {
            PckThrow.Format(PckExtensionFormatError.InvalidEncoding, $"Expected {what} but the data ended.");
        }

        var actual = reader.PeekTag();
        if (!actual.HasSameClassAndValue(tag))
        {
            PckThrow.Format(PckExtensionFormatError.UnexpectedType, $"Expected {tag} for {what}, found {actual}.");
        }
    }

    private static void WriteOctetStringEntry(AsnWriter writer, string oid, byte[] value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writer.WriteOctetString(value);
        }
    }

    private static void WriteBooleanEntry(AsnWriter writer, string oid, bool value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writer.WriteBoolean(value);
        }
    }
}
