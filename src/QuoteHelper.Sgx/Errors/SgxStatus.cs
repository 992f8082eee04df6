namespace QuoteHelper.Sgx.Errors;

/// <summary>
/// <c>sgx_status_t</c> values that Intel's <c>libsgx_quote_ex</c> returns from the quote-ex calls (SDK
/// <c>common/inc/sgx_error.h</c>; aesm-protocol.md §8.5).
/// </summary>
public enum SgxStatus : uint
{
    /// <summary>SGX_SUCCESS.</summary>
    Success = 0x0000,
    /// <summary>SGX_ERROR_UNEXPECTED.</summary>
    ErrorUnexpected = 0x0001,
    /// <summary>SGX_ERROR_INVALID_PARAMETER.</summary>
    ErrorInvalidParameter = 0x0002,
    /// <summary>SGX_ERROR_OUT_OF_MEMORY.</summary>
    ErrorOutOfMemory = 0x0003,
    /// <summary>SGX_ERROR_OUT_OF_EPC.</summary>
    ErrorOutOfEpc = 0x2005,
    /// <summary>SGX_ERROR_NO_DEVICE.</summary>
    ErrorNoDevice = 0x2006,
    /// <summary>SGX_ERROR_MAC_MISMATCH: the report was not made for the current QE (or was tampered with).</summary>
    ErrorMacMismatch = 0x3001,
    /// <summary>SGX_ERROR_SERVICE_UNAVAILABLE: no AESM service answers on the socket.</summary>
    ErrorServiceUnavailable = 0x4001,
    /// <summary>SGX_ERROR_SERVICE_TIMEOUT.</summary>
    ErrorServiceTimeout = 0x4002,
    /// <summary>SGX_ERROR_AE_INVALID_EPIDBLOB.</summary>
    ErrorAeInvalidEpidBlob = 0x4003,
    /// <summary>SGX_ERROR_EPID_MEMBER_REVOKED.</summary>
    ErrorEpidMemberRevoked = 0x4005,
    /// <summary>SGX_ERROR_UPDATE_NEEDED.</summary>
    ErrorUpdateNeeded = 0x4006,
    /// <summary>SGX_ERROR_NETWORK_FAILURE.</summary>
    ErrorNetworkFailure = 0x4007,
    /// <summary>SGX_ERROR_BUSY.</summary>
    ErrorBusy = 0x400a,
    /// <summary>SGX_ERROR_UNRECOGNIZED_PLATFORM.</summary>
    ErrorUnrecognizedPlatform = 0x4012,
    /// <summary>SGX_ERROR_UNSUPPORTED_ATT_KEY_ID.</summary>
    ErrorUnsupportedAttKeyId = 0x8001,
    /// <summary>SGX_ERROR_ATT_KEY_CERTIFICATION_FAILURE.</summary>
    ErrorAttKeyCertificationFailure = 0x8002,
    /// <summary>SGX_ERROR_ATT_KEY_UNINITIALIZED: call InitQuoteEx again and refresh the QE target info.</summary>
    ErrorAttKeyUninitialized = 0x8003,
    /// <summary>SGX_ERROR_INVALID_ATT_KEY_CERT_DATA.</summary>
    ErrorInvalidAttKeyCertData = 0x8004,
    /// <summary>SGX_ERROR_PLATFORM_CERT_UNAVAILABLE.</summary>
    ErrorPlatformCertUnavailable = 0x8005,
}
