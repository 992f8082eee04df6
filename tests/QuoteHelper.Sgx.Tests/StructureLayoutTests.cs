using System.Buffers.Binary;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Sgx.Tests;

/// <summary>
/// Sizes and byte positions of every fixed structure (aesm-protocol.md §4, dcap-quote.md §1). Each position test writes
/// the pattern 01 02 03 … into one field and checks that exactly those bytes, and no others, are set.
/// </summary>
public sealed class StructureLayoutTests
{
    [Fact]
    public void Sizes_AllStructures_MatchSpec()
    {
        Assert.Equal(384, ReportBody.Size);
        Assert.Equal(432, Report.Size);
        Assert.Equal(512, TargetInfo.Size);
        Assert.Equal(960, QeReportInfo.Size);
        Assert.Equal(256, AttestationKeyId.Size);
        Assert.Equal(158, AttestationKeyId.BaseSize);
        Assert.Equal(8, AttestationKeyIdList.HeaderSize);
        Assert.Equal(16, SgxAttributes.Size);
        Assert.Equal(48, QuoteHeader.Size);
        Assert.Equal(384, new ReportBody().ToArray().Length);
        Assert.Equal(432, new Report().ToArray().Length);
        Assert.Equal(512, new TargetInfo().ToArray().Length);
        Assert.Equal(960, new QeReportInfo().ToArray().Length);
        Assert.Equal(48, new QuoteHeader().ToArray().Length);
    }

    [Fact]
    public void QuoteOffsets_Constants_MatchDcapQuoteSection1()
    {
        Assert.Equal(0, QuoteOffsets.Header);
        Assert.Equal(48, QuoteOffsets.Body);
        Assert.Equal(432, QuoteOffsets.SignatureDataLength);
        Assert.Equal(436, QuoteOffsets.SignatureData);
        Assert.Equal(436, QuoteOffsets.Signature);
        Assert.Equal(500, QuoteOffsets.AttestationPublicKey);
        Assert.Equal(564, QuoteOffsets.QeReport);
        Assert.Equal(948, QuoteOffsets.QeReportSignature);
        Assert.Equal(1012, QuoteOffsets.QeAuthDataSize);
        Assert.Equal(1014, QuoteOffsets.QeAuthData);
        Assert.Equal(432, QuoteOffsets.SignedRegionLength);
        Assert.Equal(584, QuoteOffsets.SignatureDataFixedLength);
        Assert.Equal(1020, QuoteOffsets.MinimumLength);
    }

    [Theory]
    [InlineData("CpuSvn", 0, 16)]
    [InlineData("MiscSelect", 16, 4)]
    [InlineData("Reserved1", 20, 12)]
    [InlineData("IsvExtProdId", 32, 16)]
    [InlineData("Attributes", 48, 16)]
    [InlineData("MrEnclave", 64, 32)]
    [InlineData("Reserved2", 96, 32)]
    [InlineData("MrSigner", 128, 32)]
    [InlineData("Reserved3", 160, 32)]
    [InlineData("ConfigId", 192, 64)]
    [InlineData("IsvProdId", 256, 2)]
    [InlineData("IsvSvn", 258, 2)]
    [InlineData("ConfigSvn", 260, 2)]
    [InlineData("Reserved4", 262, 42)]
    [InlineData("IsvFamilyId", 304, 16)]
    [InlineData("ReportData", 320, 64)]
    public void ReportBody_WriteOneField_LandsAtSpecOffset(string field, int offset, int length)
    {
        var body = new ReportBody();
        SetReportBodyField(body, field, length);

        var bytes = body.ToArray();

        AssertOnlyPattern(bytes, offset, length);
        Assert.Equal(bytes, ReportBody.Read(bytes).ToArray());
    }

    [Theory]
    [InlineData("KeyId", 384, 32)]
    [InlineData("Mac", 416, 16)]
    [InlineData("Body.ReportData", 320, 64)]
    public void Report_WriteOneField_LandsAtSpecOffset(string field, int offset, int length)
    {
        var report = new Report();
        switch (field)
        {
            case "KeyId": report.KeyId = Pattern(length); break;
            case "Mac": report.Mac = Pattern(length); break;
            default: report.Body.ReportData = Pattern(length); break;
        }

        var bytes = report.ToArray();

        AssertOnlyPattern(bytes, offset, length);
        Assert.Equal(bytes, Report.Read(bytes).ToArray());
    }

