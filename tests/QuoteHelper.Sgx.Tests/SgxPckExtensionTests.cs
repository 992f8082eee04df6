using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using QuoteHelper.Sgx.Pck;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Sgx.Tests;

/// <summary>The SGX extension of PCK certificates (dcap-quote.md §4.3): real values, exact re-encoding, malformed input.</summary>
public sealed class SgxPckExtensionTests
{
    // dcap-quote.md §4.3, real example 1 (Processor CA leaf of sample/sgx_quote), 453 bytes.
    private const string ExampleHex = """
        308201c1301e060a2a864886f84d010d01010410d04ec06d4e6d92dc90d0ad3c
        f5ee2ddf30820164060a2a864886f84d010d0102308201543010060b2a864886
        f84d010d01020102010b3010060b2a864886f84d010d01020202010b3010060b
        2a864886f84d010d0102030201023010060b2a864886f84d010d010204020102
        3011060b2a864886f84d010d010205020200ff3010060b2a864886f84d010d01
        02060201013010060b2a864886f84d010d0102070201003010060b2a864886f8
        4d010d0102080201003010060b2a864886f84d010d0102090201003010060b2a
        864886f84d010d01020a0201003010060b2a864886f84d010d01020b02010030
        10060b2a864886f84d010d01020c0201003010060b2a864886f84d010d01020d
        0201003010060b2a864886f84d010d01020e0201003010060b2a864886f84d01
        0d01020f0201003010060b2a864886f84d010d0102100201003010060b2a8648
        86f84d010d01021102010d301f060b2a864886f84d010d01021204100b0b0202
        ff01000000000000000000003010060a2a864886f84d010d0103040200003014
        060a2a864886f84d010d0104040600a067110000300f060a2a864886f84d010d
        01050a0100
        """;

    private static byte[] Example => Hex.FromHex(ExampleHex);

