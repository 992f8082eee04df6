using System.Security.Cryptography;

namespace QuoteHelper.Verification;

/// <summary>
/// The Intel SGX Root CA certificate, the default trust anchor (dcap-quote.md §4.4): DER 659 bytes, SHA-256
/// fingerprint 44A0196B…74D3, serial 22650CD65A9D3489F383B49552BF501B392706AC, valid 2018-05-21 … 2049-12-31.
/// </summary>
public static class IntelRoot
{
    /// <summary>SHA-256 of <see cref="Der"/>, lower-case hex (the certificate fingerprint).</summary>
    public const string Sha256Fingerprint = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";

    private const string Base64 =
        "MIICjzCCAjSgAwIBAgIUImUM1lqdNInzg7SVUr9QGzknBqwwCgYIKoZIzj0EAwIwaDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJv" +
        "b3QgQ0ExGjAYBgNVBAoMEUludGVsIENvcnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJ" +
        "BgNVBAYTAlVTMB4XDTE4MDUyMTEwNDUxMFoXDTQ5MTIzMTIzNTk1OVowaDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0Ex" +
        "GjAYBgNVBAoMEUludGVsIENvcnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJBgNVBAYT" +
        "AlVTMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC6nEwMDIYZOj/iPWsCzaEKi71OiOSLRFhWGjbnBVJfVnkY4u3IjkDYYL" +
        "0MxO4mqsyYjlBalTVYxFP2sJBK5zlKOBuzCBuDAfBgNVHSMEGDAWgBQiZQzWWp00ifODtJVSv1AbOScGrDBSBgNVHR8ESzBJ" +
        "MEegRaBDhkFodHRwczovL2NlcnRpZmljYXRlcy50cnVzdGVkc2VydmljZXMuaW50ZWwuY29tL0ludGVsU0dYUm9vdENBLmRl" +
        "cjAdBgNVHQ4EFgQUImUM1lqdNInzg7SVUr9QGzknBqwwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwCgYI" +
        "KoZIzj0EAwIDSQAwRgIhAOW/5QkR+S9CiSDcNoowLuPRLsWGf/Yi7GSX94BgwTwgAiEA4J0lrHoMs+Xo5o/sX6O9QWxHRAvZ" +
        "UGOdRQ7cvqRXaqI=";

    private static readonly byte[] s_der = Load();

    /// <summary>A copy of the DER encoding.</summary>
    public static byte[] Der => (byte[])s_der.Clone();

    private static byte[] Load()
    {
        var der = Convert.FromBase64String(Base64);
        // A corrupted constant must never silently become a different trust anchor.
        if (!Convert.ToHexStringLower(SHA256.HashData(der)).Equals(Sha256Fingerprint, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The embedded Intel SGX Root CA does not match its fingerprint.");
        }

        return der;
    }
}
