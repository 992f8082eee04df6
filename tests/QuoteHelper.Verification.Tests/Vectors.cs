using System.Text;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Verification.Tests;

/// <summary>The shared vectors (vectors/README.md) loaded as verifier inputs.</summary>
internal static class Vectors
{
    public const long SgxTime = 1752919277;
    public const long TdxTime = 1752919234;
    public const long QvlTime = 1704067200;

    public static DateTimeOffset At(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

    public static byte[] SgxQuote => TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote");
    public static byte[] TdxQuote => TestVectors.ReadAllBytes("dcap-qvl-sample", "tdx_quote");
    public static byte[] QvlQuote => TestVectors.ReadAllBytes("intel-qvl-sampledata", "quote.dat");

    public static QuoteCollateral SgxCollateral => QuoteCollateralJson.Parse(TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote_collateral.json"));
    public static QuoteCollateral TdxCollateral => QuoteCollateralJson.Parse(TestVectors.ReadAllBytes("dcap-qvl-sample", "tdx_quote_collateral.json"));

    public static byte[] QvlRootDer => QuoteVerifierOptions.LoadRoot(TestVectors.ReadAllBytes("intel-qvl-sampledata", "trustedRootCaCert.pem"));

    /// <summary>Intel's QVL sample data as collateral: PCS-style bodies, CRLs as DER, the PCK chain supplied separately.</summary>
    public static QuoteCollateral QvlCollateral
    {
        get
        {
            string Text(string name) => File.ReadAllText(TestVectors.Path("intel-qvl-sampledata", name));
            byte[] Bytes(string name) => TestVectors.ReadAllBytes("intel-qvl-sampledata", name);
            return PcsCollateral.FromPcsResponses(
                pckCrlIssuerChain: Text("pckSignChain.pem"),
                rootCaCrl: Bytes("rootCaCrl.der"),
                pckCrl: Bytes("intermediateCaCrl.pem"),
                tcbInfoIssuerChain: Text("tcbSignChain.pem"),
                tcbInfoBody: Bytes("tcbInfo.json"),
                qeIdentityIssuerChain: Text("tcbSignChain.pem"),
                qeIdentityBody: Bytes("qeIdentity.json"),
                pckCertificateChain: Text("pckCert.pem") + "\n" + Text("pckSignChain.pem"));
        }
    }

    public static QuoteVerifier IntelVerifier(bool strict = false) => new(new QuoteVerifierOptions { StrictExpiry = strict });

    public static QuoteVerifier QvlVerifier() => new(new QuoteVerifierOptions { TrustedRootDer = QvlRootDer });

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
