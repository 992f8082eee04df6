namespace QuoteHelper.Sgx.Errors;

/// <summary>
/// Intel's mappings between the three error families, in one place (house-style habit 7). Each method cites the
/// Intel function it reproduces; unknown inputs fall through to the same default Intel uses.
/// </summary>
public static class ErrorMapping
{
    /// <summary>
    /// What Intel's <c>libsgx_quote_ex</c> returns for an <c>errorCode</c> from the server
    /// (<c>sgx_uae_service.cpp</c>, aesm-protocol.md §8.6): a common mapping, then a per-call refinement when the
    /// common step gave SGX_ERROR_UNEXPECTED for a code other than 1.
    /// </summary>
    public static SgxStatus ToSgxStatus(AesmError error, QuoteExCall call)
    {
        var common = error switch
        {
            AesmError.Success => SgxStatus.Success,
            AesmError.UpdateAvailable => SgxStatus.ErrorUpdateNeeded,
            AesmError.UnexpectedError => SgxStatus.ErrorUnexpected,
            AesmError.ParameterError => SgxStatus.ErrorInvalidParameter,
            AesmError.ServiceStopped or AesmError.ServiceUnavailable or AesmError.EnclaveLoadError
                or AesmError.EnclaveLost => SgxStatus.ErrorServiceUnavailable,
            AesmError.OutOfMemoryError => SgxStatus.ErrorOutOfMemory,
            AesmError.Busy => SgxStatus.ErrorBusy,
            AesmError.UnrecognizedPlatform => SgxStatus.ErrorUnrecognizedPlatform,
            AesmError.NetworkError or AesmError.NetworkBusyError or AesmError.ProxySettingAssist =>
                SgxStatus.ErrorNetworkFailure,
            AesmError.NoDeviceError => SgxStatus.ErrorNoDevice,
            _ => SgxStatus.ErrorUnexpected,
        };
        if (common != SgxStatus.ErrorUnexpected || error == AesmError.UnexpectedError)
        {
            return common;
        }

        return call switch
        {
            QuoteExCall.SelectAttKeyId => error switch
            {
                AesmError.UnsupportedAttKeyId => SgxStatus.ErrorUnsupportedAttKeyId,
                _ => SgxStatus.ErrorUnexpected,
            },
            QuoteExCall.InitQuoteEx => error switch
            {
                AesmError.UnsupportedAttKeyId => SgxStatus.ErrorUnsupportedAttKeyId,
                AesmError.KeyCertificationError => SgxStatus.ErrorAttKeyCertificationFailure,
                AesmError.NoPlatformCertData => SgxStatus.ErrorPlatformCertUnavailable,
                AesmError.EpidBlobError => SgxStatus.ErrorAeInvalidEpidBlob,
                AesmError.EpidRevokedError => SgxStatus.ErrorEpidMemberRevoked,
                AesmError.BackendServerBusy => SgxStatus.ErrorBusy,
                AesmError.OutOfEpc => SgxStatus.ErrorOutOfEpc,
                _ => SgxStatus.ErrorUnexpected,
            },
            QuoteExCall.GetQuoteSizeEx => error switch
            {
                AesmError.AttKeyNotInitialized => SgxStatus.ErrorAttKeyUninitialized,
                AesmError.UnsupportedAttKeyId => SgxStatus.ErrorUnsupportedAttKeyId,
                _ => SgxStatus.ErrorUnexpected,
            },
            QuoteExCall.GetQuoteEx => error switch
            {
                AesmError.AttKeyNotInitialized => SgxStatus.ErrorAttKeyUninitialized,
                AesmError.UnsupportedAttKeyId => SgxStatus.ErrorUnsupportedAttKeyId,
                AesmError.ErrorReport or AesmError.InvalidReport => SgxStatus.ErrorMacMismatch,
                AesmError.EpidBlobError => SgxStatus.ErrorAeInvalidEpidBlob,
                AesmError.EpidRevokedError => SgxStatus.ErrorEpidMemberRevoked,
                AesmError.BackendServerBusy => SgxStatus.ErrorBusy,
                AesmError.OutOfEpc => SgxStatus.ErrorOutOfEpc,
                _ => SgxStatus.ErrorUnexpected,
            },
            _ => SgxStatus.ErrorUnexpected,
        };
    }

