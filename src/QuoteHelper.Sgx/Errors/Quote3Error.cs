namespace QuoteHelper.Sgx.Errors;

/// <summary>
/// <c>quote3_error_t</c>, DCAP's quote library status (<c>sgx_ql_lib_common.h</c>; <c>0xE000 | x</c>;
/// aesm-protocol.md §7.2). Only the quote-generation values are named; others survive as numbers.
/// </summary>
public enum Quote3Error : uint
{
    /// <summary>SGX_QL_SUCCESS.</summary>
    Success = 0x0000,
    /// <summary>SGX_QL_ERROR_UNEXPECTED.</summary>
    ErrorUnexpected = 0xE001,
    /// <summary>SGX_QL_ERROR_INVALID_PARAMETER.</summary>
    ErrorInvalidParameter = 0xE002,
    /// <summary>SGX_QL_ERROR_OUT_OF_MEMORY.</summary>
    ErrorOutOfMemory = 0xE003,
    /// <summary>SGX_QL_ERROR_ECDSA_ID_MISMATCH.</summary>
    ErrorEcdsaIdMismatch = 0xE004,
    /// <summary>SGX_QL_PATHNAME_BUFFER_OVERFLOW_ERROR.</summary>
    PathnameBufferOverflowError = 0xE005,
    /// <summary>SGX_QL_FILE_ACCESS_ERROR.</summary>
    FileAccessError = 0xE006,
    /// <summary>SGX_QL_ERROR_STORED_KEY.</summary>
    ErrorStoredKey = 0xE007,
    /// <summary>SGX_QL_ERROR_PUB_KEY_ID_MISMATCH.</summary>
    ErrorPubKeyIdMismatch = 0xE008,
    /// <summary>SGX_QL_ERROR_INVALID_PCE_SIG_SCHEME.</summary>
    ErrorInvalidPceSigScheme = 0xE009,
    /// <summary>SGX_QL_ATT_KEY_BLOB_ERROR.</summary>
    AttKeyBlobError = 0xE00A,
    /// <summary>SGX_QL_UNSUPPORTED_ATT_KEY_ID.</summary>
    UnsupportedAttKeyId = 0xE00B,
    /// <summary>SGX_QL_UNSUPPORTED_LOADING_POLICY.</summary>
    UnsupportedLoadingPolicy = 0xE00C,
    /// <summary>SGX_QL_INTERFACE_UNAVAILABLE.</summary>
    InterfaceUnavailable = 0xE00D,
    /// <summary>SGX_QL_PLATFORM_LIB_UNAVAILABLE.</summary>
    PlatformLibUnavailable = 0xE00E,
    /// <summary>SGX_QL_ATT_KEY_NOT_INITIALIZED.</summary>
    AttKeyNotInitialized = 0xE00F,
    /// <summary>SGX_QL_ATT_KEY_CERT_DATA_INVALID.</summary>
    AttKeyCertDataInvalid = 0xE010,
    /// <summary>SGX_QL_NO_PLATFORM_CERT_DATA.</summary>
    NoPlatformCertData = 0xE011,
    /// <summary>SGX_QL_OUT_OF_EPC.</summary>
    OutOfEpc = 0xE012,
    /// <summary>SGX_QL_ERROR_REPORT.</summary>
    ErrorReport = 0xE013,
    /// <summary>SGX_QL_ENCLAVE_LOST.</summary>
    EnclaveLost = 0xE014,
    /// <summary>SGX_QL_INVALID_REPORT.</summary>
    InvalidReport = 0xE015,
    /// <summary>SGX_QL_ENCLAVE_LOAD_ERROR.</summary>
    EnclaveLoadError = 0xE016,
    /// <summary>SGX_QL_UNABLE_TO_GENERATE_QE_REPORT.</summary>
    UnableToGenerateQeReport = 0xE017,
    /// <summary>SGX_QL_KEY_CERTIFCATION_ERROR (Intel's spelling).</summary>
    KeyCertificationError = 0xE018,
    /// <summary>SGX_QL_NETWORK_ERROR.</summary>
    NetworkError = 0xE019,
    /// <summary>SGX_QL_MESSAGE_ERROR.</summary>
    MessageError = 0xE01A,
    /// <summary>SGX_QL_NO_QUOTE_COLLATERAL_DATA (verification side).</summary>
    NoQuoteCollateralData = 0xE01B,
    /// <summary>SGX_QL_UNSUPPORTED_MODE.</summary>
    UnsupportedMode = 0xE03E,
    /// <summary>SGX_QL_NO_DEVICE.</summary>
    NoDevice = 0xE03F,
    /// <summary>SGX_QL_SERVICE_UNAVAILABLE.</summary>
    ServiceUnavailable = 0xE040,
    /// <summary>SGX_QL_NETWORK_FAILURE.</summary>
    NetworkFailure = 0xE041,
    /// <summary>SGX_QL_SERVICE_TIMEOUT.</summary>
    ServiceTimeout = 0xE042,
    /// <summary>SGX_QL_ERROR_BUSY.</summary>
    ErrorBusy = 0xE043,
    /// <summary>SGX_QL_UNKNOWN_MESSAGE_RESPONSE.</summary>
    UnknownMessageResponse = 0xE044,
    /// <summary>SGX_QL_PLATFORM_UNKNOWN.</summary>
    PlatformUnknown = 0xE047,
}
