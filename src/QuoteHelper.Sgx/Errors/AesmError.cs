namespace QuoteHelper.Sgx.Errors;

/// <summary>
/// <c>aesm_error_t</c>: the <c>errorCode</c> carried on the AESM wire (Intel <c>psw/ae/inc/internal/aesm_error.h</c>;
/// aesm-protocol.md §7.1). Codes outside this list survive as numbers: the enum is a plain <see cref="uint"/>.
/// </summary>
public enum AesmError : uint
{
    /// <summary>AESM_SUCCESS.</summary>
    Success = 0,
    /// <summary>AESM_UNEXPECTED_ERROR; also the proto2 default of every <c>errorCode</c>.</summary>
    UnexpectedError = 1,
    /// <summary>AESM_NO_DEVICE_ERROR.</summary>
    NoDeviceError = 2,
    /// <summary>AESM_PARAMETER_ERROR.</summary>
    ParameterError = 3,
    /// <summary>AESM_EPIDBLOB_ERROR.</summary>
    EpidBlobError = 4,
    /// <summary>AESM_EPID_REVOKED_ERROR.</summary>
    EpidRevokedError = 5,
    /// <summary>AESM_GET_LICENSETOKEN_ERROR.</summary>
    GetLicenseTokenError = 6,
    /// <summary>AESM_SESSION_INVALID.</summary>
    SessionInvalid = 7,
    /// <summary>AESM_MAX_NUM_SESSION_REACHED.</summary>
    MaxNumSessionReached = 8,
    /// <summary>AESM_PSDA_UNAVAILABLE.</summary>
    PsdaUnavailable = 9,
    /// <summary>AESM_EPH_SESSION_FAILED.</summary>
    EphSessionFailed = 10,
    /// <summary>AESM_LONG_TERM_PAIRING_FAILED.</summary>
    LongTermPairingFailed = 11,
    /// <summary>AESM_NETWORK_ERROR.</summary>
    NetworkError = 12,
    /// <summary>AESM_NETWORK_BUSY_ERROR.</summary>
    NetworkBusyError = 13,
    /// <summary>AESM_PROXY_SETTING_ASSIST.</summary>
    ProxySettingAssist = 14,
    /// <summary>AESM_FILE_ACCESS_ERROR.</summary>
    FileAccessError = 15,
    /// <summary>AESM_SGX_PROVISION_FAILED.</summary>
    SgxProvisionFailed = 16,
    /// <summary>AESM_SERVICE_STOPPED.</summary>
    ServiceStopped = 17,
    /// <summary>AESM_BUSY.</summary>
    Busy = 18,
    /// <summary>AESM_BACKEND_SERVER_BUSY.</summary>
    BackendServerBusy = 19,
    /// <summary>AESM_UPDATE_AVAILABLE.</summary>
    UpdateAvailable = 20,
    /// <summary>AESM_OUT_OF_MEMORY_ERROR.</summary>
    OutOfMemoryError = 21,
    /// <summary>AESM_MSG_ERROR.</summary>
    MsgError = 22,
    /// <summary>AESM_THREAD_ERROR.</summary>
    ThreadError = 23,
    /// <summary>AESM_SGX_DEVICE_NOT_AVAILABLE.</summary>
    SgxDeviceNotAvailable = 24,
    /// <summary>AESM_ENABLE_SGX_DEVICE_FAILED.</summary>
    EnableSgxDeviceFailed = 25,
    /// <summary>AESM_PLATFORM_INFO_BLOB_INVALID_SIG.</summary>
    PlatformInfoBlobInvalidSig = 26,
    /// <summary>AESM_KDF_MISMATCH (27 is unused).</summary>
    KdfMismatch = 28,
    /// <summary>AESM_OUT_OF_EPC.</summary>
    OutOfEpc = 29,
    /// <summary>AESM_SERVICE_UNAVAILABLE.</summary>
    ServiceUnavailable = 30,
    /// <summary>AESM_UNRECOGNIZED_PLATFORM.</summary>
    UnrecognizedPlatform = 31,
    /// <summary>AESM_ECDSA_ID_MISMATCH.</summary>
    EcdsaIdMismatch = 32,
    /// <summary>AESM_PATHNAME_BUFFER_OVERFLOW_ERROR.</summary>
    PathnameBufferOverflowError = 33,
    /// <summary>AESM_ERROR_STORED_KEY.</summary>
    ErrorStoredKey = 34,
    /// <summary>AESM_PUB_KEY_ID_MISMATCH.</summary>
    PubKeyIdMismatch = 35,
    /// <summary>AESM_INVALID_PCE_SIG_SCHEME.</summary>
    InvalidPceSigScheme = 36,
    /// <summary>AESM_ATT_KEY_BLOB_ERROR.</summary>
    AttKeyBlobError = 37,
    /// <summary>AESM_UNSUPPORTED_ATT_KEY_ID.</summary>
    UnsupportedAttKeyId = 38,
    /// <summary>AESM_UNSUPPORTED_LOADING_POLICY.</summary>
    UnsupportedLoadingPolicy = 39,
    /// <summary>AESM_INTERFACE_UNAVAILABLE.</summary>
    InterfaceUnavailable = 40,
    /// <summary>AESM_PLATFORM_LIB_UNAVAILABLE.</summary>
    PlatformLibUnavailable = 41,
    /// <summary>AESM_ATT_KEY_NOT_INITIALIZED: call InitQuoteEx again and refresh the QE target info.</summary>
    AttKeyNotInitialized = 42,
    /// <summary>AESM_ATT_KEY_CERT_DATA_INVALID.</summary>
    AttKeyCertDataInvalid = 43,
    /// <summary>AESM_NO_PLATFORM_CERT_DATA.</summary>
    NoPlatformCertData = 44,
    /// <summary>AESM_ERROR_REPORT.</summary>
    ErrorReport = 45,
    /// <summary>AESM_ENCLAVE_LOST.</summary>
    EnclaveLost = 46,
    /// <summary>AESM_INVALID_REPORT: the report's MAC does not verify for the QE (made for another target, or tampered).</summary>
    InvalidReport = 47,
    /// <summary>AESM_ENCLAVE_LOAD_ERROR.</summary>
    EnclaveLoadError = 48,
    /// <summary>AESM_UNABLE_TO_GENERATE_QE_REPORT.</summary>
    UnableToGenerateQeReport = 49,
    /// <summary>AESM_KEY_CERTIFICATION_ERROR.</summary>
    KeyCertificationError = 50,
    /// <summary>AESM_CONFIG_UNSUPPORTED.</summary>
    ConfigUnsupported = 51,
}
