using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Sgx.Tests;

/// <summary>Write → Parse → Write is the identity on random quotes (house-style habit 14, pinned seed).</summary>
public sealed class QuoteRoundTripTests
{
    private const int Seed = 12345;
    private const int Iterations = 300;

    [Fact]
    public void WriteThenParse_RandomQuotes_RoundTripExactly()
    {
        var random = new Random(Seed);
        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var quote = RandomQuote(random);
            var bytes = quote.ToArray();
            // Sometimes append padding, as AESM does; it must be ignored.
            var trailing = random.Next(4) == 0 ? random.Next(1, 200) : 0;
            var buffer = new byte[bytes.Length + trailing];
            bytes.CopyTo(buffer, 0);
            random.NextBytes(buffer.AsSpan(bytes.Length));

            var parsed = Quote.Parse(buffer);

            Assert.Equal(bytes.Length, parsed.Length);
            Assert.Equal(Quote.ComputeLength(quote.SignatureData.QeAuthData.Length,
                quote.SignatureData.CertificationData.Data.Length), parsed.Length);
            Assert.True(Quote.TryGetLength(buffer, out var length));
            Assert.Equal(bytes.Length, length);
            Assert.Equal(bytes, parsed.ToArray());
            Assert.Equal(quote.Header.ToArray(), parsed.Header.ToArray());
            Assert.Equal(quote.Body.ToArray(), parsed.Body.ToArray());
            Assert.Equal(quote.SignatureData.Signature, parsed.SignatureData.Signature);
            Assert.Equal(quote.SignatureData.AttestationPublicKey, parsed.SignatureData.AttestationPublicKey);
            Assert.Equal(quote.SignatureData.QeReport.ToArray(), parsed.SignatureData.QeReport.ToArray());
            Assert.Equal(quote.SignatureData.QeReportSignature, parsed.SignatureData.QeReportSignature);
            Assert.Equal(quote.SignatureData.QeAuthData, parsed.SignatureData.QeAuthData);
            Assert.Equal(quote.SignatureData.CertificationData.Type, parsed.SignatureData.CertificationData.Type);
            Assert.Equal(quote.SignatureData.CertificationData.Data, parsed.SignatureData.CertificationData.Data);
        }
    }

    private static Quote RandomQuote(Random random)
    {
        var header = new QuoteHeader
        {
            QeSvn = (ushort)random.Next(ushort.MaxValue + 1),
            PceSvn = (ushort)random.Next(ushort.MaxValue + 1),
            QeVendorId = Bytes(random, QuoteHeader.QeVendorIdLength),
            UserData = Bytes(random, QuoteHeader.UserDataLength),
        };
        // Mostly Intel-sized auth data, sometimes empty or large.
        var authLength = random.Next(10) switch
        {
            0 => 0,
            1 => random.Next(2000),
            _ => 32,
        };
        var certificationLength = random.Next(10) == 0 ? random.Next(20_000) : random.Next(4000);
        return new Quote
        {
            Header = header,
            Body = ReportBody.Read(Bytes(random, ReportBody.Size)),
            SignatureData = new QuoteSignatureData
            {
                Signature = Bytes(random, QuoteSignatureData.SignatureLength),
                AttestationPublicKey = Bytes(random, QuoteSignatureData.PublicKeyLength),
                QeReport = ReportBody.Read(Bytes(random, ReportBody.Size)),
                QeReportSignature = Bytes(random, QuoteSignatureData.SignatureLength),
                QeAuthData = Bytes(random, authLength),
                CertificationData = new CertificationData(
                    (CertificationDataType)random.Next(1, 6), Bytes(random, certificationLength)),
            },
        };
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