    [Fact]
    public void Decode_SpecExample_MatchesListedValues()
    {
        Assert.Equal(453, Example.Length);

        var extension = SgxPckExtension.Decode(Example);

        Assert.Equal("d04ec06d4e6d92dc90d0ad3cf5ee2ddf", Hex.ToHex(extension.Ppid));
        Assert.Equal(new byte[] { 11, 11, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, extension.ComponentSvns);
        Assert.Equal(13, extension.PceSvn);
        Assert.Equal("0b0b0202ff0100000000000000000000", Hex.ToHex(extension.CpuSvn));
        Assert.Equal("0000", Hex.ToHex(extension.PceId));
        Assert.Equal("00a067110000", Hex.ToHex(extension.Fmspc));
        Assert.Equal(SgxType.Standard, extension.SgxType);
        Assert.Null(extension.PlatformInstanceId);
        Assert.Null(extension.Configuration);
    }

    [Fact]
    public void Encode_DecodedSpecExample_ReproducesBytesExactly()
    {
        Assert.Equal(Example, SgxPckExtension.Decode(Example).Encode());
    }

    [Fact]
    public void Encode_Component255_IsMinimalTwoByteInteger()
    {
        var extension = new SgxPckExtension { ComponentSvns = [0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };

        var encoded = Hex.ToHex(extension.Encode());

        // SEQUENCE { OID …13.1.2.5, INTEGER 255 } = 30 11 06 0b … 05 02 02 00 ff (dcap-quote.md §4.3).
        Assert.Contains("3011060b2a864886f84d010d010205020200ff", encoded, StringComparison.Ordinal);
        Assert.Contains("3010060b2a864886f84d010d010201020100", encoded, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DcapQvlSgxQuoteLeaf_MatchesVectorReadme()
    {
        var chain = Quote.Parse(TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote"))
            .SignatureData.CertificationData.GetPckCertChainDer();
        var raw = ExtensionValue(chain[0]);

        var extension = SgxPckExtension.Decode(raw);

        Assert.Equal(Example, raw);
        Assert.Equal("d04ec06d4e6d92dc90d0ad3cf5ee2ddf", Hex.ToHex(extension.Ppid));
        Assert.Equal(13, extension.PceSvn);
        Assert.Equal("00a067110000", Hex.ToHex(extension.Fmspc));
        Assert.Equal(raw, extension.Encode());
    }

    [Fact]
    public void Decode_IntelQvlPckCert_MatchesVectorReadme()
    {
        var pem = File.ReadAllText(TestVectors.Path("intel-qvl-sampledata", "pckCert.pem"));
        using var certificate = X509Certificate2.CreateFromPem(pem);
        var raw = ExtensionValue(certificate.RawData);

        var extension = SgxPckExtension.Decode(raw);

        Assert.Equal("8461863bb7ece31f64c8e9b77fd31cad", Hex.ToHex(extension.Ppid));
        Assert.Equal(new byte[] { 0, 3, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, extension.ComponentSvns);
        Assert.Equal(3, extension.PceSvn);
        Assert.Equal("00030000000101000000000000000000", Hex.ToHex(extension.CpuSvn));
        Assert.Equal("0000", Hex.ToHex(extension.PceId));
        Assert.Equal("00707f000000", Hex.ToHex(extension.Fmspc));
        Assert.Equal(SgxType.Standard, extension.SgxType);
        Assert.Null(extension.Configuration);
        Assert.Equal(raw, extension.Encode());
    }

    [Fact]
    public void Decode_DcapQvlTdxQuotePlatformLeaf_HasSevenEntries()
    {
        var raw = TdxLeafExtensionValue();

        var extension = SgxPckExtension.Decode(raw);

        Assert.Equal(554, raw.Length);
        Assert.Equal("811dca2a26b952e85bb6448b097ba4fd", Hex.ToHex(extension.Ppid));
        Assert.Equal(SgxType.Scalable, extension.SgxType);
        Assert.Equal("07828474603e7019dc930775ffe8cdd2", Hex.ToHex(extension.PlatformInstanceId!));
        Assert.Equal(new PlatformConfiguration(true, true, true), extension.Configuration);
        Assert.Equal("b0c06f000000", Hex.ToHex(extension.Fmspc));
        Assert.Equal("0000", Hex.ToHex(extension.PceId));
        Assert.Equal(raw, extension.Encode());
    }

    [Fact]
    public void EncodeThenDecode_PlatformForm_RoundTrips()
    {
        var extension = new SgxPckExtension
        {
            Ppid = [.. Enumerable.Range(1, 16).Select(i => (byte)i)],
            ComponentSvns = [.. Enumerable.Range(240, 16).Select(i => (byte)i)],
            PceSvn = 65535,
            CpuSvn = [.. Enumerable.Range(240, 16).Select(i => (byte)i)],
            PceId = [0x12, 0x34],
            Fmspc = [1, 2, 3, 4, 5, 6],
            SgxType = SgxType.ScalableWithIntegrity,
            PlatformInstanceId = new byte[16],
            Configuration = new PlatformConfiguration(true, false, true),
        };

        var decoded = SgxPckExtension.Decode(extension.Encode());

        Assert.Equal(extension.Encode(), decoded.Encode());
        Assert.Equal(65535, decoded.PceSvn);
        Assert.Equal(extension.Configuration, decoded.Configuration);
    }

    [Fact]
    public void Encode_OnlyPlatformInstanceIdSet_ThrowsArgument()
    {
        var extension = new SgxPckExtension { PlatformInstanceId = new byte[16] };

        Assert.Throws<ArgumentException>(() => extension.Encode());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]
    public void Decode_EntryCountNot5Or7_ThrowsUnexpectedEntryCount(int count)
    {
        var entries = Elements(TdxLeafExtensionValue()); // 7 entries
        var chosen = Enumerable.Range(0, count).Select(i => entries[Math.Min(i, entries.Count - 1)]).ToArray();

        AssertRejected(Sequence(chosen), PckExtensionFormatError.UnexpectedEntryCount);
    }

    [Fact]
    public void Decode_TcbWith17Entries_ThrowsUnexpectedTcbEntryCount()
    {
        var entries = Elements(Example);
        var tcbEntry = Elements(entries[1]); // OID, SEQUENCE of 18
        var tcbItems = Elements(tcbEntry[1]);
        entries[1] = Sequence(tcbEntry[0], Sequence([.. tcbItems.Take(17)]));

        AssertRejected(Sequence([.. entries]), PckExtensionFormatError.UnexpectedTcbEntryCount);
    }

    [Fact]
    public void Decode_PpidAsInteger_ThrowsUnexpectedType()
    {
        var entries = Elements(Example);
        entries[0] = Entry(SgxPckExtension.Oids.Ppid, w => w.WriteInteger(5));

        AssertRejected(Sequence([.. entries]), PckExtensionFormatError.UnexpectedType);
    }

    [Fact]
    public void Decode_SgxTypeAsInteger_ThrowsUnexpectedType()
    {
        var entries = Elements(Example);
        entries[4] = Entry(SgxPckExtension.Oids.SgxType, w => w.WriteInteger(0));

        AssertRejected(Sequence([.. entries]), PckExtensionFormatError.UnexpectedType);
    }

    [Fact]
    public void Decode_EntriesOutOfOrder_ThrowsUnexpectedOid()
    {
        var entries = Elements(Example);
        (entries[2], entries[3]) = (entries[3], entries[2]);

        AssertRejected(Sequence([.. entries]), PckExtensionFormatError.UnexpectedOid);
    }

    [Fact]
    public void Decode_Ppid15Bytes_ThrowsInvalidLength()
    {
        var entries = Elements(Example);
        entries[0] = Entry(SgxPckExtension.Oids.Ppid, w => w.WriteOctetString(new byte[15]));

        AssertRejected(Sequence([.. entries]), PckExtensionFormatError.InvalidLength);
    }

    [Theory]
    [InlineData(0, 256)]
    [InlineData(0, -1)]
    [InlineData(16, 65536)]
    public void Decode_TcbIntegerOutOfRange_ThrowsValueOutOfRange(int index, int value)
    {
        var entries = Elements(Example);
        var tcbEntry = Elements(entries[1]);
        var tcbItems = Elements(tcbEntry[1]);
        var oid = index < 16 ? SgxPckExtension.Oids.TcbComponent(index + 1) : SgxPckExtension.Oids.PceSvn;
        tcbItems[index] = Entry(oid, w => w.WriteInteger(value));
        entries[1] = Sequence(tcbEntry[0], Sequence([.. tcbItems]));

        AssertRejected(Sequence([.. entries]), PckExtensionFormatError.ValueOutOfRange);
    }

    [Fact]
    public void Decode_SgxType3_ThrowsValueOutOfRange()
    {
        var entries = Elements(Example);
        entries[4] = Entry(SgxPckExtension.Oids.SgxType,
            w => w.WriteEncodedValue(new byte[] { 0x0a, 0x01, 0x03 })); // ENUMERATED 3

        AssertRejected(Sequence([.. entries]), PckExtensionFormatError.ValueOutOfRange);
    }

    [Fact]
    public void Decode_ConfigurationWithTwoBooleans_ThrowsInvalidConfiguration()
    {
        var entries = Elements(TdxLeafExtensionValue());
        var configuration = Elements(entries[6]);
        var booleans = Elements(configuration[1]);
        entries[6] = Sequence(configuration[0], Sequence(booleans[0], booleans[1]));

        AssertRejected(Sequence([.. entries]), PckExtensionFormatError.InvalidConfiguration);
    }

    [Fact]
    public void Decode_ConfigurationValueNotBoolean_ThrowsInvalidConfiguration()
    {
        var entries = Elements(TdxLeafExtensionValue());
        var configuration = Elements(entries[6]);
        var booleans = Elements(configuration[1]);
        booleans[2] = Entry(SgxPckExtension.Oids.SmtEnabled, w => w.WriteInteger(1));
        entries[6] = Sequence(configuration[0], Sequence([.. booleans]));

        AssertRejected(Sequence([.. entries]), PckExtensionFormatError.InvalidConfiguration);
    }

    [Fact]
    public void Decode_TrailingByte_ThrowsInvalidEncoding()
    {
        AssertRejected([.. Example, 0x00], PckExtensionFormatError.InvalidEncoding);
    }

    [Fact]
    public void Decode_Truncated_ThrowsInvalidEncoding()
    {
        AssertRejected(Example[..^1], PckExtensionFormatError.InvalidEncoding);
    }

    [Fact]
    public void Decode_NotASequence_ThrowsUnexpectedType()
    {
        AssertRejected([0x04, 0x00], PckExtensionFormatError.UnexpectedType);
    }

    [Fact]
    public void Decode_NonMinimalLength_ThrowsInvalidEncoding()
    {
        // 30 82 01 c1 … re-wrapped with a four-byte length is valid BER but not DER.
        var example = Example;
        byte[] ber = [0x30, 0x84, 0x00, 0x00, 0x01, 0xc1, .. example[4..]];

        AssertRejected(ber, PckExtensionFormatError.InvalidEncoding);
    }

    private static byte[] TdxLeafExtensionValue()
    {
        // The v4 quote nests the PEM chain inside type-6 certification data; locating the text is enough here.
        var bytes = TestVectors.ReadAllBytes("dcap-qvl-sample", "tdx_quote");
        var start = bytes.AsSpan().IndexOf("-----BEGIN CERTIFICATE-----"u8);
        var end = bytes.AsSpan(start).IndexOf((byte)0);
        var text = Encoding.ASCII.GetString(bytes, start, end);
        var fields = PemEncoding.Find(text);
        return ExtensionValue(Convert.FromBase64String(text[fields.Base64Data]));
    }

    private static byte[] ExtensionValue(byte[] certificateDer)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
        return certificate.Extensions[SgxPckExtension.Oid]!.RawData;
    }

    private static List<byte[]> Elements(byte[] sequence)
    {
        var reader = new AsnReader(sequence, AsnEncodingRules.DER).ReadSequence();
        var elements = new List<byte[]>();
        while (reader.HasData)
        {
            elements.Add(reader.ReadEncodedValue().ToArray());
        }

        return elements;
    }

    private static byte[] Sequence(params byte[][] encodedElements)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var element in encodedElements)
            {
                writer.WriteEncodedValue(element);
            }
        }

        return writer.Encode();
    }

    private static byte[] Entry(string oid, Action<AsnWriter> writeValue)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writeValue(writer);
        }

        return writer.Encode();
    }

    private static void AssertRejected(byte[] value, PckExtensionFormatError expected)
    {
        var ex = Assert.Throws<PckExtensionFormatException>(() => SgxPckExtension.Decode(value));
        Assert.Equal(expected, ex.Reason);
    }
}
