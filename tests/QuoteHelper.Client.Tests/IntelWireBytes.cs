using QuoteHelper.Sgx;

namespace QuoteHelper.Client.Tests;

/// <summary>
/// The frames of aesm-protocol.md Appendix A (requests recorded from Intel's libsgx_quote_ex 2.26, and replies its
/// client accepted), assembled from the appendix's structure table: `K` is the 256-byte default key id of §5.
/// </summary>
internal static class IntelWireBytes
{
    private static byte[] K => AttestationKeyId.DefaultEcdsaP256.Bytes.ToArray();

    private static byte[] Cat(params object[] parts) => parts.SelectMany(p => p switch
    {
        string hex => Hex.FromHex(hex.Replace(" ", "", StringComparison.Ordinal)),
        byte[] bytes => bytes,
        _ => throw new ArgumentException("hex string or bytes"),
    }).ToArray();

    private static byte[] Fill(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    public static byte[] QeReportInfoSent => [.. Fill(0x22, 16), .. Fill(0x00, 944)];

    public static byte[] Report => Fill(0x11, 432);

    public static readonly byte[] A1Request = Cat("06000000 aa01 03 489875");
    public static readonly byte[] A1Response = Cat("07000000 aa01 04 0800 1001");
    public static readonly byte[] A2Request = Cat("09000000 b201 06 088002 489875");
    public static readonly byte[] A2Response = Cat("09010000 b201 8502 0800 128002", K);
    public static readonly byte[] A3Request = Cat("0b010000 7a 8802 0a8002", K, "1800 489875");
    public static readonly byte[] A3Response = Cat("0a020000 7a 8704 0800 128004", Fill(0, 512), "1820");
    public static readonly byte[] A4Request = Cat("0d010000 7a 8a02 0a8002", K, "1801 2020 489875");
    public static readonly byte[] A4Response = Cat("2c020000 7a a904 0800 128004", Fill(0, 512), "1820 2220", Fill(0x44, 32));
    public static readonly byte[] A5Request = Cat("0a010000 8201 8602 0a8002", K, "489875");
    public static readonly byte[] A5Response = Cat("08000000 8201 05 0800 10de24");
    public static readonly byte[] A6Request = Cat("82060000 8a01 fe0c 0ab003", Fill(0x11, 432), "128002", K, "1ac007", Fill(0x22, 16), Fill(0, 944), "2040 489875");
    public static readonly byte[] A6Response = Cat("0b040000 8a01 8708 0800 1240 03", Fill(0, 63), "1ac007", Fill(0x22, 16), Fill(0, 944));
}
