namespace QuoteHelper.Verification.Tests;

/// <summary>The generated PKI: the happy path, then each fault knob asserting the step and reason that reject it.</summary>
public sealed class TestPkiTests
{
    [Fact]
    public void DefaultPki_V3Quote_UpToDate()
    {
        var result = TestPki.Create().Verify();

        Assert.True(result.IsVerified, $"{result.FailedStep} {result.FailureReason} {result.FailureDetail}");
        Assert.Equal(TcbStatus.UpToDate, result.Status);
        Assert.Empty(result.AdvisoryIds);
        Assert.False(result.CollateralExpired);
    }

    [Fact]
    public void DefaultPki_V5SgxQuote_UpToDate()
    {
        var pki = TestPki.Create();
        var result = pki.Verify(pki.QuoteV5());

        Assert.True(result.IsVerified, $"{result.FailedStep} {result.FailureReason} {result.FailureDetail}");
        Assert.Equal(5, result.Quote!.Version);
        Assert.Equal(TcbStatus.UpToDate, result.Status);
    }

    [Fact]
    public void DefaultPki_IntelRoot_UntrustedRoot()
    {
        var pki = TestPki.Create();
        var result = new QuoteVerifier().Verify(pki.QuoteV3(), pki.Collateral, TestPki.Now);

        Assert.Equal(VerificationStep.TrustAnchor, result.FailedStep);
        Assert.Equal(VerificationFailureReason.UntrustedRoot, result.FailureReason);

        Assert.Equal("chain root 'Test SGX Root CA' is not the trusted root 'Intel SGX Root CA'.", result.FailureDetail);
    }

    [Fact]
    public void AnotherPkisRootWithTheSameName_UntrustedRoot_TellsThemApartByKey()
    {
        var pki = TestPki.Create();
        var other = TestPki.Create(); // also "Test SGX Root CA", another key

        var result = other.Verifier().Verify(pki.QuoteV3(), pki.Collateral, TestPki.Now);

        Assert.Equal(VerificationFailureReason.UntrustedRoot, result.FailureReason);
        Assert.Equal($"chain root 'Test SGX Root CA' (key SHA-256 {KeyPrint(pki.Root)}) is not the trusted root 'Test SGX Root CA' (key SHA-256 {KeyPrint(other.Root)}).",
            result.FailureDetail);
    }