    [Theory]
    [InlineData("MrEnclave", 0, 32)]
    [InlineData("Attributes", 32, 16)]
    [InlineData("Reserved1", 48, 2)]
    [InlineData("ConfigSvn", 50, 2)]
    [InlineData("MiscSelect", 52, 4)]
    [InlineData("Reserved2", 56, 8)]
    [InlineData("ConfigId", 64, 64)]
    [InlineData("Reserved3", 128, 384)]
    public void TargetInfo_WriteOneField_LandsAtSpecOffset(string field, int offset, int length)
    {
        var info = new TargetInfo();
        switch (field)
        {
            case "MrEnclave": info.MrEnclave = Pattern(length); break;
            case "Attributes": info.Attributes = PatternAttributes(); break;
            case "Reserved1": info.Reserved1 = Pattern(length); break;
            case "ConfigSvn": info.ConfigSvn = 0x0201; break;
            case "MiscSelect": info.MiscSelect = 0x04030201; break;
            case "Reserved2": info.Reserved2 = Pattern(length); break;
            case "ConfigId": info.ConfigId = Pattern(length); break;
            default: info.Reserved3 = Pattern(length); break;
        }

        var bytes = info.ToArray();

        AssertOnlyPattern(bytes, offset, length);
        Assert.Equal(bytes, TargetInfo.Read(bytes).ToArray());
    }

    [Theory]
    [InlineData("Nonce", 0, 16)]
    [InlineData("AppEnclaveTargetInfo.MrEnclave", 16, 32)]
    [InlineData("QeReport.KeyId", 528 + 384, 32)]
    [InlineData("QeReport.Body.CpuSvn", 528, 16)]
    public void QeReportInfo_WriteOneField_LandsAtSpecOffset(string field, int offset, int length)
    {
        var info = new QeReportInfo();
        switch (field)
        {
            case "Nonce": info.Nonce = Pattern(length); break;
            case "AppEnclaveTargetInfo.MrEnclave": info.AppEnclaveTargetInfo.MrEnclave = Pattern(length); break;
            case "QeReport.KeyId": info.QeReport.KeyId = Pattern(length); break;
            default: info.QeReport.Body.CpuSvn = Pattern(length); break;
        }

        var bytes = info.ToArray();

        AssertOnlyPattern(bytes, offset, length);
        Assert.Equal(bytes, QeReportInfo.Read(bytes).ToArray());
    }

    [Theory]
    [InlineData("Version", 0, 2)]
    [InlineData("AttestationKeyType", 2, 2)]
    [InlineData("TeeType", 4, 4)]
    [InlineData("QeSvn", 8, 2)]
    [InlineData("PceSvn", 10, 2)]
    [InlineData("QeVendorId", 12, 16)]
    [InlineData("UserData", 28, 20)]
    public void QuoteHeader_WriteOneField_LandsAtSpecOffset(string field, int offset, int length)
    {
        var header = new QuoteHeader { Version = 0, AttestationKeyType = 0, QeVendorId = new byte[16] };
        switch (field)
        {
            case "Version": header.Version = 0x0201; break;
            case "AttestationKeyType": header.AttestationKeyType = 0x0201; break;
            case "TeeType": header.TeeType = 0x04030201; break;
            case "QeSvn": header.QeSvn = 0x0201; break;
            case "PceSvn": header.PceSvn = 0x0201; break;
            case "QeVendorId": header.QeVendorId = Pattern(length); break;
            default: header.UserData = Pattern(length); break;
        }

        var bytes = header.ToArray();

        AssertOnlyPattern(bytes, offset, length);
        Assert.Equal(bytes, QuoteHeader.Read(bytes).ToArray());
    }

    [Fact]
    public void QuoteHeader_Defaults_AreVersion3EcdsaIntelVendor()
    {
        var bytes = new QuoteHeader().ToArray();

        Assert.Equal(Hex.FromHex("0300 0200 00000000 0000 0000 939a7233f79c4ca9940a0db3957f0607"),
            bytes[..28]);
        Assert.True(new QuoteHeader().IsIntelQeVendor);
    }

