using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using QuoteHelper.Quoting.Hardware;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Quoting.Tests.Hardware;

/// <summary>
/// <see cref="DcapQuotingBackend"/> over the fake DCAP library: pass-through of target info, size and quote, both
/// function sets (core <c>sgx_ql_*</c> and wrapper <c>sgx_qe_*</c>), every <c>quote3_error_t</c> of
/// aesm-protocol.md §7.3, loading errors, configuration and serialisation.
/// </summary>
public sealed class DcapQuotingBackendTests
{
    public static TheoryData<bool> BothFunctionSets => new() { true, false };

    [Theory]
    [MemberData(nameof(BothFunctionSets))]
    public void InitializeAttestationKey_ReturnsTheQeTargetInfo(bool core)
    {
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core);
        var targetInfo = new byte[TargetInfo.Size];

        Assert.Equal(AesmError.Success, backend.InitializeAttestationKey(targetInfo, new byte[32]));

        Assert.Equal(core, backend.UsesCoreFunctions);
        Assert.Equal(Hex.ToHex(FakeTargetInfo()), Hex.ToHex(targetInfo));
        Assert.Equal(core ? 1 : 0, fake.Calls(FakeDcapFunction.QlInitQuote));
        Assert.Equal(core ? 0 : 1, fake.Calls(FakeDcapFunction.QeGetTargetInfo));
    }

    [Fact]
    public void InitializeAttestationKey_Core_ReturnsTheLibrarysPublicKeyId()
    {
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core: true);
        var publicKeyId = new byte[32];

        backend.InitializeAttestationKey(new byte[TargetInfo.Size], publicKeyId);

        Assert.Equal(Hex.ToHex(ExpectedPublicKeyId()), Hex.ToHex(publicKeyId));
        Assert.Equal(Hex.ToHex(ExpectedPublicKeyId()), backend.Identity.AttestationKeyId);
    }

    [Fact]
    public void InitializeAttestationKey_Wrapper_ZerosUntilTheFirstQuoteThenTheKeyOfThatQuote()
    {
        // sgx_qe_get_target_info discards the ECDSA_ID (sgx_dcap_ql_wrapper.cpp): it can only be learnt from a quote.
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core: false);
        var publicKeyId = new byte[32];
        publicKeyId.AsSpan().Fill(0xEE);

        backend.InitializeAttestationKey(new byte[TargetInfo.Size], publicKeyId);
        Assert.Equal(new byte[32], publicKeyId);
        Assert.Equal("", backend.Identity.AttestationKeyId);

        Assert.Equal(AesmError.Success, backend.GetQuote(AppReport(), [], new byte[8192], out _));
        backend.InitializeAttestationKey(new byte[TargetInfo.Size], publicKeyId);

        Assert.Equal(Hex.ToHex(ExpectedPublicKeyId()), Hex.ToHex(publicKeyId));
        Assert.Equal(Hex.ToHex(ExpectedPublicKeyId()), backend.Identity.AttestationKeyId);
    }

    [Theory]
    [MemberData(nameof(BothFunctionSets))]
    public void GetQuoteSize_BeforeInitialisation_42ThenTheLibrarysSize(bool core)
    {
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core);

        Assert.Equal(AesmError.AttKeyNotInitialized, backend.GetQuoteSize(out var before));
        Assert.Equal(0u, before);

        backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]);
        Assert.Equal(AesmError.Success, backend.GetQuoteSize(out var size));
        Assert.Equal(fake.QuoteSize, size);
    }

    [Theory]
    [MemberData(nameof(BothFunctionSets))]
    public void GetQuote_PassesTheQuoteThroughAndLeavesTheRestOfTheBuffer(bool core)
    {
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core);
        backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]);
        var report = AppReport();
        var buffer = new byte[fake.QuoteSize + 100];
        buffer.AsSpan().Fill(0xEE);

        Assert.Equal(AesmError.Success, backend.GetQuote(report, [], buffer, out var length));

        Assert.Equal((int)fake.QuoteSize, length);
        var quote = Quote.Parse(buffer.AsSpan(0, length));
        Assert.Equal(Hex.ToHex(report.AsSpan(0, ReportBody.Size)), Hex.ToHex(buffer.AsSpan(QuoteOffsets.Body, ReportBody.Size)));
        Assert.Equal(FakeDcap.QeSvn, quote.Header.QeSvn);
        Assert.Equal(CertificationDataType.PckCertChain, quote.SignatureData.CertificationData.Type);
        Assert.All(buffer[length..], b => Assert.Equal(0xEE, b));
        Assert.Equal(core ? 1 : 0, fake.Calls(FakeDcapFunction.QlGetQuote));
        Assert.Equal(core ? 0 : 1, fake.Calls(FakeDcapFunction.QeGetQuote));
    }

    [Theory]
    [MemberData(nameof(BothFunctionSets))]
    public void Identity_AfterAQuote_HardwareWithTheSvnsOfItsHeader(bool core)
    {
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core);
        Assert.Equal(new BackendIdentity("hardware", 0, 0, ""), backend.Identity);

        backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]);
        backend.GetQuote(AppReport(), [], new byte[8192], out _);

        Assert.Equal(new BackendIdentity("hardware", FakeDcap.QeSvn, FakeDcap.PceSvn, Hex.ToHex(ExpectedPublicKeyId())), backend.Identity);
    }

    [Fact]
    public void GetQuote_Core_QeReportInfoFilledByTheLibrary()
    {
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core: true);
        backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]);
        var info = new byte[QeReportInfo.Size];
        RandomNumberGenerator.Fill(info.AsSpan(0, 16 + TargetInfo.Size));
        var buffer = new byte[8192];

        Assert.Equal(AesmError.Success, backend.GetQuote(AppReport(), info, buffer, out var length));

        // The fake binds SHA256(nonce ‖ quote) as QE3 does (aesm-protocol.md §6.7).
        var expected = SHA256.HashData([.. info.AsSpan(0, 16), .. buffer.AsSpan(0, length)]);
        var qeReport = info.AsSpan(QeReportInfo.QeReportOffset, Report.Size);
        Assert.Equal(Hex.ToHex(expected), Hex.ToHex(qeReport.Slice(320, 32)));
    }

    [Fact]
    public void GetQuote_WrapperWithQeReportInfo_49AndQeReportInfoUntouched()
    {
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core: false);
        backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]);
        var info = new byte[QeReportInfo.Size];
        RandomNumberGenerator.Fill(info);
        var original = info.ToArray();

        var result = backend.GetQuote(AppReport(), info, new byte[8192], out var length);

        Assert.Equal(AesmError.UnableToGenerateQeReport, result);
        Assert.Equal(0, length);
        Assert.Equal(original, info);
    }

    [Fact]
    public void GetQuote_WrapperWithQeReportInfo_KeyErrorsStillComeFirst()
    {
        // Intel's order (aesm-protocol.md §6.7): 42 (step 4) before 49 (step 8).
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core: false);

        Assert.Equal(AesmError.AttKeyNotInitialized, backend.GetQuote(AppReport(), new byte[QeReportInfo.Size], new byte[8192], out _));
    }

    [Theory]
    [MemberData(nameof(BothFunctionSets))]
    public void GetQuote_BufferOneByteShort_3(bool core)
    {
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core);
        backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]);

        Assert.Equal(AesmError.ParameterError, backend.GetQuote(AppReport(), [], new byte[fake.QuoteSize - 1], out var length));
        Assert.Equal(AesmError.ParameterError, backend.GetQuote(AppReport(), [], new byte[16], out _));
        Assert.Equal(0, length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(431)]
    [InlineData(433)]
    public void GetQuote_ReportNot432Bytes_3WithoutCallingTheLibrary(int reportLength)
    {
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend();

        Assert.Equal(AesmError.ParameterError, backend.GetQuote(new byte[reportLength], [], new byte[8192], out _));
        Assert.Equal(0, fake.Calls(FakeDcapFunction.QlGetQuote));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(100u)]
    [InlineData(100_000u)]
    [InlineData(uint.MaxValue)]
    public void GetQuote_LibraryWritesAnImpossibleSignatureLength_1(uint signatureDataLength)
    {
        // A signature_data_len below the minimum or past the buffer cannot come from a working library: never trim with it.
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend();
        backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]);
        fake.OverrideSignatureDataLength(signatureDataLength);

        Assert.Equal(AesmError.UnexpectedError, backend.GetQuote(AppReport(), [], new byte[8192], out var length));
        Assert.Equal(0, length);
    }

    /// <summary>aesm-protocol.md §7.3, written out independently of ErrorMapping: every named code and a few others.</summary>
    public static TheoryData<uint, uint> Quote3ToAesm => new()
    {
        { 0xE001, 1 }, { 0xE002, 3 }, { 0xE003, 21 }, { 0xE004, 32 }, { 0xE005, 33 }, { 0xE006, 15 }, { 0xE007, 34 },
        { 0xE008, 35 }, { 0xE009, 36 }, { 0xE00A, 37 }, { 0xE00B, 38 }, { 0xE00C, 39 }, { 0xE00D, 40 }, { 0xE00E, 41 },
        { 0xE00F, 42 }, { 0xE010, 43 }, { 0xE011, 44 }, { 0xE012, 29 }, { 0xE013, 45 }, { 0xE014, 46 }, { 0xE015, 47 },
        { 0xE016, 48 }, { 0xE017, 49 }, { 0xE018, 50 }, { 0xE019, 12 }, { 0xE01A, 22 },
        // "anything else" → 1: out-of-proc-only codes, verification codes, garbage.
        { 0xE01B, 1 }, { 0xE03E, 1 }, { 0xE03F, 1 }, { 0xE040, 1 }, { 0xE041, 1 }, { 0xE042, 1 }, { 0xE043, 1 },
        { 0xE044, 1 }, { 0x0001, 1 }, { 0xFFFFFFFF, 1 },
    };

    [Theory]
    [MemberData(nameof(Quote3ToAesm))]
    public void EveryCall_LibraryError_MappedPerSection7_3(uint quote3, uint aesm)
    {
        foreach (var core in new[] { true, false })
        {
            using var fake = new FakeDcap();
            using var backend = fake.CreateBackend(core);
            backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]);
            foreach (var function in new[]
                     {
                         FakeDcapFunction.QlInitQuote, FakeDcapFunction.QlGetQuoteSize, FakeDcapFunction.QlGetQuote,
                         FakeDcapFunction.QeGetTargetInfo, FakeDcapFunction.QeGetQuoteSize, FakeDcapFunction.QeGetQuote,
                     })
            {
                fake.SetResult(function, (Quote3Error)quote3);
            }

            Assert.Equal((AesmError)aesm, backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]));
            Assert.Equal((AesmError)aesm, backend.GetQuoteSize(out var size));
            Assert.Equal(0u, size);
            Assert.Equal((AesmError)aesm, backend.GetQuote(AppReport(), [], new byte[8192], out var length));
            Assert.Equal(0, length);
        }
    }

    [Fact]
    public void Constructor_LibraryMissing_TypedErrorWithPathAndDlerrorText()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("libsgx_dcap_ql.so.1");

        var e = Assert.Throws<DcapLibraryException>(() => new DcapQuotingBackend(new DcapQuotingOptions { LibraryPath = path }));

        Assert.Equal(DcapLibraryError.LoadFailed, e.Reason);
        Assert.Equal(path, e.LibraryPath);
        Assert.Contains("No such file or directory", e.Detail, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NotAnElfFile_TypedErrorWithDlerrorText()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("libsgx_dcap_ql.so.1");
        File.WriteAllText(path, "not a library");

        var e = Assert.Throws<DcapLibraryException>(() => new DcapQuotingBackend(new DcapQuotingOptions { LibraryPath = path }));

        Assert.Equal(DcapLibraryError.LoadFailed, e.Reason);
        Assert.Contains(path, e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ALibraryWithoutTheFunctions_MissingFunction()
    {
        var e = Assert.Throws<DcapLibraryException>(() => new DcapQuotingBackend(new DcapQuotingOptions { LibraryPath = "libdl.so.2" }));

        Assert.Equal(DcapLibraryError.MissingFunction, e.Reason);
        Assert.Contains("sgx_qe_get_target_info", e.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("")]
    public void EnsureInProcess_SgxAesmAddrPresent_RefusedWhateverTheValue(string value)
    {
        var e = Assert.Throws<DcapLibraryException>(() => DcapQuotingBackend.EnsureInProcess(value, "libsgx_dcap_ql.so.1"));

        Assert.Equal(DcapLibraryError.OutOfProcessMode, e.Reason);
        Assert.Contains("SGX_AESM_ADDR", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureInProcess_SgxAesmAddrAbsent_Accepted() => DcapQuotingBackend.EnsureInProcess(null, "libsgx_dcap_ql.so.1");

    [Fact]
    public void Constructor_Defaults_PersistentPolicyAndNoPaths()
    {
        using var fake = new FakeDcap();
        using (fake.CreateBackend())
        {
            Assert.Equal(0u, fake.Policy);
            Assert.Equal(0, fake.Calls(FakeDcapFunction.QlSetPath));
        }

        // Dispose unloads the enclaves the way aesmd's ECDSA service stops: policy ephemeral.
        Assert.Equal(1u, fake.Policy);
    }

    [Fact]
    public void Constructor_PolicyAndPaths_PassedToTheLibrary()
    {
        using var fake = new FakeDcap();
        using var directory = new TempDirectory();
        var qe3 = directory.Combine("libsgx_qe3.signed.so.1");
        var pce = directory.Combine("libsgx_pce.signed.so.1");
        var qpl = directory.Combine("libdcap_quoteprov.so.1");
        File.WriteAllText(qe3, "");
        File.WriteAllText(pce, "");
        File.WriteAllText(qpl, "");
        var options = fake.Options();
        options.LoadPolicy = DcapEnclaveLoadPolicy.Ephemeral;
        options.QuotingEnclavePath = qe3;
        options.ProvisioningCertificationEnclavePath = pce;
        options.QuoteProviderLibraryPath = qpl;

        using var backend = new DcapQuotingBackend(options);

        Assert.Equal(1u, fake.Policy);
        Assert.Equal(qe3, fake.PathOf(0));
        Assert.Equal(pce, fake.PathOf(1));
        Assert.Equal(qpl, fake.PathOf(2));
    }

    [Fact]
    public void Constructor_LibraryRefusesAPath_ConfigurationFailedWithItsResult()
    {
        using var fake = new FakeDcap();
        var options = fake.Options();
        options.QuoteProviderLibraryPath = "/nonexistent/libdcap_quoteprov.so.1";

        var e = Assert.Throws<DcapLibraryException>(() => new DcapQuotingBackend(options));

        Assert.Equal(DcapLibraryError.ConfigurationFailed, e.Reason);
        Assert.Equal(Quote3Error.ErrorInvalidParameter, e.Result);
        Assert.Contains("SGX_QL_QPL_PATH", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_LibraryRefusesThePolicy_ConfigurationFailed()
    {
        using var fake = new FakeDcap();
        fake.SetResult(FakeDcapFunction.QeSetEnclaveLoadPolicy, Quote3Error.UnsupportedMode);

        var e = Assert.Throws<DcapLibraryException>(() => fake.CreateBackend());

        Assert.Equal(DcapLibraryError.ConfigurationFailed, e.Reason);
        Assert.Equal(Quote3Error.UnsupportedMode, e.Result);
    }

    [Fact]
    public void Dispose_LaterCalls_ServiceUnavailable()
    {
        using var fake = new FakeDcap();
        var backend = fake.CreateBackend();
        backend.Dispose();
        backend.Dispose();

        Assert.Equal(AesmError.ServiceUnavailable, backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]));
        Assert.Equal(AesmError.ServiceUnavailable, backend.GetQuoteSize(out _));
        Assert.Equal(AesmError.ServiceUnavailable, backend.GetQuote(AppReport(), [], new byte[8192], out _));
    }

    [Theory]
    [MemberData(nameof(BothFunctionSets))]
    public async Task ConcurrentCalls_NeverOverlapInTheLibrary(bool core)
    {
        using var fake = new FakeDcap();
        using var backend = fake.CreateBackend(core);
        backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]);
        fake.SetDelay(TimeSpan.FromMilliseconds(5));
        using var start = new Barrier(8);

        var tasks = Enumerable.Range(0, 8).Select(i => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(TestContext.Current.CancellationToken);
            for (var n = 0; n < 5; n++)
            {
                Assert.Equal(AesmError.Success, (i % 3) switch
                {
                    0 => backend.GetQuote(AppReport(), [], new byte[8192], out _),
                    1 => backend.GetQuoteSize(out _),
                    _ => backend.InitializeAttestationKey(new byte[TargetInfo.Size], new byte[32]),
                });
            }
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        await Task.WhenAll(tasks);

        Assert.Equal(1, fake.MaxInFlight);
    }

    [Fact]
    public async Task ConcurrentCalls_TheFakeSeesOverlapWhenNothingSerialises()
    {
        // Control for the test above: called directly from two threads, the fake does count two calls in flight.
        using var fake = new FakeDcap();
        fake.SetDelay(TimeSpan.FromMilliseconds(300));
        var getQuoteSize = NativeLibrary.GetExport(fake.Handle, "sgx_qe_get_quote_size");
        using var start = new Barrier(2);

        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(TestContext.Current.CancellationToken);
            CallGetQuoteSize(getQuoteSize);
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

        Assert.Equal(2, fake.MaxInFlight);
    }

    private static unsafe void CallGetQuoteSize(IntPtr function)
    {
        uint size;
        _ = ((delegate* unmanaged<uint*, uint>)function)(&size);
    }

    /// <summary>A 432-byte report whose body is recognisable (the fake checks no MAC).</summary>
    internal static byte[] AppReport()
    {
        var report = new byte[Report.Size];
        for (var i = 0; i < ReportBody.Size; i++)
        {
            report[i] = (byte)(i * 7);
        }

        return report;
    }

    /// <summary>The fake's QE target info: MRENCLAVE A0..BF, flags 0x15, xfrm 0xE7.</summary>
    internal static byte[] FakeTargetInfo()
    {
        var targetInfo = new byte[TargetInfo.Size];
        for (var i = 0; i < 32; i++)
        {
            targetInfo[i] = (byte)(0xA0 + i);
        }

        targetInfo[32] = 0x15;
        targetInfo[40] = 0xE7;
        return targetInfo;
    }

    /// <summary>SHA256(fake attestation public key 40..7F ‖ auth data 00..1F), aesm-protocol.md §5.</summary>
    internal static byte[] ExpectedPublicKeyId()
    {
        var input = new byte[96];
        for (var i = 0; i < 64; i++)
        {
            input[i] = (byte)(0x40 + i);
        }

        for (var i = 0; i < 32; i++)
        {
            input[64 + i] = (byte)i;
        }

        return SHA256.HashData(input);
    }
}