    private static string KeyPrint(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()).AsSpan(0, 8));

    public static TheoryData<string, VerificationStep, VerificationFailureReason> Faults => new()
    {
        { nameof(PkiKnobs.PckSignedByRogueCa), VerificationStep.PckChain, VerificationFailureReason.CertificateSignatureInvalid },
        { nameof(PkiKnobs.PckIssuerNameWrong), VerificationStep.ExtractPckChain, VerificationFailureReason.PckChainIncomplete },
        { nameof(PkiKnobs.RevokePck), VerificationStep.PckChain, VerificationFailureReason.PckRevoked },
        { nameof(PkiKnobs.RevokePckCa), VerificationStep.PckChain, VerificationFailureReason.IntermediateRevoked },
        { nameof(PkiKnobs.BadPckCrlSignature), VerificationStep.Crls, VerificationFailureReason.CrlSignatureInvalid },
        { nameof(PkiKnobs.BadRootCrlSignature), VerificationStep.Crls, VerificationFailureReason.CrlSignatureInvalid },
        { nameof(PkiKnobs.PckCrlWithoutCrlNumber), VerificationStep.Crls, VerificationFailureReason.CrlMissingRequiredField },
        { nameof(PkiKnobs.RootCrlWithoutAki), VerificationStep.Crls, VerificationFailureReason.CrlMissingRequiredField },
        { nameof(PkiKnobs.TcbInfoSignedByWrongKey), VerificationStep.TcbInfo, VerificationFailureReason.TcbInfoSignatureInvalid },
        { nameof(PkiKnobs.TcbInfoWhitespaceChanged), VerificationStep.TcbInfo, VerificationFailureReason.TcbInfoSignatureInvalid },
        { nameof(PkiKnobs.TcbSignerFromOtherRoot), VerificationStep.TcbInfo, VerificationFailureReason.SigningChainInvalid },
        { nameof(PkiKnobs.QeIdentitySignedByWrongKey), VerificationStep.QeIdentity, VerificationFailureReason.QeIdentitySignatureInvalid },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void FaultKnob_RejectedAtItsStep(string knob, VerificationStep step, VerificationFailureReason reason)
    {
        var knobs = new PkiKnobs();
        var property = typeof(PkiKnobs).GetProperty(knob)!;
        property.SetValue(knobs, true);

        var result = TestPki.Create(knobs).Verify();

        Assert.Equal(step, result.FailedStep);
        Assert.Equal(reason, result.FailureReason);
    }

    [Theory]
    [InlineData(nameof(PkiKnobs.RevokePck))]
    [InlineData(nameof(PkiKnobs.RevokePckCa))]
    public void Revocation_StatusIsRevoked(string knob)
    {
        var knobs = new PkiKnobs();
        typeof(PkiKnobs).GetProperty(knob)!.SetValue(knobs, true);

        Assert.Equal(TcbStatus.Revoked, TestPki.Create(knobs).Verify().Status);
    }

    [Fact]
    public void ExpiredPckCa_IntelFlagsStrictFailsAtPckChain()
    {
        var pki = TestPki.Create(new PkiKnobs { ExpiredPckCa = true });

        var intel = pki.Verify();
        var strict = pki.Verify(strict: true);

        Assert.True(intel.IsVerified);
        Assert.True(intel.CollateralExpired);
        Assert.Equal(VerificationStep.PckChain, strict.FailedStep);
        Assert.Equal(VerificationFailureReason.CertificateExpired, strict.FailureReason);
    }

    [Fact]
    public void PckCrlOutOfDate_IntelFlagsStrictFailsAtCrls()
    {
        var pki = TestPki.Create(new PkiKnobs { PckCrlOutOfDate = true });

        var intel = pki.Verify();
        var strict = pki.Verify(strict: true);

        Assert.True(intel.IsVerified);
        Assert.Equal(TcbStatus.UpToDate, intel.Status);
        Assert.True(intel.CollateralExpired);
        Assert.Equal(VerificationStep.Crls, strict.FailedStep);
        Assert.Equal(VerificationFailureReason.CrlExpired, strict.FailureReason);
    }

    [Fact]
    public void CollateralForOtherFmspc_FmspcMismatch()
    {
        var result = TestPki.Create(new PkiKnobs { TcbInfoFmspc = "00A067110000" }).Verify();

        Assert.Equal(VerificationStep.FmspcAndPceId, result.FailedStep);
        Assert.Equal(VerificationFailureReason.FmspcMismatch, result.FailureReason);
    }

    [Fact]
    public void CollateralForOtherPceId_PceIdMismatch()
    {
        var result = TestPki.Create(new PkiKnobs { TcbInfoPceId = "0100" }).Verify();

        Assert.Equal(VerificationStep.FmspcAndPceId, result.FailedStep);
        Assert.Equal(VerificationFailureReason.PceIdMismatch, result.FailureReason);
    }

    [Fact]
    public void PckBelowEveryLevel_TcbLevelNotFound()
    {
        var result = TestPki.Create(new PkiKnobs { PckComponents = new byte[16], PckPceSvn = 10 }).Verify();

        Assert.Equal(VerificationStep.PlatformTcbLevel, result.FailedStep);
        Assert.Equal(VerificationFailureReason.TcbLevelNotFound, result.FailureReason);
    }

    [Fact]
    public void QeSvnBelowEveryQeLevel_QeTcbNotSupported()
    {
        var result = TestPki.Create(new PkiKnobs { QeSvn = 3 }).Verify();

        Assert.Equal(VerificationStep.QeIdentityMatch, result.FailedStep);
        Assert.Equal(VerificationFailureReason.QeTcbNotSupported, result.FailureReason);
    }

    [Fact]
    public void TimeBeforeCollateralIssue_StrictFails_IntelVerifies()
    {
        var pki = TestPki.Create();
        var early = TestPki.Now.AddDays(-7); // before the TCB Info issueDate (Now − 5 d) but inside the CRL windows

        Assert.True(pki.Verify(at: early).IsVerified);
        Assert.Equal(VerificationStep.TcbInfo, pki.Verify(at: early, strict: true).FailedStep);
    }
}