    [Theory]
    [InlineData(0, 2, 0x0201)] // id
    [InlineData(2, 2, 0x0201)] // version
    [InlineData(4, 2, 0x0201)] // mrsigner_length
    [InlineData(54, 4, 0x04030201)] // prod_id
    [InlineData(154, 4, 0x04030201)] // algorithm_id
    [InlineData(174, 2, 0x0201)] // att_key_type (extended part)
    public void AttestationKeyId_ReadField_UsesSpecOffset(int offset, int length, uint expected)
    {
        var bytes = new byte[AttestationKeyId.Size];
        Pattern(length).CopyTo(bytes, offset);

        var id = AttestationKeyId.Read(bytes);

        uint actual = offset switch
        {
            0 => id.Id,
            2 => id.Version,
            4 => id.MrSignerLength,
            54 => id.ProdId,
            154 => (uint)id.Algorithm,
            _ => id.AttKeyType,
        };
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void AttestationKeyId_MrSigner_IsSixBytesIn()
    {
        var bytes = new byte[AttestationKeyId.Size];
        bytes[4] = 48;
        Pattern(48).CopyTo(bytes, 6);

        var id = AttestationKeyId.Read(bytes);

        Assert.Equal(Pattern(48), id.MrSigner.ToArray());
        Assert.Equal(bytes[..158], id.Base.ToArray());
    }

    [Fact]
    public void AttestationKeyIdList_EncodeTwo_HeaderThenEntriesAt8And264()
    {
        var second = new byte[AttestationKeyId.Size];
        second[0] = 0xAA;

        var list = AttestationKeyIdList.Encode([AttestationKeyId.DefaultEcdsaP256, AttestationKeyId.Read(second)]);

        Assert.Equal(8 + (2 * 256), list.Length);
        Assert.Equal(Hex.FromHex("0000 0000 02000000"), list[..8]);
        Assert.Equal(AttestationKeyId.DefaultEcdsaP256.Bytes.ToArray(), list[8..264]);
        Assert.Equal(0xAA, list[264]);
    }

    [Fact]
    public void Quote_WriteSignatureDataFields_LandAtAbsoluteOffsets()
    {
        var quote = new Quote
        {
            Header = new QuoteHeader(),
            SignatureData = new QuoteSignatureData
            {
                Signature = Filled(64, 0x51),
                AttestationPublicKey = Filled(64, 0x52),
                QeReportSignature = Filled(64, 0x53),
                QeAuthData = Filled(32, 0x54),
                CertificationData = new CertificationData(CertificationDataType.PckCertChain, Filled(10, 0x55)),
            },
        };
        quote.SignatureData.QeReport.ReportData = Filled(64, 0x56);

        var bytes = quote.ToArray();

        Assert.Equal(1052 + 10, bytes.Length);
        Assert.Equal((uint)(bytes.Length - 436), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(432)));
        Assert.All(bytes[436..500], b => Assert.Equal(0x51, b));
        Assert.All(bytes[500..564], b => Assert.Equal(0x52, b));
        Assert.All(bytes[884..948], b => Assert.Equal(0x56, b)); // QE report_data, dcap-quote.md §1.4
        Assert.All(bytes[948..1012], b => Assert.Equal(0x53, b));
        Assert.Equal(32, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(1012)));
        Assert.All(bytes[1014..1046], b => Assert.Equal(0x54, b));
        Assert.Equal(5, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(1046)));
        Assert.Equal(10u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(1048)));
        Assert.All(bytes[1052..], b => Assert.Equal(0x55, b));
    }

    private static void SetReportBodyField(ReportBody body, string field, int length)
    {
        switch (field)
        {
            case "CpuSvn": body.CpuSvn = Pattern(length); break;
            case "MiscSelect": body.MiscSelect = 0x04030201; break;
            case "Reserved1": body.Reserved1 = Pattern(length); break;
            case "IsvExtProdId": body.IsvExtProdId = Pattern(length); break;
            case "Attributes": body.Attributes = PatternAttributes(); break;
            case "MrEnclave": body.MrEnclave = Pattern(length); break;
            case "Reserved2": body.Reserved2 = Pattern(length); break;
            case "MrSigner": body.MrSigner = Pattern(length); break;
            case "Reserved3": body.Reserved3 = Pattern(length); break;
            case "ConfigId": body.ConfigId = Pattern(length); break;
            case "IsvProdId": body.IsvProdId = 0x0201; break;
            case "IsvSvn": body.IsvSvn = 0x0201; break;
            case "ConfigSvn": body.ConfigSvn = 0x0201; break;
            case "Reserved4": body.Reserved4 = Pattern(length); break;
            case "IsvFamilyId": body.IsvFamilyId = Pattern(length); break;
            case "ReportData": body.ReportData = Pattern(length); break;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }
    }

    // Little-endian flags 0x0807060504030201 and xfrm 0x100F0E0D0C0B0A09 encode as the bytes 01 02 … 10.
    private static SgxAttributes PatternAttributes() =>
        new((SgxAttributeFlags)0x0807060504030201, 0x100F0E0D0C0B0A09);

    private static byte[] Pattern(int length) => [.. Enumerable.Range(1, length).Select(i => (byte)i)];

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    private static void AssertOnlyPattern(byte[] bytes, int offset, int length)
    {
        Assert.Equal(Pattern(length), bytes[offset..(offset + length)]);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i < offset || i >= offset + length)
            {
                Assert.True(bytes[i] == 0, $"byte {i} is 0x{bytes[i]:x2}, expected 0 outside [{offset}, {offset + length})");
            }
        }
    }
}
