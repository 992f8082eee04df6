using System.Security.Cryptography.X509Certificates;
using QuoteHelper.Quoting.Simulation;
using QuoteHelper.Sgx.Pck;

namespace QuoteHelper.Quoting.Tests.Simulation;

/// <summary>The simulated PKI follows Intel's profiles (dcap-quote.md §4.1, §4.2, §8.1).</summary>
public sealed class SimulatedPlatformTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly SimulatedPlatform _platform;

    public SimulatedPlatformTests() =>
        _platform = SimulatedPlatform.Open(_temp.Path, new SimulatedPlatformOptions(), TimeProvider.System);

    public void Dispose()
    {
        _platform.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Certificates_SubjectsSaySimulatedAndKeepIntelsCnPhrases()
    {
        Assert.Contains("SGX Root CA", _platform.RootCertificate.GetNameInfo(X509NameType.SimpleName, false), StringComparison.Ordinal);
        Assert.Contains("SGX PCK Processor CA", _platform.PckCaCertificate.GetNameInfo(X509NameType.SimpleName, false), StringComparison.Ordinal);
        Assert.Contains("SGX PCK Certificate", _platform.PckCertificate.GetNameInfo(X509NameType.SimpleName, false), StringComparison.Ordinal);
        Assert.Contains("SGX TCB Signing", _platform.TcbSigningCertificate.GetNameInfo(X509NameType.SimpleName, false), StringComparison.Ordinal);
        foreach (var certificate in new[] { _platform.RootCertificate, _platform.PckCaCertificate, _platform.PckCertificate, _platform.TcbSigningCertificate })
        {
            Assert.Contains("Simulated", certificate.Subject, StringComparison.Ordinal);
            // Encoded CN, O, L, ST, C like Intel's (compare the real Intel root's encoding order).
            Assert.Equal(["2.5.4.3", "2.5.4.10", "2.5.4.7", "2.5.4.8", "2.5.4.6"],
                certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).Select(n => n.GetSingleElementType().Value));
            Assert.Equal(20, certificate.SerialNumberBytes.Length);
            Assert.Equal("1.2.840.10045.4.3.2", certificate.SignatureAlgorithm.Value); // ecdsa-with-SHA256
            Assert.NotNull(certificate.Extensions["2.5.29.14"]); // SKI
            Assert.NotNull(certificate.Extensions["2.5.29.35"]); // AKI
            Assert.NotNull(certificate.Extensions["2.5.29.31"]); // CRL distribution points
        }
    }

    [Fact]
    public void IntelRoot_EncodesItsNameCnFirst()
    {
        using var intelRoot = X509CertificateLoader.LoadCertificateFromFile(TestVectors.Path("dcap-qvl-sample", "TrustedRootCA.der"));
        Assert.Equal(["2.5.4.3", "2.5.4.10", "2.5.4.7", "2.5.4.8", "2.5.4.6"],
            intelRoot.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).Select(n => n.GetSingleElementType().Value));
    }

    [Fact]
    public void Certificates_BasicConstraintsAndKeyUsage_MatchIntelProfiles()
    {
        AssertProfile(_platform.RootCertificate, ca: true, pathLength: 1, X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign);
        AssertProfile(_platform.PckCaCertificate, ca: true, pathLength: 0, X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign);
        AssertProfile(_platform.PckCertificate, ca: false, pathLength: null, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation);
        AssertProfile(_platform.TcbSigningCertificate, ca: false, pathLength: null, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation);
    }

    [Fact]
    public void PckCertificate_SgxExtension_CarriesThePlatformTcb()
    {
        var extension = _platform.PckCertificate.Extensions[SgxPckExtension.Oid]!;
        Assert.False(extension.Critical);
        var sgx = SgxPckExtension.Decode(extension.RawData);

        Assert.Equal(SimulatedPlatformOptions.DefaultCpuSvn.ToArray(), sgx.ComponentSvns);
        Assert.Equal(SimulatedPlatformOptions.DefaultCpuSvn.ToArray(), sgx.CpuSvn);
        Assert.Equal(SimulatedPlatformOptions.DefaultPceSvn, sgx.PceSvn);
        Assert.Equal(Convert.FromHexString(_platform.State.Platform.Ppid), sgx.Ppid);
        Assert.Equal(Convert.FromHexString(_platform.State.Platform.Fmspc), sgx.Fmspc);
        Assert.Equal(new byte[2], sgx.PceId);
        Assert.Equal(SgxType.Standard, sgx.SgxType);
        Assert.Null(sgx.PlatformInstanceId);
    }

    [Fact]
    public void PckChain_BuildsToTheSimulationRootOnly()
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_platform.RootCertificate);
        chain.ChainPolicy.ExtraStore.Add(_platform.PckCaCertificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(_platform.PckCertificate));

        // Intel's real root never anchors a simulated chain.
        using var intelRoot = X509CertificateLoader.LoadCertificateFromFile(TestVectors.Path("dcap-qvl-sample", "TrustedRootCA.der"));
        using var intelChain = new X509Chain();
        intelChain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        intelChain.ChainPolicy.CustomTrustStore.Add(intelRoot);
        intelChain.ChainPolicy.ExtraStore.Add(_platform.PckCaCertificate);
        intelChain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.False(intelChain.Build(_platform.PckCertificate));
    }

    [Fact]
    public void PckChainPem_IsLeafCaRootEachEndingInNewline()
    {
        var blocks = _platform.PckChainPem.Split("-----END CERTIFICATE-----\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, blocks.Length);
        Assert.EndsWith("-----END CERTIFICATE-----\n", _platform.PckChainPem, StringComparison.Ordinal);
        Assert.Equal(_platform.PckCertificate.RawData, X509Certificate2.CreateFromPem(blocks[0] + "-----END CERTIFICATE-----").RawData);
        Assert.Equal(_platform.RootCertificate.RawData, X509Certificate2.CreateFromPem(blocks[2] + "-----END CERTIFICATE-----").RawData);
    }

    [Fact]
    public void QeTargetInfo_DependsOnTheQeSvn()
    {
        var target = _platform.QeTargetInfo;

        Assert.Equal(SimulatedPlatform.QeMrEnclave(SimulatedPlatformOptions.DefaultQeSvn), target.MrEnclave);
        Assert.NotEqual(SimulatedPlatform.QeMrEnclave(SimulatedPlatformOptions.DefaultQeSvn + 1), target.MrEnclave);
        Assert.Equal(0x15UL, (ulong)target.Attributes.Flags); // INIT | MODE64 | PROVISION_KEY, as real QE3
        Assert.Equal(0xE7UL, target.Attributes.Xfrm);
    }

    [Fact]
    public void Open_HigherQeSvn_ChangesTheQeButNotThePck()
    {
        var pck = _platform.PckCertificate.RawData;
        using var updated = SimulatedPlatform.Open(_temp.Path, new SimulatedPlatformOptions { QeSvn = 11 }, TimeProvider.System);

        Assert.Equal(11, updated.QeSvn);
        Assert.NotEqual(_platform.QeTargetInfo.MrEnclave, updated.QeTargetInfo.MrEnclave);
        Assert.Equal(pck, updated.PckCertificate.RawData);
        Assert.Equal(_platform.RootCertificate.RawData, updated.RootCertificate.RawData);
    }

    [Fact]
    public void Open_HigherPceSvnAndCpuSvn_ReissuesThePckWithTheNewTcb()
    {
        byte[] cpuSvn = [12, 12, 3, 3, 255, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        using var updated = SimulatedPlatform.Open(_temp.Path, new SimulatedPlatformOptions { PceSvn = 14, CpuSvn = cpuSvn }, TimeProvider.System);

        var sgx = updated.PckExtension;
        Assert.Equal(14, sgx.PceSvn);
        Assert.Equal(cpuSvn, sgx.CpuSvn);
        Assert.Equal(cpuSvn, sgx.ComponentSvns);
        Assert.NotEqual(_platform.PckCertificate.RawData, updated.PckCertificate.RawData);
        Assert.Equal(_platform.PckCaCertificate.RawData, updated.PckCaCertificate.RawData);
        Assert.Equal(_platform.State.Platform.Ppid, updated.State.Platform.Ppid);
    }

    private static void AssertProfile(X509Certificate2 certificate, bool ca, int? pathLength, X509KeyUsageFlags usage)
    {
        var constraints = Assert.IsType<X509BasicConstraintsExtension>(certificate.Extensions["2.5.29.19"]);
        Assert.True(constraints.Critical);
        Assert.Equal(ca, constraints.CertificateAuthority);
        if (pathLength is { } length)
        {
            Assert.True(constraints.HasPathLengthConstraint);
            Assert.Equal(length, constraints.PathLengthConstraint);
        }

        var keyUsage = Assert.IsType<X509KeyUsageExtension>(certificate.Extensions["2.5.29.15"]);
        Assert.True(keyUsage.Critical);
        Assert.Equal(usage, keyUsage.KeyUsages);
    }
}