    /// <summary>
    /// What DCAP's <c>sgx_dcap_ql_wrapper.cpp</c> returns to an application in out-of-proc mode for a
    /// <c>libsgx_quote_ex</c> status (aesm-protocol.md §8.7). Note that a MAC mismatch becomes 0xE001.
    /// </summary>
    public static Quote3Error ToQuote3Error(SgxStatus status) => status switch
    {
        SgxStatus.Success => Quote3Error.Success,
        SgxStatus.ErrorUnexpected => Quote3Error.ErrorUnexpected,
        SgxStatus.ErrorInvalidParameter => Quote3Error.ErrorInvalidParameter,
        SgxStatus.ErrorOutOfMemory => Quote3Error.ErrorOutOfMemory,
        SgxStatus.ErrorNoDevice => Quote3Error.NoDevice,
        SgxStatus.ErrorServiceUnavailable => Quote3Error.ServiceUnavailable,
        SgxStatus.ErrorNetworkFailure => Quote3Error.NetworkFailure,
        SgxStatus.ErrorServiceTimeout => Quote3Error.ServiceTimeout,
        SgxStatus.ErrorBusy => Quote3Error.ErrorBusy,
        SgxStatus.ErrorUnsupportedAttKeyId => Quote3Error.UnsupportedAttKeyId,
        SgxStatus.ErrorAttKeyCertificationFailure => Quote3Error.AttKeyCertDataInvalid,
        SgxStatus.ErrorPlatformCertUnavailable => Quote3Error.NoPlatformCertData,
        SgxStatus.ErrorAttKeyUninitialized => Quote3Error.AttKeyNotInitialized,
        _ => Quote3Error.ErrorUnexpected,
    };

    /// <summary>
    /// The <c>errorCode</c> Intel's ECDSA bundle sends for a DCAP quote library result
    /// (<c>quote3_error_to_aesm_error</c>, aesm-protocol.md §7.3). Used by the hardware backend.
    /// </summary>
    public static AesmError ToAesmError(Quote3Error error) => error switch
    {
        Quote3Error.Success => AesmError.Success,
        Quote3Error.ErrorUnexpected => AesmError.UnexpectedError,
        Quote3Error.ErrorInvalidParameter => AesmError.ParameterError,
        Quote3Error.ErrorOutOfMemory => AesmError.OutOfMemoryError,
        Quote3Error.ErrorEcdsaIdMismatch => AesmError.EcdsaIdMismatch,
        Quote3Error.PathnameBufferOverflowError => AesmError.PathnameBufferOverflowError,
        Quote3Error.FileAccessError => AesmError.FileAccessError,
        Quote3Error.ErrorStoredKey => AesmError.ErrorStoredKey,
        Quote3Error.ErrorPubKeyIdMismatch => AesmError.PubKeyIdMismatch,
        Quote3Error.ErrorInvalidPceSigScheme => AesmError.InvalidPceSigScheme,
        Quote3Error.AttKeyBlobError => AesmError.AttKeyBlobError,
        Quote3Error.UnsupportedAttKeyId => AesmError.UnsupportedAttKeyId,
        Quote3Error.UnsupportedLoadingPolicy => AesmError.UnsupportedLoadingPolicy,
        Quote3Error.InterfaceUnavailable => AesmError.InterfaceUnavailable,
        Quote3Error.PlatformLibUnavailable => AesmError.PlatformLibUnavailable,
        Quote3Error.AttKeyNotInitialized => AesmError.AttKeyNotInitialized,
        Quote3Error.AttKeyCertDataInvalid => AesmError.AttKeyCertDataInvalid,
        Quote3Error.NoPlatformCertData => AesmError.NoPlatformCertData,
        Quote3Error.OutOfEpc => AesmError.OutOfEpc,
        Quote3Error.ErrorReport => AesmError.ErrorReport,
        Quote3Error.EnclaveLost => AesmError.EnclaveLost,
        Quote3Error.InvalidReport => AesmError.InvalidReport,
        Quote3Error.EnclaveLoadError => AesmError.EnclaveLoadError,
        Quote3Error.UnableToGenerateQeReport => AesmError.UnableToGenerateQeReport,
        Quote3Error.KeyCertificationError => AesmError.KeyCertificationError,
        Quote3Error.NetworkError => AesmError.NetworkError,
        Quote3Error.MessageError => AesmError.MsgError,
        _ => AesmError.UnexpectedError,
    };
}
